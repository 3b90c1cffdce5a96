"""The database itself refuses to rewrite the record (triggers from factsheets.content.db_guards), on SQLite and
PostgreSQL alike: bulk updates and deletes, raw SQL, anything below the models' own checks."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from factsheets.content import db_guards
from factsheets.models import Condition, FactSheet, FactSheetRevision, Section
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import AccessEvent, Committee, Decision, Review
from tests.factories import PASSWORD, make_draft, make_published
from tests.record_guards import guards_lifted

GUARDED = {
    "factsheets_factsheetrevision": 2,
    "factsheets_section": 2,
    "reviews_review": 3,
    "reviews_decision": 2,
    "reviews_accessevent": 2,
    "reviews_review_members": 2,
    "factsheets_rendition": 2,
    "reviews_reviewcomment": 2,
    "reviews_commentresolution": 2,
    "factsheets_factsheetrevision_conditions": 3,
    **{model._meta.db_table: 2 for model in apps.get_models() if model.__name__.startswith("Historical")},
}


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


def refused(statement):
    """Run `statement`; True if the database refused it (inside a savepoint, so the test goes on)."""
    try:
        with transaction.atomic():
            statement()
    except IntegrityError as error:
        assert "record guard" in str(error)
        return True
    return False


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'record_guard%%'")
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'record_guard%%'"
            )
        return cursor.fetchall()


def test_every_guarded_table_has_its_triggers(db):
    found = {}
    for table, _name in installed_triggers():
        found[table.strip('"')] = found.get(table.strip('"'), 0) + 1
    for table, count in GUARDED.items():
        # PostgreSQL: one row trigger and one TRUNCATE trigger per table.
        assert found.get(table, 0) == (2 if connection.vendor == "postgresql" else count), table


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's guards compare whole rows, not named columns")
def test_sqlite_guards_name_every_content_column(db):
    """A column added to the revisions or reviews table without re-installing its guard fails here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'record_guard%'")
        sql = {}
        for table, text in cursor.fetchall():
            sql[table] = sql.get(table, "") + text
    for model, allowed in (
        (FactSheetRevision, db_guards.REVISION_WORKFLOW_COLUMNS + db_guards.REVISION_RESET_COLUMNS),
        (Review, db_guards.REVIEW_WORKFLOW_COLUMNS),
    ):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if field.column not in allowed:
                assert f'NEW."{field.column}" IS NOT OLD."{field.column}"' in sql[table], (table, field.column)


# Sign-offs, reviews, access log -------------------------------------------------------------------


def test_bulk_delete_and_update_of_sign_offs_are_refused(live):
    assert refused(lambda: Decision.objects.all().delete())
    assert refused(lambda: Decision.objects.update(comment="Rewritten"))
    assert refused(lambda: Decision.objects.all()._raw_delete(Decision.objects.db))
    assert Decision.objects.count() == 2 and not Decision.objects.filter(comment="Rewritten").exists()


def test_closed_review_never_changes(live):
    review = Review.objects.get(revision=live)
    assert refused(lambda: Review.objects.filter(pk=review.pk).update(status=Review.Status.OPEN))
    assert refused(lambda: Review.objects.filter(pk=review.pk)._raw_delete(Review.objects.db))  # below PROTECT
    assert refused(lambda: review.members.clear())


def test_open_review_changes_only_status_and_closing_time(author, committee):
    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="T."
    )
    assert refused(lambda: Review.objects.filter(pk=review.pk).update(content_hash="0" * 64))
    assert refused(lambda: Review.objects.filter(pk=review.pk).update(quorum=5))
    assert not refused(lambda: Review.objects.filter(pk=review.pk).update(status=Review.Status.WITHDRAWN))


def test_access_log_is_append_only(reviewer1):
    assert AccessEvent.objects.filter(user=reviewer1).exists()
    assert refused(lambda: AccessEvent.objects.filter(user=reviewer1).update(by_owner=False))
    assert refused(lambda: AccessEvent.objects.filter(user=reviewer1).delete())


# Submitted content --------------------------------------------------------------------------------


