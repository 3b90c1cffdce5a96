"""Every workflow screen answers every state of a revision, its review and its sheet with a page that
says what happened: never a server error. The sheet withdrawn while a version is in review is the case
that used to crash after a valid final sign-off."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from factsheets.models import FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import Decision, Review
from tests.factories import PASSWORD, make_draft, make_published

Status = FactSheetRevision.Status


def sign_data(**overrides):
    return {
        "verdict": "approve",
        "comment": "",
        "conflict": "none",
        "conflict_text": "",
        "password": PASSWORD,
        **overrides,
    }


@pytest.fixture
def withdrawn_during_review(author, editor, reviewer1, reviewer2, committee):
    """A live sheet whose version 2 is in review when an editor withdraws the sheet."""
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    v2 = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    review = services.revision_submit(revision=v2, by=author, committee=committee, justification="Test content.")
    services.factsheet_withdraw(fact_sheet=v1.fact_sheet, by=editor, reason="A safety notice is being checked.")
    return review


def test_final_approval_on_a_sheet_withdrawn_during_review_explains_the_outcome(
    client, withdrawn_during_review, reviewer1, reviewer2
):
    review = withdrawn_during_review
    url = reverse("reviews:review", args=[review.pk])
    client.force_login(reviewer1)
    first = client.post(url, sign_data(), follow=True)
    assert first.status_code == 200
    assert "will not go live while it stays withdrawn" in first.content.decode()

    client.force_login(reviewer2)
    final = client.post(url, sign_data(), follow=True)
    assert final.status_code == 200
    text = final.content.decode()
    assert "Your approval was recorded" in text and "it stays withdrawn" in text
    assert "withdrawn by an editor" in text

    review.refresh_from_db()
    revision = FactSheetRevision.objects.select_related("fact_sheet").get(pk=review.revision_id)
    assert review.status == Review.Status.APPROVED
    assert Decision.objects.filter(review=review, verdict="approve").count() == 2
    assert revision.status == Status.APPROVED and revision.published_at is None
    assert revision.fact_sheet.withdrawn_at is not None
    assert revision.fact_sheet.live_revision.number == 1  # the withdrawn version 1, still not shown to anyone


def test_public_page_of_a_sheet_approved_while_withdrawn_stays_gone(
    client, withdrawn_during_review, reviewer1, reviewer2
):
    review = withdrawn_during_review
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    slug = review.revision.fact_sheet.slug
    client.logout()
    assert client.get(reverse("factsheets:detail", args=[slug])).status_code == 410


def _states(author, editor, reviewer1, reviewer2, committee):
    """One revision (with its latest review, if any) in each state a screen can meet."""
    states = {}
    states["draft"] = (make_draft(author=author), None)
    draft = make_draft(author=author)
    states["in_review"] = (
        draft,
        services.revision_submit(revision=draft, by=author, committee=committee, justification="x"),
    )
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    states["in_review_one_approval"] = (draft, review)
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    services.review_sign(review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Shorter.")
    states["changes_requested"] = (draft, review)
    draft = make_draft(author=author, publish_at=timezone.now() + dt.timedelta(days=3))
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="x")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    states["approved_scheduled"] = (draft, review)
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    v2 = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    review = services.revision_submit(revision=v2, by=author, committee=committee, justification="x")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    v1.refresh_from_db()
    states["published"] = (v2, review)
    states["superseded"] = (v1, v1.reviews.order_by("-submitted_at").first())
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    states["reaffirmation_open"] = (
        live,
        services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee),
    )
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    v2 = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    review = services.revision_submit(revision=v2, by=author, committee=committee, justification="x")
    services.factsheet_withdraw(fact_sheet=v1.fact_sheet, by=editor, reason="Checked again.")
    states["in_review_sheet_withdrawn"] = (v2, review)
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    v2 = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    review = services.revision_submit(revision=v2, by=author, committee=committee, justification="x")
    services.factsheet_withdraw(fact_sheet=v1.fact_sheet, by=editor, reason="Checked again.")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    states["approved_sheet_withdrawn"] = (v2, review)
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    services.factsheet_withdraw(fact_sheet=v1.fact_sheet, by=editor, reason="Checked again.")
    states["draft_sheet_withdrawn"] = (draft, None)
    return states


def _pages(revision, review):
    sheet_id = revision.fact_sheet_id
    pages = [
        reverse("reviews:submit", args=[revision.pk]),
        reverse("reviews:sheet_versions", args=[sheet_id]),
        reverse("reviews:withdraw_sheet", args=[sheet_id]),
        reverse("reviews:reaffirm", args=[sheet_id]),
        reverse("factsheets:preview", args=[revision.pk]),
    ]
    if review is not None:
        pages += [reverse("reviews:review", args=[review.pk]), reverse("reviews:record", args=[review.pk])]
    return pages


def test_every_screen_answers_every_state_for_every_role(
    client, author, editor, reviewer1, reviewer2, reviewer3, committee
):
    states = _states(author, editor, reviewer1, reviewer2, committee)
    for user in (author, editor, reviewer3):
        client.force_login(user)
        for name, (revision, review) in states.items():
            for url in _pages(revision, review):
                response = client.get(url)
                assert response.status_code in (200, 403), (user.username, name, url, response.status_code)


def test_every_action_in_every_state_answers_with_a_message_or_403(
    client, author, editor, reviewer1, reviewer2, reviewer3, committee
):
    """Actions posted in a state that does not allow them: a message and a redirect (or 403), nothing changed."""
    states = _states(author, editor, reviewer1, reviewer2, committee)
    for name, (revision, review) in states.items():
        actions = [
            (author, reverse("reviews:submit", args=[revision.pk]), {"committee": committee.pk}),
            (author, reverse("reviews:withdraw_submission", args=[revision.pk]), {}),
            (editor, reverse("reviews:withdraw_sheet", args=[revision.fact_sheet_id]), {"reason": "Again."}),
            (editor, reverse("reviews:reaffirm", args=[revision.fact_sheet_id]), {"committee": committee.pk}),
        ]
        if review is not None:
            actions.append((reviewer3, reverse("reviews:review", args=[review.pk]), sign_data()))
        for user, url, data in actions:
            client.force_login(user)
            response = client.post(url, data, follow=True)
            assert response.status_code in (200, 403), (name, url, response.status_code)
            if response.status_code == 200:
                assert (
                    list(response.context["messages"])
                    or "errornote" in response.content.decode()
                    or (response.redirect_chain)
                ), (name, url)
