"""Recreate the role groups of reviews/migrations/0002_roles.py.

A `transaction=True` test (threads, live_server) flushes the database afterwards, which deletes the
groups the data migration created; tests of that kind call `ensure_roles()` first.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

ROLES = import_module("reviews.migrations.0002_roles").ROLES


def ensure_roles() -> None:
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
