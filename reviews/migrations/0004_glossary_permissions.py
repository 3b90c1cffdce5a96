"""Let editors manage the jargon glossary and everyone on staff read it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Authors": ["view_glossaryterm"],
    "Reviewers": ["view_glossaryterm"],
    "Editors": ["view_glossaryterm", "add_glossaryterm", "change_glossaryterm", "delete_glossaryterm"],
}


def grant(apps, schema_editor):
    factsheets = apps.get_app_config("factsheets")
    factsheets.models_module = True
    create_permissions(factsheets, apps=apps, verbosity=0)
    factsheets.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="factsheets", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="factsheets", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_reading_grade"),
        ("factsheets", "0004_glossary_starter_terms"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