def test_bulk_changes_to_a_published_versions_sections_are_refused(live):
    assert refused(lambda: Section.objects.filter(revision=live).delete())
    assert refused(lambda: Section.objects.filter(revision=live).update(body="Take it every day."))
    assert refused(lambda: Section.objects.filter(revision=live).update(heading="Tampered"))
    assert live.sections.count() == 2
    assert live.compute_content_hash() == live.content_hash


def test_bulk_changes_to_a_published_versions_content_are_refused(live):
    for change in (
        {"title": "Something else"},
        {"summary": "Changed."},
        {"fast_facts": ["Take it daily."]},
        {"credit_line": "Someone else"},
        {"content_hash": "0" * 64},
        {"number": 9},
    ):
        assert refused(lambda change=change: FactSheetRevision.objects.filter(pk=live.pk).update(**change)), change
    assert refused(lambda: FactSheetRevision.objects.filter(pk=live.pk)._raw_delete(FactSheetRevision.objects.db))


def test_a_published_version_cannot_go_back_to_draft(live):
    assert refused(lambda: FactSheetRevision.objects.filter(pk=live.pk).update(status="draft"))
    assert refused(lambda: FactSheetRevision.objects.filter(pk=live.pk).update(status="in_review"))


def test_workflow_columns_of_a_published_version_may_change(live):
    import datetime as dt

    assert not refused(lambda: FactSheetRevision.objects.filter(pk=live.pk).update(next_review_due=dt.date(2031, 1, 1)))
    assert not refused(lambda: FactSheetRevision.objects.filter(pk=live.pk).update(status="superseded"))


def test_drafts_stay_editable_in_bulk(author):
    draft = make_draft(author=author)
    assert not refused(lambda: Section.objects.filter(revision=draft).update(heading="Renamed"))
    assert not refused(lambda: FactSheetRevision.objects.filter(pk=draft.pk).update(title="New title"))
    assert not refused(lambda: Section.objects.filter(revision=draft).delete())


def test_the_used_for_links_of_a_published_version_cannot_be_added_removed_or_moved(
    author, reviewer1, reviewer2, committee
):
    # Condition pages list a sheet through these rows: a row slipped in would list it under a condition
    # nobody signed it for.
    Through = FactSheetRevision.conditions.through
    gout, lupus = (Condition.objects.create(name=name, slug=name.lower()) for name in ("Gout", "Lupus"))
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, conditions=[gout])
    draft = make_draft(author=author, conditions=[gout])
    links = Through.objects.filter(factsheetrevision=live)
    assert refused(lambda: Through.objects.bulk_create([Through(factsheetrevision_id=live.pk, condition_id=lupus.pk)]))
    assert refused(lambda: Through.objects.filter(factsheetrevision=draft).update(factsheetrevision_id=live.pk))
    assert refused(lambda: links.delete())
    assert refused(lambda: links.update(condition_id=lupus.pk))
    assert list(links.values_list("condition_id", flat=True)) == [gout.pk]
    # Restoring a signed link (loaddata rebuilding the record) is the one insert allowed.
    with guards_lifted():
        links.delete()
    assert not refused(
        lambda: Through.objects.bulk_create([Through(factsheetrevision_id=live.pk, condition_id=gout.pk)])
    )
    assert not refused(lambda: live.conditions.add(gout)) and list(links.values_list("condition_id", flat=True)) == [
        gout.pk
    ]
    # A draft's links stay the author's to change.
    assert not refused(
        lambda: Through.objects.bulk_create([Through(factsheetrevision_id=draft.pk, condition_id=lupus.pk)])
    )
    assert not refused(lambda: Through.objects.filter(factsheetrevision=draft).delete())


def test_a_section_cannot_be_moved_into_a_submitted_version(live, author):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    section = draft.sections.first()
    assert refused(lambda: Section.objects.filter(pk=section.pk).update(revision=live))


