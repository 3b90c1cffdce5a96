"""Database triggers that keep submitted content and history append-only (see factsheets.content.db_guards).

Frozen column lists: SQLite's triggers name the columns they guard; a migration that adds columns to these
tables re-installs the guard with the new list (PostgreSQL's triggers compare whole rows and need nothing).
"""

from django.db import migrations

from factsheets.content.db_guards import RecordGuard

REVISION_COLUMNS = [
    "id", "fact_sheet_id", "number", "status", "title", "generic_name", "brand_names", "conditions_as_signed",
    "summary", "fast_facts", "credit_line", "change_note", "content_hash", "rendition_id", "hash_version",
    "created_by_id", "created_at", "submitted_at", "approved_at", "published_at", "updated_on",
    "last_reviewed_on", "next_review_due", "publish_at", "reviewed_by_name", "imported_from",
]
HISTORY_TABLES = [
    "factsheets_historicalcondition", "factsheets_historicalfactsheet", "factsheets_historicalfactsheetrevision",
    "factsheets_historicalsection", "factsheets_historicalglossaryterm",
]


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0008_names_in_revision_and_rendition")]

    operations = [
        RecordGuard("frozen_revision", "factsheets_factsheetrevision", columns=REVISION_COLUMNS),
        RecordGuard(
            "frozen_children", "factsheets_section", parent_table="factsheets_factsheetrevision", parent_column="revision_id"
        ),
        # A stored rendition is what reviewers signed and patients are served: never rewritten.
        RecordGuard("append_only", "factsheets_rendition"),
        *[RecordGuard("append_only", table) for table in HISTORY_TABLES],
    ]
