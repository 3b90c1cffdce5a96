"""End to end in Chromium: submit, changes requested, revise, resubmit, two approvals, live page, emails."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from factsheets.models import FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews.models import Review
from tests.factories import PASSWORD, make_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    return page


def sign(page, live_server, review_pk, verdict, comment=""):
    page.goto(live_server.url + reverse("reviews:review", args=[review_pk]))
    page.check(f"input[name=verdict][value={verdict}]")
    if comment:
        page.fill("textarea[name=comment]", comment)
    page.check("input[name=conflict][value=none]")
    page.fill("input[name=password]", PASSWORD)
    page.click(".sign-form input[type=submit]")
    page.wait_for_load_state()
    return page


def revise(revision, author, summary):
    """The authoring admin belongs to another part of the project; the author's edit is made through the ORM."""
    revision.refresh_from_db()
    revision.summary = summary
    revision._history_user = author
    revision.save()
    section = revision.sections.first()
    section.body = "Stop the medicine and call your doctor if you have a fever."
    section._history_user = author
    section.save()


def test_submit_request_changes_resubmit_approve_publish(browser, live_server, author, reviewer1, reviewer2, committee):
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)
    mail.outbox.clear()

    author_page = login(browser, live_server, author)
    author_page.goto(live_server.url + reverse("reviews:submit", args=[draft.pk]))
    assert "What happens when you submit" in author_page.content()
    author_page.click("input[value='Submit for review']")
    author_page.wait_for_url(re.compile(r".*/admin/workflow/reviews/\d+/$"))
    assert "was sent to the" in author_page.content()
    first_review = Review.objects.get(revision=draft)

    reviewer1_page = login(browser, live_server, reviewer1)
    assert "Awaiting my review" in reviewer1_page.content() and draft.title in reviewer1_page.content()
    sign(reviewer1_page, live_server, first_review.pk, "request_changes", "Please explain when to stop the medicine.")
    assert "Signed: Changes requested" in reviewer1_page.content()
    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.CHANGES_REQUESTED

    revise(draft, author, "A clearer summary, including when to stop the medicine.")
    author_page.goto(live_server.url + reverse("reviews:submit", args=[draft.pk]))
    author_page.click("input[value='Submit for review']")
    author_page.wait_for_url(re.compile(r".*/admin/workflow/reviews/\d+/$"))
    second_review = Review.objects.get(revision=draft, status=Review.Status.OPEN)
    assert second_review.pk != first_review.pk
    # The earlier request for changes stays on record on the new review page.
    assert "Please explain when to stop the medicine." in author_page.content()

    sign(reviewer1_page, live_server, second_review.pk, "approve")
    assert "The review stays open" in reviewer1_page.content()
    reviewer2_page = login(browser, live_server, reviewer2)
    sign(reviewer2_page, live_server, second_review.pk, "approve")
    assert "the new version is live" in reviewer2_page.content()

    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/factsheets/{v1.fact_sheet.slug}/")
    credit = public.locator(".credit").inner_text()
    month = timezone.now().strftime("%B %Y")
    assert f"Updated {month} by" in credit
    assert f"reviewed by the {committee.name}" in credit
    assert "Stop the medicine and call your doctor if you have a fever." in public.content()
    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.PUBLISHED and draft.number == 2

    to_author = [m for m in mail.outbox if m.to == [author.email]]
    subjects = [m.subject for m in to_author]
    assert any(s.startswith("Changes requested:") for s in subjects)
    assert sum(s.startswith("Approved for publication to patients:") for s in subjects) == 2
    assert any(s.startswith("Published:") and "(version 2)" in s for s in subjects)
    to_reviewers = {m.to[0] for m in mail.outbox if m.subject.startswith("Please review")}
    assert {reviewer1.email, reviewer2.email} <= to_reviewers


def test_final_approval_after_the_sheet_was_withdrawn_during_review(
    browser, live_server, author, editor, reviewer1, reviewer2, committee
):
    v1 = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=v1.fact_sheet, by=author)

    author_page = login(browser, live_server, author)
    author_page.goto(live_server.url + reverse("reviews:submit", args=[draft.pk]))
    author_page.click("input[value='Submit for review']")
    author_page.wait_for_url(re.compile(r".*/admin/workflow/reviews/\d+/$"))
    review = Review.objects.get(revision=draft, status=Review.Status.OPEN)

    editor_page = login(browser, live_server, editor)
    editor_page.goto(live_server.url + reverse("reviews:withdraw_sheet", args=[v1.fact_sheet_id]))
    editor_page.fill("textarea[name=reason]", "A safety notice about this medicine is being checked.")
    editor_page.click("input[value='Withdraw this fact sheet']")
    editor_page.wait_for_load_state()
    assert "was withdrawn" in editor_page.content()

    reviewer1_page = login(browser, live_server, reviewer1)
    sign(reviewer1_page, live_server, review.pk, "approve")
    assert "will not go live while it stays withdrawn" in reviewer1_page.content()
    reviewer2_page = login(browser, live_server, reviewer2)
    sign(reviewer2_page, live_server, review.pk, "approve")
    message = reviewer2_page.locator(".messagelist").inner_text()
    assert "Your approval was recorded" in message and "stays withdrawn" in message
    assert "Server Error" not in reviewer2_page.content()
    assert reviewer2_page.locator(".withdrawn-notice").is_visible()

    draft.refresh_from_db()
    assert draft.status == FactSheetRevision.Status.APPROVED and draft.published_at is None
    public = browser.new_context().new_page()
    response = public.goto(f"{live_server.url}/factsheets/{v1.fact_sheet.slug}/")
    assert response.status == 410
