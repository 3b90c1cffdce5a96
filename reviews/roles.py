"""The three staff roles as Django groups with their model permissions.

Made by a data migration and kept in step after every migrate/flush (post_migrate), so a database
that was flushed (transactional tests, `manage.py flush`) still has its roles.
"""

from django.contrib.auth.management import create_permissions

VIEW_ALL = [
    "factsheets.view_condition",
    "factsheets.view_factsheet",
    "factsheets.view_factsheetrevision",
    "factsheets.view_section",
    "reviews.view_committee",
    "reviews.view_review",
    "reviews.view_decision",
    "factsheets.view_glossaryterm",
]

ROLES = {
    "Authors": VIEW_ALL
    + [
        "factsheets.add_factsheet",
        "factsheets.change_factsheet",
        "factsheets.add_factsheetrevision",
        "factsheets.change_factsheetrevision",
        "factsheets.add_section",
        "factsheets.change_section",
        "factsheets.delete_section",
    ],
    "Reviewers": VIEW_ALL,
    "Editors": VIEW_ALL
    + [
        "factsheets.add_condition",
        "factsheets.change_condition",
        "factsheets.delete_condition",
        "factsheets.change_factsheet",
        "factsheets.withdraw_factsheet",
        "factsheets.add_glossaryterm",
        "factsheets.change_glossaryterm",
        "factsheets.delete_glossaryterm",
        "reviews.add_committee",
        "reviews.change_committee",
        "reviews.start_reaffirmation",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "reviews.view_accessevent",
    ],
}


def sync_roles(apps) -> None:
    """Create the groups and give them their permissions; `apps` is the (historical) app registry."""
    for app_config in apps.get_app_configs():
        # Historical app configs have no models_module, and create_permissions skips those.
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            if not _model_exists(apps, app_label, codename):
                continue  # a model added by a later migration; that migration (or post_migrate) grants it
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)


def _model_exists(apps, app_label: str, codename: str) -> bool:
    """False only for a default permission (add/change/delete/view) of a model not in this registry."""
    action, _, model_name = codename.partition("_")
    if action not in {"add", "change", "delete", "view"}:
        return True
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    if apps is None:  # `flush` sends post_migrate without an app registry
        from django.apps import apps
    if apps.is_installed("reviews") and apps.is_installed("factsheets"):
        try:
            apps.get_model("reviews", "Review")
        except LookupError:  # migrating backwards or before reviews exists
            return
        sync_roles(apps)
