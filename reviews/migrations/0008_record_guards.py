"""Database triggers that keep sign-offs, closed reviews, the access log and history append-only
(see factsheets.content.db_guards). SQLite's review guard names the columns it protects (frozen here)."""

from django.db import migrations

from factsheets.content.db_guards import RecordGuard

REVIEW_COLUMNS = [
    "id", "revision_id", "committee_id", "kind", "status", "submitted_by_id", "submitted_at", "closed_at",
    "content_hash", "rendition_id", "reading_justification", "quorum", "needs_authenticator",
]
APPEND_ONLY = [
    "reviews_decision", "reviews_accessevent", "reviews_review_members",
    "reviews_historicalcommittee", "reviews_historicalreview",
]


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_signature_rules"), ("factsheets", "0009_record_guards")]

    operations = [
        RecordGuard("closed_review", "reviews_review", columns=REVIEW_COLUMNS),
        *[RecordGuard("append_only", table) for table in APPEND_ONLY],
    ]
