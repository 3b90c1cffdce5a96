"""Let editors manage the jargon glossary and everyone on staff read it (see reviews.roles.ROLES)."""

from django.db import migrations

from reviews.roles import sync_roles


def grant(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_reading_grade"),
        ("factsheets", "0004_glossary_starter_terms"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
