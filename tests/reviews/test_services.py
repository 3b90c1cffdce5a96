"""Exhaustive tests of reviews.services: every transition and every refusal (with nothing recorded)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from factsheets.models import FactSheet, FactSheetRevision, RevisionLocked, Section
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews import errors
from reviews import signing
from reviews.models import Committee, Decision, Review
from tests.factories import PASSWORD, CommitteeFactory, make_draft, make_published, make_user
from tests.record_guards import guards_lifted

Status = FactSheetRevision.Status
UTC = dt.timezone.utc
APPROVE = Decision.Verdict.APPROVE
CHANGES = Decision.Verdict.REQUEST_CHANGES


def snapshot():
    """Everything a transition could record; compared before and after a refusal."""
    return {
        "decisions": Decision.objects.count(),
        "reviews": list(Review.objects.order_by("pk").values_list("pk", "status", "closed_at")),
        "review_history": Review.history.count(),
        "revisions": list(
            FactSheetRevision.objects.order_by("pk").values_list(
                "pk",
                "status",
                "content_hash",
                "submitted_at",
                "approved_at",
                "published_at",
                "last_reviewed_on",
                "next_review_due",
            )
        ),
        "revision_history": FactSheetRevision.history.count(),
        "sheets": list(FactSheet.objects.order_by("pk").values_list("pk", "live_revision_id", "withdrawn_at")),
        "sheet_history": FactSheet.history.count(),
    }


def sign(review, by, verdict=APPROVE, password=PASSWORD, comment="", **kwargs):
    return services.review_sign(review=review, by=by, verdict=verdict, password=password, comment=comment, **kwargs)


@pytest.fixture
def draft(author):
    return make_draft(author=author)


@pytest.fixture
def review(draft, author, committee):
    return services.revision_submit(revision=draft, by=author, committee=committee)


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


# Submission ---------------------------------------------------------------------------------------


def test_submit_freezes_content_and_opens_a_review(draft, author, committee):
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert draft.submitted_at is not None
    assert draft.content_hash == draft.compute_content_hash() and len(draft.content_hash) == 64
    assert review.status == Review.Status.OPEN
    assert review.committee == committee and review.submitted_by == author
    assert review.content_hash == draft.content_hash
    assert draft.history.first().history_user == author


def test_submit_without_committee_uses_the_only_one(draft, author, committee):
    review = services.revision_submit(revision=draft, by=author)
    assert review.committee == committee


def test_submit_without_committee_refused_when_there_are_several(draft, author, committee):
    CommitteeFactory(name="Second committee").members.add(*committee.members.all())
    before = snapshot()
    with pytest.raises(services.InvalidInput, match="Choose the committee"):
        services.revision_submit(revision=draft, by=author)
    assert snapshot() == before


def test_submit_refused_for_a_reviewer(draft, reviewer1, committee):
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied):
        services.revision_submit(revision=draft, by=reviewer1, committee=committee)
    assert snapshot() == before


def test_submit_twice_is_refused(review, draft, author, committee):
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="only a draft"):
        services.revision_submit(revision=draft, by=author, committee=committee)
    assert snapshot() == before


def test_submit_refused_when_committee_has_no_members(draft, author):
    empty = CommitteeFactory(name="Empty committee")
    before = snapshot()
    with pytest.raises(services.InvalidInput, match="no members"):
        services.revision_submit(revision=draft, by=author, committee=empty)
    assert snapshot() == before


def test_submit_refused_without_sections(author, committee):
    revision = make_draft(author=author, sections=0)
    before = snapshot()
    with pytest.raises(services.InvalidInput, match="at least one section"):
        services.revision_submit(revision=revision, by=author, committee=committee)
    assert snapshot() == before


def test_revision_cannot_be_edited_after_submission(review, draft):
    draft.refresh_from_db()
    draft.summary = "Sneaked in after submission."
    with pytest.raises(RevisionLocked):
        draft.save()
    section = draft.sections.first()
    section.body = "Changed after submission."
    with pytest.raises(RevisionLocked):
        section.save()
    with pytest.raises(RevisionLocked):
        section.delete()
    draft.refresh_from_db()
    assert draft.compute_content_hash() == review.content_hash


def test_submission_emails_the_committee_members(draft, author, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = services.revision_submit(revision=draft, by=author, committee=committee)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(u.email for u in committee.members.all())
    assert f"/admin/workflow/reviews/{review.pk}/" in mail.outbox[0].body
    assert draft.title in mail.outbox[0].subject


# Withdrawing a submission -------------------------------------------------------------------------


def test_withdraw_submission_before_any_decision_returns_to_draft(review, draft, author):
    services.revision_withdraw_submission(revision=draft, by=author)
    refresh(review, draft)
    assert draft.status == Status.DRAFT and draft.content_hash == "" and draft.submitted_at is None
    assert review.status == Review.Status.WITHDRAWN and review.closed_at is not None
    draft.title = "Editable again"
    draft.save()


def test_withdraw_submission_refused_after_a_decision(review, draft, author, reviewer1):
    sign(review, reviewer1)
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already signed"):
        services.revision_withdraw_submission(revision=draft, by=author)
    assert snapshot() == before


def test_withdraw_submission_refused_for_someone_else(review, draft, reviewer1):
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied):
        services.revision_withdraw_submission(revision=draft, by=reviewer1)
    assert snapshot() == before


def test_withdraw_submission_refused_for_a_draft(draft, author):
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="nothing to withdraw"):
        services.revision_withdraw_submission(revision=draft, by=author)
    assert snapshot() == before


def test_withdrawn_review_cannot_be_signed(review, draft, author, reviewer1):
    """Approving a draft: once the submission is withdrawn, its review is closed."""
    services.revision_withdraw_submission(revision=draft, by=author)
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already closed"):
        sign(review, reviewer1)
    assert snapshot() == before


# Signing: refusals --------------------------------------------------------------------------------


def test_wrong_password_records_nothing(review, reviewer1):
    before = snapshot()
    with pytest.raises(errors.WrongPassword, match="password is not correct"):
        sign(review, reviewer1, password="not-my-password")
    with pytest.raises(errors.WrongPassword):
        sign(review, reviewer1, password="")
    assert snapshot() == before


def test_non_member_cannot_sign(review, editor):
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied, match="Only members"):
        sign(review, editor)
    assert snapshot() == before


def test_inactive_member_cannot_sign(review, reviewer1):
    reviewer1.is_active = False
    reviewer1.save()
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied):
        sign(review, reviewer1)
    assert snapshot() == before


def test_author_who_is_a_member_cannot_sign_own_revision(review, author, committee):
    committee.members.add(author)
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied, match="wrote or submitted"):
        sign(review, author)
    assert snapshot() == before


def test_co_author_who_edited_a_section_cannot_sign(author, reviewer1, committee):
    draft = make_draft(author=author)
    section = draft.sections.first()
    section.body = "Reviewer1 helped write this paragraph."
    section._history_user = reviewer1
    section.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied, match="wrote or submitted"):
        sign(review, reviewer1)
    assert snapshot() == before


def test_submitter_cannot_sign(author, committee):
    submitter = make_user("submitter", "Authors", "Reviewers")
    committee.members.add(submitter)
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=submitter, committee=committee)
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied, match="wrote or submitted"):
        sign(review, submitter)
    assert snapshot() == before


def test_reviewer_cannot_sign_twice(review, reviewer1, committee):
    committee.required_approvals = 3
    committee.save()
    sign(review, reviewer1)
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already signed"):
        sign(review, reviewer1, verdict=CHANGES, comment="Second thoughts")
    assert snapshot() == before


def test_request_changes_needs_a_comment(review, reviewer1):
    before = snapshot()
    with pytest.raises(services.InvalidInput, match="comment is required"):
        sign(review, reviewer1, verdict=CHANGES, comment="   ")
    assert snapshot() == before


def test_unknown_verdict_is_refused(review, reviewer1):
    before = snapshot()
    with pytest.raises(services.InvalidInput):
        sign(review, reviewer1, verdict="publish-now")
    assert snapshot() == before


def test_content_changed_behind_the_model_cannot_be_signed(review, draft, reviewer1):
    with guards_lifted():  # the database refuses this; the service must not trust that alone
        Section.objects.filter(revision=draft).update(body="Tampered with by a raw update.")
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="content changed"):
        sign(review, reviewer1)
    assert snapshot() == before


def test_sign_refusal_explains_why_for_screens(review, author, editor, reviewer1, committee):
    committee.members.add(author)
    assert signing.review_sign_refusal(review=review, by=reviewer1) is None
    assert isinstance(signing.review_sign_refusal(review=review, by=editor), services.WorkflowPermissionDenied)
    assert "wrote or submitted" in signing.review_sign_refusal(review=review, by=author).message


# Signing: approvals and quorum --------------------------------------------------------------------


def test_decision_records_the_signature(review, reviewer1):
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 30, tzinfo=UTC), tick=False):
        decision = sign(review, reviewer1, comment="Clear and correct.", conflict_of_interest="  Spoke at a meeting. ")
    assert decision.printed_name == "Rita First"
    assert decision.meaning == "Approved for publication to patients"
    assert decision.signed_at == dt.datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    assert decision.content_hash == review.content_hash
    assert decision.conflict_of_interest == "Spoke at a meeting."
    assert decision.comment == "Clear and correct."


@pytest.mark.parametrize("quorum", [2, 3])  # never below the site minimum of 2
def test_quorum_of_distinct_approvals_publishes(quorum, author, reviewer1, reviewer2, reviewer3, committee):
    committee.required_approvals = quorum
    committee.save()
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    reviewers = [reviewer1, reviewer2, reviewer3]
    for reviewer in reviewers[: quorum - 1]:
        sign(review, reviewer)
        refresh(review, draft)
        assert review.status == Review.Status.OPEN and draft.status == Status.IN_REVIEW
    sign(review, reviewers[quorum - 1])
    refresh(review, draft)
    assert review.status == Review.Status.APPROVED and review.closed_at is not None
    assert draft.status == Status.PUBLISHED
    assert draft.fact_sheet.live_revision == draft
    assert Decision.objects.filter(review=review).count() == quorum


def test_approved_revision_cannot_be_signed_again(review, reviewer1, reviewer2, reviewer3):
    sign(review, reviewer1)
    sign(review, reviewer2)
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already closed"):
        sign(review, reviewer3)
    assert snapshot() == before


# Request changes and resubmission -----------------------------------------------------------------


def test_request_changes_closes_review_and_makes_revision_editable(review, draft, reviewer1, reviewer2):
    sign(review, reviewer1)
    decision = sign(review, reviewer2, verdict=CHANGES, comment="Explain the infection risk more plainly.")
    refresh(review, draft)
    assert decision.meaning == "Changes requested"
    assert review.status == Review.Status.CHANGES_REQUESTED and review.closed_at is not None
    assert draft.status == Status.CHANGES_REQUESTED and draft.is_editable


def test_resubmission_opens_a_new_review_and_keeps_earlier_decisions(
    review, draft, author, reviewer1, reviewer2, committee
):
    sign(review, reviewer1, verdict=CHANGES, comment="Add the storage section.")
    draft.refresh_from_db()
    draft.summary = "A clearer summary after the committee's comments."
    draft._history_user = author
    draft.save()
    second = services.revision_submit(revision=draft, by=author, committee=committee)
    assert second.pk != review.pk
    assert second.content_hash != review.content_hash
    assert list(review.decisions.values_list("comment", flat=True)) == ["Add the storage section."]
    # The reviewer who asked for changes signs the new review.
    sign(second, reviewer1)
    sign(second, reviewer2)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert Decision.objects.filter(review__revision=draft).count() == 3
    assert draft.number == 1


def test_changes_requested_revision_is_never_published_by_the_scheduler(author, reviewer1, committee):
    draft = make_draft(author=author, publish_at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    sign(review, reviewer1, verdict=CHANGES, comment="Not yet.")
    before = snapshot()
    with time_machine.travel(dt.datetime(2099, 1, 2, tzinfo=UTC), tick=False):
        assert services.publish_due() == []
    assert snapshot() == before
    draft.refresh_from_db()
    assert draft.status == Status.CHANGES_REQUESTED and draft.publish_at is not None


# Publishing and dates -----------------------------------------------------------------------------


def test_publishing_sets_dates_per_rule_5(author, reviewer1, reviewer2, committee):
    committee.review_interval_months = 24
    committee.save()
    with time_machine.travel(dt.datetime(2026, 1, 31, 9, 0, tzinfo=UTC), tick=False):
        revision = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    assert revision.published_at == dt.datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert revision.updated_on == dt.date(2026, 1, 31)
    assert revision.last_reviewed_on == dt.date(2026, 1, 31)
    assert revision.next_review_due == dt.date(2028, 1, 31)
    assert revision.reviewed_by_name == committee.name


def test_add_months_clamps_to_month_end():
    assert services.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert services.add_months(dt.date(2026, 11, 15), 36) == dt.date(2029, 11, 15)


def test_publishing_a_new_version_supersedes_the_previous(author, reviewer1, reviewer2, committee):
    first = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=first.fact_sheet, by=author)
    draft.change_note = "Updated dosing."
    draft.save()
    second = make_published_from(draft, author, [reviewer1, reviewer2], committee)
    refresh(first)
    sheet = FactSheet.objects.get(pk=first.fact_sheet_id)
    assert sheet.live_revision == second and second.number == 2
    assert first.status == Status.SUPERSEDED
    assert sheet.revisions.filter(status=Status.PUBLISHED).count() == 1
    assert sheet.revisions.filter(status=Status.SUPERSEDED).count() == 1


def make_published_from(draft, author, reviewers, committee):
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    for reviewer in reviewers:
        sign(review, reviewer)
    draft.refresh_from_db()
    return draft


def test_the_scheduler_leaves_drafts_and_revisions_in_review_alone(draft, author, committee):
    with guards_lifted():  # a go-live time in the past, on a draft and then on a version in review
        FactSheetRevision.objects.filter(pk=draft.pk).update(publish_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
    before = snapshot()
    assert services.publish_due() == []
    assert snapshot() == before
    draft.refresh_from_db()
    services.revision_submit(revision=draft, by=author, committee=committee)
    before = snapshot()
    assert services.publish_due() == []
    assert snapshot() == before


def test_content_hash_mismatch_refuses_publishing(author, reviewer1, reviewer2, committee, editor):
    draft = make_draft(author=author, publish_at=dt.datetime(2099, 1, 1, tzinfo=UTC))
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    sign(review, reviewer1)
    sign(review, reviewer2)
    with guards_lifted():
        Section.objects.filter(revision=draft).update(body="Changed after the committee signed.")
    before = snapshot()
    with time_machine.travel(dt.datetime(2099, 1, 2, tzinfo=UTC), tick=False):
        assert services.publish_due() == []
    assert snapshot() == before
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED and draft.fact_sheet.live_revision_id is None


# Scheduled publishing -----------------------------------------------------------------------------


@pytest.fixture
def scheduled(author, reviewer1, reviewer2, committee):
    """Approved on 1 March 2026 at 12:00 UTC, to go live on 10 March 2026 at 06:00 UTC."""
    draft = make_draft(author=author, publish_at=dt.datetime(2026, 3, 10, 6, 0, tzinfo=UTC))
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        review = services.revision_submit(revision=draft, by=author, committee=committee)
        sign(review, reviewer1)
        sign(review, reviewer2)
    draft.refresh_from_db()
    return draft


def test_approval_with_future_publish_at_waits(scheduled):
    assert scheduled.status == Status.APPROVED
    assert scheduled.approved_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert scheduled.fact_sheet.live_revision_id is None


def test_publish_due_publishes_only_when_the_time_has_come(scheduled):
    with time_machine.travel(dt.datetime(2026, 3, 10, 5, 59, tzinfo=UTC), tick=False):
        assert services.publish_due() == []
    scheduled.refresh_from_db()
    assert scheduled.status == Status.APPROVED
    with time_machine.travel(dt.datetime(2026, 3, 10, 6, 0, 30, tzinfo=UTC), tick=False):
        assert [r.pk for r in services.publish_due()] == [scheduled.pk]
        assert services.publish_due() == []  # a second run finds nothing
    scheduled.refresh_from_db()
    assert scheduled.status == Status.PUBLISHED
    assert scheduled.fact_sheet.live_revision == scheduled
    assert scheduled.updated_on == dt.date(2026, 3, 10)
    assert scheduled.last_reviewed_on == dt.date(2026, 3, 1)
    assert scheduled.next_review_due == dt.date(2029, 3, 1)


def test_publish_due_command_reports_what_it_published(scheduled, capsys):
    with time_machine.travel(dt.datetime(2026, 3, 11, tzinfo=UTC), tick=False):
        call_command("publish_due")
        call_command("publish_due")
    out = capsys.readouterr().out
    assert out.count(f"Published {scheduled.title} (version 1)") == 1
    assert "1 revision(s) published." in out and "0 revision(s) published." in out


# Reaffirmation ------------------------------------------------------------------------------------


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    with time_machine.travel(dt.datetime(2023, 5, 2, 8, 0, tzinfo=UTC), tick=False):
        return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


def test_reaffirmation_moves_only_review_dates(live, editor, reviewer1, reviewer2, committee):
    before = FactSheetRevision.objects.filter(pk=live.pk).values().get()
    with time_machine.travel(dt.datetime(2026, 4, 20, 8, 0, tzinfo=UTC), tick=False):
        review = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
        sign(review, reviewer1)
        decision = sign(review, reviewer2)
    after = FactSheetRevision.objects.filter(pk=live.pk).values().get()
    assert decision.meaning == Decision.REAFFIRM_MEANING
    assert after["last_reviewed_on"] == dt.date(2026, 4, 20)
    assert after["next_review_due"] == dt.date(2029, 4, 20)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"last_reviewed_on", "next_review_due"}
    assert after["number"] == 1 and after["updated_on"] == dt.date(2023, 5, 2)
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert FactSheet.objects.get(pk=live.fact_sheet_id).live_revision_id == live.pk


def test_reaffirmation_changes_requested_leaves_the_live_version_alone(live, editor, reviewer1, committee):
    review = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    sign(review, reviewer1, verdict=CHANGES, comment="The dosing advice is out of date; start a new version.")
    live.refresh_from_db()
    review.refresh_from_db()
    assert review.status == Review.Status.CHANGES_REQUESTED
    assert live.status == Status.PUBLISHED and live.last_reviewed_on == dt.date(2023, 5, 2)


def test_reaffirmation_refusals(live, editor, author, committee, draft):
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied):
        services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=author, committee=committee)
    with pytest.raises(services.TransitionNotAllowed, match="Only a live"):
        services.review_start_reaffirmation(fact_sheet=draft.fact_sheet, by=editor, committee=committee)
    assert snapshot() == before
    services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already has an open review"):
        services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    assert snapshot() == before


# Withdrawing a sheet ------------------------------------------------------------------------------


def test_editor_withdraws_a_sheet_with_a_reason(live, editor):
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="No longer sold in this country.")
    sheet = FactSheet.objects.get(pk=live.fact_sheet_id)
    assert sheet.withdrawn_at is not None and sheet.withdrawal_reason == "No longer sold in this country."
    record = sheet.history.first()
    assert record.history_user == editor and "Withdrawn" in record.history_change_reason
    assert not FactSheet.objects.live().filter(pk=sheet.pk).exists()
    assert not FactSheetRevision.objects.published().filter(fact_sheet=sheet).exists()


def test_withdrawal_refusals(live, editor, author, draft):
    before = snapshot()
    with pytest.raises(services.WorkflowPermissionDenied):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=author, reason="Because.")
    with pytest.raises(services.InvalidInput, match="reason"):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="  ")
    with pytest.raises(services.TransitionNotAllowed, match="never published"):
        services.factsheet_withdraw(fact_sheet=draft.fact_sheet, by=editor, reason="Because.")
    assert snapshot() == before
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Because.")
    before = snapshot()
    with pytest.raises(services.TransitionNotAllowed, match="already withdrawn"):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Again.")
    assert snapshot() == before


# Emails -------------------------------------------------------------------------------------------


def test_authors_are_emailed_on_each_decision_and_on_publish(
    review, draft, author, reviewer1, reviewer2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign(review, reviewer1, comment="Looks right.")
    assert [m.to for m in mail.outbox] == [[author.email]]
    assert "Approved for publication to patients" in mail.outbox[0].subject
    assert "Looks right." in mail.outbox[0].body
    assert f"/admin/workflow/reviews/{review.pk}/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(review, reviewer2)
    subjects = [m.subject for m in mail.outbox]
    assert all(m.to == [author.email] for m in mail.outbox)
    assert any(s.startswith("Published:") for s in subjects) and len(subjects) == 2
    published = next(m for m in mail.outbox if m.subject.startswith("Published:"))
    assert f"/factsheets/{draft.fact_sheet.slug}/" in published.body
    assert "/admin/" in published.body


def test_request_changes_emails_the_author_with_the_comment(
    review, author, reviewer1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign(review, reviewer1, verdict=CHANGES, comment="Please say when to call a doctor.")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [author.email]
    assert "Changes requested" in mail.outbox[0].subject
    assert "Please say when to call a doctor." in mail.outbox[0].body


def test_refused_action_sends_no_email(review, reviewer1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(errors.WrongPassword):
            sign(review, reviewer1, password="wrong")
    assert mail.outbox == []


# History ------------------------------------------------------------------------------------------


def test_transitions_are_attributed_in_history(review, draft, reviewer1, reviewer2):
    sign(review, reviewer1)
    sign(review, reviewer2)
    reasons = list(
        FactSheetRevision.history.filter(id=draft.pk).values_list("history_change_reason", "history_user__username")
    )
    assert ("Published", "reviewer2") in reasons
    assert any(r and r.startswith("Submitted for review") and u == "author" for r, u in reasons)
    assert Review.history.filter(id=review.pk, history_user=reviewer2).exists()
    assert Committee.objects.count() == 1
