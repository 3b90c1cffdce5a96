"""Create the Authors, Reviewers and Editors groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    "factsheets.view_condition", "factsheets.view_factsheet", "factsheets.view_factsheetrevision",
    "factsheets.view_section", "reviews.view_committee", "reviews.view_review", "reviews.view_decision",
]

ROLES = {
    "Authors": VIEW_ALL + [
        "factsheets.add_factsheet", "factsheets.change_factsheet",
        "factsheets.add_factsheetrevision", "factsheets.change_factsheetrevision",
        "factsheets.add_section", "factsheets.change_section", "factsheets.delete_section",
    ],
    "Reviewers": VIEW_ALL,
    "Editors": VIEW_ALL + [
        "factsheets.add_condition", "factsheets.change_condition", "factsheets.delete_condition",
        "factsheets.change_factsheet", "factsheets.withdraw_factsheet",
        "reviews.add_committee", "reviews.change_committee", "reviews.start_reaffirmation",
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("factsheets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