def test_the_workflow_itself_still_runs_end_to_end(live, author, reviewer1, reviewer2, committee, editor):
    """Submit, withdraw, resubmit, request changes, approve, supersede, reaffirm, withdraw the sheet."""
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    services.revision_submit(revision=draft, by=author, committee=committee, justification="T.")
    services.revision_withdraw_submission(revision=draft, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="T.")
    services.review_sign(
        review=review, by=reviewer1, verdict="request_changes", comment="Simpler words.", password=PASSWORD
    )
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="T.")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    reaffirm = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=reaffirm, by=reviewer, verdict="approve", password=PASSWORD)
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Off the market.")
    live.refresh_from_db()
    draft.refresh_from_db()
    assert live.status == FactSheetRevision.Status.SUPERSEDED and draft.status == FactSheetRevision.Status.PUBLISHED
    assert FactSheet.objects.get(pk=live.fact_sheet_id).withdrawn_at is not None


# History ------------------------------------------------------------------------------------------


def test_history_rows_cannot_be_changed_or_deleted(live):
    for model in (FactSheetRevision, Section, Review, Committee, FactSheet):
        assert refused(lambda model=model: model.history.update(history_change_reason="Rewritten")), model
        assert refused(lambda model=model: model.history.all().delete()), model


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # committed rows: TRUNCATE refuses tables with pending FK checks anyway
def test_truncate_is_refused_on_postgresql(live):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute('TRUNCATE "reviews_decision" CASCADE')

    assert refused(truncate)


# Tamper evidence ----------------------------------------------------------------------------------


def run_verify():
    out = io.StringIO()
    try:
        call_command("verify_record", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@pytest.fixture
def three_sign_offs(live, author, reviewer1, reviewer2, committee, editor):
    reaffirm = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    services.review_sign(review=reaffirm, by=reviewer1, verdict="approve", password=PASSWORD)
    return list(Decision.objects.order_by("sequence"))


def test_sign_offs_form_a_chain(three_sign_offs):
    first, second, third = three_sign_offs
    assert [d.sequence for d in three_sign_offs] == [1, 2, 3]
    assert (
        first.previous_hash == ""
        and second.previous_hash == first.chain_hash
        and third.previous_hash == second.chain_hash
    )
    assert all(d.compute_chain_hash() == d.chain_hash for d in three_sign_offs)
    assert run_verify()[0]


def test_verify_record_finds_a_sign_off_removed_with_the_triggers_disabled(three_sign_offs):
    removed = three_sign_offs[1]
    with guards_lifted():
        Decision.objects.filter(pk=removed.pk)._raw_delete(Decision.objects.db)
    ok, out = run_verify()
    assert not ok
    assert "[chain]: 1 sign-off(s) missing before sign-off No. 3" in out
    assert "does not link to the sign-off before it" in out


def test_verify_record_finds_an_edited_sign_off(three_sign_offs):
    with guards_lifted():
        Decision.objects.filter(pk=three_sign_offs[2].pk).update(comment="Added later.")
    ok, out = run_verify()
    assert not ok and "No. 3 by" in out and "changed after signing" in out


def test_verify_record_finds_an_inserted_sign_off(three_sign_offs, reviewer3):
    forged = Decision(
        review=three_sign_offs[2].review,
        reviewer=reviewer3,
        verdict="approve",
        signed_at=three_sign_offs[2].signed_at,
        content_hash=three_sign_offs[2].content_hash,
        printed_name="Rosa Third",
        meaning="Reaffirmed as current for patients",
        sequence=4,
        previous_hash="f" * 64,
    )
    forged.chain_hash = forged.compute_chain_hash()
    forged.save()  # inserting is allowed; only the chain shows it does not belong
    ok, out = run_verify()
    assert not ok and "No. 4 by Rosa Third" in out and "does not link" in out


class RecordingEditor:
    """Stands in for a migration's schema editor: records the statements instead of running them."""

    def __init__(self):
        self.connection, self.statements = connection, []

    def execute(self, sql, params=None):
        self.statements.append(sql)


def test_drop_record_guard_is_the_reverse_of_record_guard():
    install, drop = db_guards.append_only(connection.vendor, "reviews_decision")
    dropping, installing = RecordingEditor(), RecordingEditor()
    db_guards.DropRecordGuard("append_only", "reviews_decision").database_forwards("reviews", dropping, None, None)
    db_guards.DropRecordGuard("append_only", "reviews_decision").database_backwards("reviews", installing, None, None)
    assert dropping.statements == drop
    assert installing.statements[-len(install) :] == install
