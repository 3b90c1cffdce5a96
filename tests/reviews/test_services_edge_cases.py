"""Edge cases of the workflow found in review: guessing the signing password, reaffirming a version that
is no longer live, and withdrawn sheets or committee-approved text meeting submissions and imports."""

import datetime as dt

import pytest

from factsheets.models import FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews import errors
from reviews import signing
from reviews.models import Decision, Review
from tests.factories import PASSWORD, make_draft, make_published

Status = FactSheetRevision.Status


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


@pytest.fixture
def open_review(author, committee):
    draft = make_draft(author=author)
    return services.revision_submit(revision=draft, by=author, committee=committee, justification="Test content.")


def test_signing_locks_after_five_wrong_passwords_even_for_the_right_one(open_review, reviewer1):
    for _ in range(signing.SIGN_PASSWORD_ATTEMPTS):
        with pytest.raises(errors.WrongPassword):
            services.review_sign(review=open_review, by=reviewer1, verdict="approve", password="guess")
    with pytest.raises(services.WorkflowPermissionDenied, match="Too many wrong passwords"):
        services.review_sign(review=open_review, by=reviewer1, verdict="approve", password=PASSWORD)
    assert not Decision.objects.exists()


def test_a_right_password_clears_earlier_wrong_ones(open_review, reviewer1):
    for _ in range(signing.SIGN_PASSWORD_ATTEMPTS - 1):
        with pytest.raises(errors.WrongPassword):
            services.review_sign(review=open_review, by=reviewer1, verdict="approve", password="guess")
    services.review_sign(review=open_review, by=reviewer1, verdict="approve", password=PASSWORD)
    assert Decision.objects.filter(reviewer=reviewer1).count() == 1


def test_reaffirmation_of_a_version_that_was_superseded_meanwhile_is_refused(
    live, author, editor, reviewer1, reviewer2, reviewer3, committee
):
    reaffirm = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    services.review_sign(review=reaffirm, by=reviewer1, verdict="approve", password=PASSWORD)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test content.")
    services.review_sign(review=review, by=reviewer2, verdict="approve", password=PASSWORD)
    services.review_sign(review=review, by=reviewer3, verdict="approve", password=PASSWORD)
    live.refresh_from_db()
    assert live.status == Status.SUPERSEDED
    dates = (live.last_reviewed_on, live.next_review_due)

    with pytest.raises(services.TransitionNotAllowed, match="no longer live"):
        services.review_sign(review=reaffirm, by=reviewer2, verdict="approve", password=PASSWORD)
    live.refresh_from_db()
    assert (live.last_reviewed_on, live.next_review_due) == dates
    assert reaffirm.decisions.count() == 1


def test_a_withdrawn_sheet_cannot_be_sent_for_review(live, author, editor, committee):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Safety notice under review.")
    with pytest.raises(services.TransitionNotAllowed, match="withdrawn"):
        services.revision_submit(revision=draft, by=author, committee=committee, justification="Test content.")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not Review.objects.filter(revision=draft).exists()


def test_approval_of_a_sheet_withdrawn_during_review_does_not_put_it_back_online(
    live, author, editor, reviewer1, reviewer2, committee
):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test content.")
    services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Safety notice under review.")
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    services.review_sign(review=review, by=reviewer2, verdict="approve", password=PASSWORD)
    draft.refresh_from_db()
    live.fact_sheet.refresh_from_db()
    assert draft.status == Status.APPROVED
    assert live.fact_sheet.live_revision_id == live.pk and live.fact_sheet.withdrawn_at is not None
    assert services.publish_due(now=draft.approved_at + dt.timedelta(days=1)) == []


def test_import_never_replaces_a_version_a_committee_approved_here(live, author, committee):
    imported = make_draft(author=author, fact_sheet=live.fact_sheet, number=2)
    with pytest.raises(services.TransitionNotAllowed, match="approved in this system"):
        services.revision_import_published(
            revision=imported, committee=committee, updated_on=dt.date(2015, 3, 1), source="old.txt"
        )
    live.refresh_from_db()
    imported.refresh_from_db()
    assert live.status == Status.PUBLISHED and imported.status == Status.DRAFT
