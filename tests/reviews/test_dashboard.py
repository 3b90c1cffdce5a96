"""The task-first dashboard: each person sees what waits on them, and a reviewer only what they may sign.

Each exclusion has its own test, built so that it fails if the dashboard offered the review anyway."""

import pytest
from django.test import Client
from django.urls import reverse

from reviews import access, dashboard, services
from reviews.models import Review
from tests.factories import PASSWORD, make_draft, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(author, committee):
    return services.revision_submit(revision=make_draft(author=author), by=author, committee=committee)


def awaiting(user):
    return [task.obj["review"] for task in dashboard.dashboard_for(user)["awaiting"]]


def test_member_sees_review_with_committee_submission_and_approvals(review, reviewer1, reviewer2):
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    (task,) = dashboard.dashboard_for(reviewer2)["awaiting"]
    assert task.obj["review"] == review
    assert task.obj["committee"] == review.committee.name
    assert task.obj["approvals"] == "1 of 2"
    assert task.obj["age"] == "today"
    assert task.action_url == reverse("reviews:review", args=[review.pk])


def test_reviewer_who_already_signed_does_not_see_it(review, reviewer1):
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    assert awaiting(reviewer1) == []


def test_member_who_submitted_it_does_not_see_it(committee, reviewer1):
    reviewer1.groups.add(*make_user("someone-author", "Authors").groups.all())
    own = services.revision_submit(revision=make_draft(author=reviewer1), by=reviewer1, committee=committee)
    assert own.status == Review.Status.OPEN
    assert awaiting(reviewer1) == []


def test_member_who_edited_the_version_does_not_see_it(author, committee, reviewer1):
    """Not the creator nor the submitter, but an author of it by its history: only the service rule knows."""
    draft = make_draft(author=author)
    section = draft.sections.first()
    section.body = "Edited by a reviewer who also writes."
    section._history_user = reviewer1
    section.save()
    services.revision_submit(revision=draft, by=author, committee=committee)
    assert awaiting(reviewer1) == []


def test_member_who_joined_after_submission_does_not_see_it(review, committee):
    newcomer = make_user("newcomer", "Reviewers")
    committee.members.add(newcomer)
    assert awaiting(newcomer) == []


def test_member_who_changed_the_committee_while_open_does_not_see_it(review, committee, reviewer3):
    with access.acting(actor=reviewer3, via="test: reviewer edits the committee"):
        committee.members.add(make_user("late-member", "Reviewers"))
    assert awaiting(reviewer3) == []


def test_member_whose_password_someone_else_set_does_not_see_it(review, reviewer2, editor):
    with access.acting(actor=editor, via="test: an administrator sets the password"):
        reviewer2.set_password("set-by-someone-else")
        reviewer2.save()
    assert awaiting(reviewer2) == []


def test_closed_review_is_not_listed(review, reviewer1, reviewer2, reviewer3):
    services.review_sign(
        review=review, by=reviewer1, verdict="request_changes", comment="Say it plainer.", password=PASSWORD
    )
    assert awaiting(reviewer2) == [] and awaiting(reviewer3) == []


def test_author_sees_returned_version_with_the_comment_and_an_edit_link(review, author, reviewer1):
    services.review_sign(
        review=review,
        by=reviewer1,
        verdict="request_changes",
        comment="Explain the dose in plain words.",
        password=PASSWORD,
    )
    (task,) = dashboard.dashboard_for(author)["my_drafts"]
    assert task.quote == "Explain the dose in plain words."
    assert task.action_label == "Edit draft"
    assert task.action_url == reverse("admin:factsheets_factsheetrevision_change", args=[review.revision_id])


def test_author_sees_only_own_versions(author, review):
    make_draft(author=make_user("other-author", "Authors"))
    tasks = dashboard.dashboard_for(author)["my_drafts"]
    assert [t.obj for t in tasks] == [review.revision]
    assert tasks[0].action_label == "See its review"


def test_reviewer_page_shows_a_review_and_sign_link(client, review, reviewer1):
    client.force_login(reviewer1)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("reviews:review", args=[review.pk]) in html and "Review and sign" in html
    assert "My drafts and their status" not in html


def test_author_page_quotes_the_comment(review, author, reviewer1):
    services.review_sign(
        review=review, by=reviewer1, verdict="request_changes", comment="Shorter sentences <please>.", password=PASSWORD
    )
    client = Client()
    client.force_login(author)
    html = client.get(reverse("admin:index")).content.decode()
    assert '<blockquote class="reviewer-comment">Shorter sentences &lt;please&gt;.</blockquote>' in html
    assert "Edit draft" in html


def test_dashboard_queries_are_bounded_with_more_reviews_than_fit(
    author, committee, reviewer1, django_assert_max_num_queries
):
    """The sign check runs per listed review (about six queries), so the cost follows LIMIT, not the backlog."""
    for _ in range(dashboard.LIMIT + 2):
        services.revision_submit(revision=make_draft(author=author), by=author, committee=committee)
    client = Client()
    client.force_login(reviewer1)
    with django_assert_max_num_queries(90):
        html = client.get(reverse("admin:index")).content.decode()
    assert html.count("Review and sign") == dashboard.LIMIT
