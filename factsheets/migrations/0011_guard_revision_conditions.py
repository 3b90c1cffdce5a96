"""The "Used for" link rows of a submitted version join the record: the database refuses to add, change or
remove them (condition pages list a sheet through these rows; see factsheets.db_guards)."""

from django.db import migrations

from factsheets.db_guards import RecordGuard


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0010_merge_0009_content_limits_0009_record_guards")]

    operations = [
        RecordGuard(
            "frozen_children",
            "factsheets_factsheetrevision_conditions",
            parent_table="factsheets_factsheetrevision",
            parent_column="factsheetrevision_id",
            refuse_insert=True,
        ),
    ]
