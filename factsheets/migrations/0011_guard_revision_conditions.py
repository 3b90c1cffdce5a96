"""The "Used for" link rows of a submitted version join the record: the database refuses to change or remove
them, and to add one the revision did not sign (condition pages list a sheet through these rows). The
sections' guard is installed again so that, on PostgreSQL, it reads the revision's status FOR SHARE and
waits for a submission in progress instead of racing it (see factsheets.content.db_guards)."""

from django.db import migrations

from factsheets.content.db_guards import DropRecordGuard, RecordGuard

SECTIONS = {"parent_table": "factsheets_factsheetrevision", "parent_column": "revision_id"}


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0010_merge_0009_content_limits_0009_record_guards")]

    operations = [
        RecordGuard(
            "signed_links",
            "factsheets_factsheetrevision_conditions",
            parent_table="factsheets_factsheetrevision",
            parent_column="factsheetrevision_id",
            signed_column="conditions_as_signed",
            target_table="factsheets_condition",
            target_column="condition_id",
        ),
        # Dropped and installed again (not just replaced), so that reversing this migration leaves a guard.
        DropRecordGuard("frozen_children", "factsheets_section", **SECTIONS),
        RecordGuard("frozen_children", "factsheets_section", **SECTIONS),
    ]
