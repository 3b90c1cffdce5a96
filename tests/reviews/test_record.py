"""The record: published revisions, reviews and sign-offs can't be deleted; a dump restores it with identical
hashes; `verify_record` proves the published text is what was signed and catches tampering."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError

from factsheets.models import FactSheet, FactSheetRevision, RevisionLocked, Section
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import AccessEvent, Committee, Decision, Review
from tests.factories import ConditionFactory, FactSheetFactory, make_draft, make_published
from tests.record_guards import guards_lifted


@pytest.fixture
def record(author, reviewer1, reviewer2, committee, editor):
    """Two sheets: one with v1 superseded by v2 (and a reaffirmation), one imported, one withdrawn. The first
    sheet is used for two conditions, so its versions carry signed "Used for" links."""
    conditions = [ConditionFactory(slug="gout", name="Gout"), ConditionFactory(slug="lupus", name="Lupus")]
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, conditions=conditions)
    draft = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    section = draft.sections.first()
    section.body = "Updated advice in plain words."
    section._history_user = author
    section.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    reaffirm = services.review_start_reaffirmation(fact_sheet=v1.fact_sheet, by=editor, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=reaffirm, by=reviewer, verdict="approve", password="correct-horse-battery-staple")
    imported = make_draft(author=author, fact_sheet=FactSheetFactory(slug="imported-sheet"))

    services.revision_import_published(
        revision=imported, committee=committee, updated_on=dt.date(2024, 3, 1), source="old-site/imported.html"
    )
    withdrawn = make_published(
        author=author, reviewers=[reviewer1, reviewer2], committee=committee, fact_sheet=FactSheetFactory(slug="gone")
    )
    services.factsheet_withdraw(fact_sheet=withdrawn.fact_sheet, by=editor, reason="Taken off the market.")
    draft.refresh_from_db()
    return {"v1": v1, "v2": draft, "imported": imported, "withdrawn": withdrawn}


def run_verify():
    out = io.StringIO()
    try:
        call_command("verify_record", stdout=out, verbosity=2)
    except CommandError as error:
        return False, out.getvalue(), str(error)
    return True, out.getvalue(), ""


# verify_record ------------------------------------------------------------------------------------


def test_verify_record_passes_on_an_untouched_record(record):
    ok, out, _ = run_verify()
    assert ok, out
    assert "Checked 4 submitted revision(s): 0 problem(s), 1 imported without sign-offs." in out
    assert "Checked the chain of 8 sign-off(s)" in out
    assert "NOTE imported-sheet version 1: imported from old-site/imported.html, approved outside this system" in out
    assert "MISMATCH" not in out


def test_verify_record_catches_a_section_changed_behind_the_committees_back(record):
    v2 = record["v2"]
    with guards_lifted():  # as someone who can disable the database's triggers
        Section.objects.filter(revision=v2).update(body="Double the dose.")
    ok, out, error = run_verify()
    assert not ok
    slug = v2.fact_sheet.slug
    assert f"MISMATCH {slug} version 2 [content]: content changed after approval" in out
    assert f"MISMATCH {slug} version 2 [signature]: sign-off by" in out
    assert f"MISMATCH {slug} version 2 [section 1 body_markdown]:" in out
    assert f"MISMATCH {slug} version 1" not in out
    assert "problem(s)" in error


def test_verify_record_exits_non_zero_from_the_command_line(record):
    with guards_lifted():
        Section.objects.filter(revision=record["v1"]).update(heading="Tampered")
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_record"]).execute()
    assert exit_info.value.code == 1


def test_verify_record_catches_a_forged_sign_off_hash(record):
    decision = Decision.objects.filter(review__revision=record["v1"]).first()
    with guards_lifted():
        Decision.objects.filter(pk=decision.pk).update(content_hash="0" * 64)
    ok, out, _ = run_verify()
    assert not ok
    assert f"sign-off by {decision.printed_name}" in out


def test_verify_record_catches_a_title_change_in_a_withdrawn_sheet(record):
    with guards_lifted():
        FactSheetRevision.objects.filter(pk=record["withdrawn"].pk).update(title="Something else")
    ok, out, _ = run_verify()
    assert not ok
    assert "MISMATCH gone version 1 [content]: content changed after approval" in out
    assert "MISMATCH gone version 1 [title]: title differs from the signed rendition" in out


def test_verify_record_catches_a_publication_below_quorum(record):
    v1 = record["v1"]
    review = Review.objects.get(revision=v1, kind=Review.Kind.REVISION)
    with guards_lifted():
        Decision.objects.filter(pk=review.decisions.last().pk)._raw_delete(Decision.objects.db)
    ok, out, _ = run_verify()
    assert not ok
    assert "approved with 1 sign-off(s)" in out and "required 2" in out


def test_verify_record_catches_a_revision_published_without_review(record):
    with guards_lifted():
        Review.objects.filter(revision=record["v2"]).update(status=Review.Status.WITHDRAWN)
    ok, out, _ = run_verify()
    assert not ok
    assert "published without an approved review" in out


def test_raising_the_quorum_later_does_not_flag_old_publications(record):
    committee = Committee.objects.get()
    committee.required_approvals = 3
    committee.save()
    ok, out, _ = run_verify()
    assert ok, out


# Nothing on the record can be deleted -------------------------------------------------------------


def test_published_revision_cannot_be_deleted(record):
    with pytest.raises(RevisionLocked):
        record["v2"].delete()
    with pytest.raises(ProtectedError):
        FactSheetRevision.objects.filter(pk=record["v2"].pk).delete()
    assert FactSheetRevision.objects.filter(pk=record["v2"].pk).exists()


def test_superseded_revision_cannot_be_deleted(record):
    with pytest.raises(RevisionLocked):
        record["v1"].delete()
    with pytest.raises(ProtectedError):
        FactSheetRevision.objects.filter(pk=record["v1"].pk).delete()


def test_review_and_decision_cannot_be_deleted(record):
    review = Review.objects.filter(revision=record["v1"]).first()
    decision = review.decisions.first()
    with pytest.raises(ValidationError):
        review.delete()
    with pytest.raises(ValidationError):
        decision.delete()
    with pytest.raises(ProtectedError):
        Review.objects.filter(pk=review.pk).delete()
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_sheet_with_revisions_cannot_be_deleted(record):
    with pytest.raises(ProtectedError):
        FactSheet.objects.filter(pk=record["v1"].fact_sheet_id).delete()


def test_decision_cannot_be_edited(record):
    decision = Decision.objects.first()
    decision.comment = "Changed my mind"
    with pytest.raises(ValidationError):
        decision.save()


# Backup and restore -------------------------------------------------------------------------------

DUMP_ARGS = [
    "--natural-foreign",
    "--natural-primary",
    "-e",
    "contenttypes",
    "-e",
    "auth.permission",
    "-e",
    "sessions",
    "-e",
    "admin.logentry",
    "-e",
    "axes",
]


def snapshot():
    """Everything the record consists of, in comparable form."""
    revisions = {
        (r.fact_sheet.slug, r.number): (
            r.status,
            r.content_hash,
            r.compute_content_hash(),
            r.updated_on,
            r.reviewed_by_name,
        )
        for r in FactSheetRevision.objects.select_related("fact_sheet").prefetch_related("sections")
    }
    decisions = sorted(Decision.objects.values_list("printed_name", "verdict", "content_hash", "signed_at", "meaning"))
    history = {
        model.__name__: model.history.count() for model in (FactSheet, FactSheetRevision, Section, Committee, Review)
    }
    sections_html = sorted(Section.objects.values_list("revision__number", "heading", "body_html"))
    links = sorted(
        FactSheetRevision.conditions.through.objects.values_list(
            "factsheetrevision__fact_sheet__slug", "factsheetrevision__number", "condition__slug"
        )
    )
    return revisions, decisions, history, sections_html, links


def test_json_dump_keeps_hashes_but_rounds_signing_times_to_milliseconds(record, tmp_path):
    """Why the documented backup uses XML (or pg_dump): JSON is fine for content, not for exact times."""
    dump = tmp_path / "backup.json"
    call_command("dumpdata", "reviews.decision", "--output", str(dump), verbosity=0)
    rows = json.loads(dump.read_text())
    stored = {d.pk: d for d in Decision.objects.all()}
    assert {row["fields"]["content_hash"] for row in rows} == {d.content_hash for d in stored.values()}
    times = [row["fields"]["signed_at"] for row in rows]
    assert all("." not in t or len(t.split(".")[-1].rstrip("Z")) <= 3 for t in times)


@pytest.mark.django_db(transaction=True)  # flush truncates tables: PostgreSQL refuses that inside the test transaction
def test_dumpdata_flush_loaddata_restores_the_record(record, tmp_path):
    # XML, not JSON: Django's JSON encoder cuts timestamps to milliseconds, XML keeps the signing time exact.
    before = snapshot()
    dump = tmp_path / "backup.xml"
    call_command("dumpdata", *DUMP_ARGS, "--format", "xml", "--output", str(dump), verbosity=0)
    text = dump.read_text()
    for model in (
        "factsheets.historicalfactsheetrevision",
        "factsheets.historicalsection",
        "reviews.decision",
        "reviews.historicalreview",
        "reviews.historicalcommittee",
        "auth.user",
    ):
        assert f'model="{model}"' in text, model

    call_command("flush", "--noinput", verbosity=0)
    assert not FactSheetRevision.objects.exists() and not Decision.objects.exists()

    call_command("loaddata", str(dump), verbosity=0)
    after = snapshot()
    assert after == before
    assert len(after[4]) >= 4  # both versions of the first sheet are used for gout and lupus again
    for key, (status, stored, recomputed, *_rest) in after[0].items():
        if status in FactSheetRevision.PUBLIC_STATUSES:
            assert stored == recomputed, key
    ok, out, _ = run_verify()
    assert ok, out


# verify_record: the signers -----------------------------------------------------------------------


def test_verify_record_reports_a_signer_whose_password_someone_else_had_set(record, reviewer1):
    first = Decision.objects.filter(reviewer=reviewer1).order_by("sequence").first()
    AccessEvent.objects.create(
        user=reviewer1,
        actor=None,
        by_owner=False,
        kind=AccessEvent.Kind.PASSWORD_SET,
        via="a script",
        at=first.signed_at - dt.timedelta(microseconds=1),  # after the account was set up, just before signing
    )
    ok, out, _ = run_verify()
    assert not ok
    assert "the signer's password had been set by a command or script" in out and "Rita First" in out


def test_verify_record_reports_a_signer_who_was_not_a_member_at_submission(record, reviewer2):
    review = Decision.objects.filter(reviewer=reviewer2).first().review
    with guards_lifted():
        review.members.remove(reviewer2)
    ok, out, _ = run_verify()
    assert not ok and "was not a member of the Committee on Patient Education at submission" in out


def test_verify_record_reports_a_quorum_below_the_site_minimum(record, settings):
    settings.REVIEWS_MIN_APPROVALS = 3
    ok, out, _ = run_verify()
    assert not ok and "quorum 2 is below the site minimum of 3" in out
