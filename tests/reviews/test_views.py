"""Workflow screens: permissions (login, role, forged POST, CSRF) and smoke tests of each page."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from factsheets.models import FactSheet, FactSheetRevision
from reviews import services
from reviews.models import Decision, Review
from tests.factories import PASSWORD, CommitteeFactory, make_draft, make_published

Status = FactSheetRevision.Status


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(author):
    return make_draft(author=author)


@pytest.fixture
def review(draft, author, committee):
    return services.revision_submit(revision=draft, by=author, committee=committee)


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


def sign_data(**overrides):
    return {
        "verdict": "approve",
        "comment": "",
        "conflict": "none",
        "conflict_text": "",
        "password": PASSWORD,
        **overrides,
    }


def all_pages(draft, review, live):
    return [
        reverse("reviews:submit", args=[draft.pk]),
        reverse("reviews:review", args=[review.pk]),
        reverse("reviews:record", args=[review.pk]),
        reverse("reviews:sheet_versions", args=[live.fact_sheet_id]),
        reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id]),
        reverse("reviews:reaffirm", args=[live.fact_sheet_id]),
    ]


# Permissions --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_admin_login(client, author, reviewer1, reviewer2, committee):
    draft = make_draft(author=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    for url in all_pages(draft, review, live) + [reverse("reviews:withdraw_submission", args=[draft.pk])]:
        response = client.post(url) if "withdraw/" in url and "submit" in url else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_non_staff_user_is_sent_to_login(client, review, reviewer1):
    reviewer1.is_staff = False
    reviewer1.save()
    response = login(client, reviewer1).get(reverse("reviews:review", args=[review.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_non_member_forged_sign_post_is_403_and_records_nothing(client, review, editor):
    response = login(client, editor).post(reverse("reviews:review", args=[review.pk]), sign_data())
    assert response.status_code == 403
    assert Decision.objects.count() == 0
    review.refresh_from_db()
    assert review.status == Review.Status.OPEN


def test_author_forged_sign_post_is_403(client, review, author, committee):
    committee.members.add(author)
    response = login(client, author).post(reverse("reviews:review", args=[review.pk]), sign_data())
    assert response.status_code == 403
    assert Decision.objects.count() == 0


def test_sign_post_requires_csrf(review, reviewer1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer1)
    response = client.post(reverse("reviews:review", args=[review.pk]), sign_data())
    assert response.status_code == 403
    assert Decision.objects.count() == 0


def test_submit_post_requires_csrf(draft, author, committee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(reverse("reviews:submit", args=[draft.pk]), {"committee": committee.pk})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_reviewer_cannot_open_the_submit_page(client, draft, reviewer1):
    assert login(client, reviewer1).get(reverse("reviews:submit", args=[draft.pk])).status_code == 403


def test_author_cannot_withdraw_or_reaffirm_a_sheet(client, live, author, committee):
    client = login(client, author)
    response = client.post(reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id]), {"reason": "Nope"})
    assert response.status_code == 403
    response = client.post(reverse("reviews:reaffirm", args=[live.fact_sheet_id]), {"committee": committee.pk})
    assert response.status_code == 403
    sheet = FactSheet.objects.get(pk=live.fact_sheet_id)
    assert sheet.withdrawn_at is None and not Review.objects.filter(kind=Review.Kind.REAFFIRMATION).exists()


def test_withdraw_submission_is_post_only(client, review, draft, author):
    response = login(client, author).get(reverse("reviews:withdraw_submission", args=[draft.pk]))
    assert response.status_code == 405


# Submit -------------------------------------------------------------------------------------------


def test_submit_page_explains_and_submits(client, draft, author, committee, django_capture_on_commit_callbacks):
    client = login(client, author)
    page = client.get(reverse("reviews:submit", args=[draft.pk]))
    assert page.status_code == 200
    assert b"What happens when you submit" in page.content and committee.name.encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:submit", args=[draft.pk]), {"committee": committee.pk})
    review = Review.objects.get(revision=draft)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:review", args=[review.pk])
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert len(mail.outbox) == 3


def test_submit_page_offers_a_choice_of_committees(client, draft, author, committee):
    other = CommitteeFactory(name="Committee on Clinical Practice")
    page = login(client, author).get(reverse("reviews:submit", args=[draft.pk]))
    assert b'<select name="committee"' in page.content and other.name.encode() in page.content


def test_submitting_twice_shows_the_refusal(client, review, draft, author, committee):
    response = login(client, author).post(
        reverse("reviews:submit", args=[draft.pk]), {"committee": committee.pk}, follow=True
    )
    assert b"only a draft or a version with changes requested can be submitted" in response.content
    assert Review.objects.count() == 1


def test_withdraw_submission_from_the_review_page(client, review, draft, author):
    page = login(client, author).get(reverse("reviews:review", args=[review.pk]))
    assert b"Withdraw from review" in page.content
    response = client.post(reverse("reviews:withdraw_submission", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_co_author_is_offered_the_withdrawal_the_service_allows(client, author, reviewer1, committee):
    from tests.factories import make_user

    co_author, other = make_user("co-author", "Authors"), make_user("other-author", "Authors")
    draft = make_draft(author=author)
    section = draft.sections.first()
    section.body = "Clearer words from a second author."
    section._history_user = co_author
    section.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    url = reverse("reviews:review", args=[review.pk])
    for user in (other, reviewer1):
        assert b"Withdraw from review" not in login(Client(), user).get(url).content
    assert b"Withdraw from review" in login(client, co_author).get(url).content
    assert client.post(reverse("reviews:withdraw_submission", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# Review page and signing --------------------------------------------------------------------------


def test_review_page_shows_content_diff_and_form(client, live, author, reviewer1, committee):
    from factsheets.content.services import revision_start_draft

    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    section = draft.sections.first()
    section.body = "Brand new <script>alert(1)</script> wording about swelling."
    section._history_user = author
    section.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    page = login(client, reviewer1).get(reverse("reviews:review", args=[review.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Changes against the live version 1" in html
    assert "<ins>Brand new &lt;script&gt;alert(1)&lt;/script&gt; wording about swelling.</ins>" in html
    assert "<del>Paragraph 1 about this medicine" in html
    assert "<script>alert(1)" not in html
    assert "Approved for publication to patients" in html and "Changes requested" in html
    assert 'name="password"' in html and 'name="conflict"' in html
    assert draft.title in html


def test_review_page_tells_the_author_why_they_cannot_sign(client, review, author):
    page = login(client, author).get(reverse("reviews:review", args=[review.pk]))
    assert page.status_code == 200
    assert b'name="password"' not in page.content
    assert b"Only members of the" in page.content


def test_reviewer_approves_through_the_form(client, review, reviewer1):
    response = login(client, reviewer1).post(
        reverse("reviews:review", args=[review.pk]),
        sign_data(conflict="declare", conflict_text="Consultant for a maker."),
        follow=True,
    )
    assert response.status_code == 200
    decision = Decision.objects.get()
    assert decision.reviewer == reviewer1 and decision.conflict_of_interest == "Consultant for a maker."
    assert b"Signed: Approved for publication to patients" in response.content
    assert b"already signed" in response.content  # the form is gone, the reason is shown


def test_wrong_password_shows_an_error_and_records_nothing(client, review, reviewer1):
    response = login(client, reviewer1).post(reverse("reviews:review", args=[review.pk]), sign_data(password="nope"))
    assert response.status_code == 200
    assert b"The password is not correct. Nothing was signed." in response.content
    assert Decision.objects.count() == 0


def test_request_changes_without_comment_shows_an_error(client, review, reviewer1):
    response = login(client, reviewer1).post(
        reverse("reviews:review", args=[review.pk]), sign_data(verdict="request_changes")
    )
    assert response.status_code == 200
    assert b"a comment is required" in response.content
    assert Decision.objects.count() == 0


def test_declaring_a_conflict_needs_the_text(client, review, reviewer1):
    response = login(client, reviewer1).post(reverse("reviews:review", args=[review.pk]), sign_data(conflict="declare"))
    assert b"Write your declaration" in response.content
    assert Decision.objects.count() == 0


def test_record_page_lists_each_signature(client, live, reviewer1, editor):
    review = Review.objects.get(revision=live)
    page = login(client, editor).get(reverse("reviews:record", args=[review.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert review.content_hash in html
    assert "Rita First" in html and "Ravi Second" in html
    assert html.count("Approved for publication to patients") == 2
    assert "None declared" in html and " UTC" in html
    assert "@media print" not in html and "reviews/css/workflow.css" in html


def test_record_page_query_count_is_bounded(client, live, editor, django_assert_max_num_queries):
    review = Review.objects.get(revision=live)
    client = login(client, editor)
    with django_assert_max_num_queries(12):
        client.get(reverse("reviews:record", args=[review.pk]))


# Sheets -------------------------------------------------------------------------------------------


def test_sheet_versions_lists_versions_reviews_and_decisions(client, live, author, editor):
    from factsheets.content.services import revision_start_draft

    revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    page = login(client, editor).get(reverse("reviews:sheet_versions", args=[live.fact_sheet_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Published (live)" in html and "Draft" in html
    assert "Rita First: Approved for publication to patients" in html
    assert reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id]) in html


def test_sheet_versions_shows_a_review_date_only_for_the_live_version(
    client, author, reviewer1, reviewer2, committee, editor
):
    import time_machine

    from factsheets.content.services import revision_start_draft

    with time_machine.travel(dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        first = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=first.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == "superseded" and first.next_review_due != draft.next_review_due
    html = login(client, editor).get(reverse("reviews:sheet_versions", args=[first.fact_sheet_id])).content.decode()
    assert draft.next_review_due.strftime("%Y-%m-%d") in html
    assert first.next_review_due.strftime("%Y-%m-%d") not in html


def test_sheet_versions_query_count_is_bounded(client, live, editor, django_assert_max_num_queries):
    client = login(client, editor)
    with django_assert_max_num_queries(15):
        client.get(reverse("reviews:sheet_versions", args=[live.fact_sheet_id]))


def test_editor_withdraws_a_sheet(client, live, editor):
    client = login(client, editor)
    assert client.get(reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id])).status_code == 200
    response = client.post(
        reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id]), {"reason": "Taken off the market."}
    )
    assert response.status_code == 302
    assert FactSheet.objects.get(pk=live.fact_sheet_id).withdrawal_reason == "Taken off the market."


def test_withdraw_without_reason_shows_the_refusal(client, live, editor):
    response = login(client, editor).post(
        reverse("reviews:withdraw_sheet", args=[live.fact_sheet_id]), {"reason": ""}, follow=True
    )
    assert b"Give the reason" in response.content
    assert FactSheet.objects.get(pk=live.fact_sheet_id).withdrawn_at is None


def test_editor_starts_a_reaffirmation(client, live, editor, committee):
    client = login(client, editor)
    assert client.get(reverse("reviews:reaffirm", args=[live.fact_sheet_id])).status_code == 200
    response = client.post(reverse("reviews:reaffirm", args=[live.fact_sheet_id]), {"committee": committee.pk})
    review = Review.objects.get(kind=Review.Kind.REAFFIRMATION)
    assert response["Location"] == reverse("reviews:review", args=[review.pk])
    page = login(Client(), live.fact_sheet and committee.members.first()).get(response["Location"])
    assert b"Reaffirmed as current for patients" in page.content


# Admin --------------------------------------------------------------------------------------------


def test_admin_index_dashboard(client, review, live, author, reviewer1, reviewer3):
    FactSheetRevision.objects.filter(pk=live.pk).update(next_review_due=dt.date(2000, 1, 1))
    page = login(client, reviewer3).get(reverse("admin:index"))
    html = page.content.decode()
    assert page.status_code == 200
    for heading in ("Awaiting my review", "Overdue for review", "Recently published"):
        assert heading in html
    assert "My drafts and their status" not in html  # task-first: a reviewer has no drafts list
    assert reverse("reviews:review", args=[review.pk]) in html
    assert "was due 2000-01-01" in html
    assert 'id="content-main"' in html and "app-reviews" in html  # the app list is still there
    author_page = login(Client(), author).get(reverse("admin:index")).content.decode()
    assert "My drafts and their status" in author_page and "In review" in author_page


def test_admin_index_query_count_is_bounded(client, review, live, reviewer3, django_assert_max_num_queries):
    client = login(client, reviewer3)
    with django_assert_max_num_queries(15):
        client.get(reverse("admin:index"))


def test_reviews_and_decisions_cannot_be_changed_or_deleted_in_the_admin(admin_client, live):
    review = Review.objects.get(revision=live)
    decision = review.decisions.first()
    assert admin_client.get(reverse("admin:reviews_review_add")).status_code == 403
    assert admin_client.get(reverse("admin:reviews_decision_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:reviews_review_delete", args=[review.pk]), {"post": "yes"}).status_code == 403
    )
    assert (
        admin_client.post(reverse("admin:reviews_decision_delete", args=[decision.pk]), {"post": "yes"}).status_code
        == 403
    )
    page = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert page.status_code == 200
    assert reverse("reviews:record", args=[review.pk]).encode() in page.content
    assert b"Approved for publication to patients" in page.content
    assert Decision.objects.filter(pk=decision.pk).exists()
    changelist = admin_client.get(reverse("admin:reviews_decision_changelist"))
    assert changelist.status_code == 200 and b"delete_selected" not in changelist.content


def test_committee_admin_pages(admin_client, committee):
    assert admin_client.get(reverse("admin:reviews_committee_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:reviews_committee_change", args=[committee.pk]))
    assert page.status_code == 200 and b"selectfilter" in page.content
    assert admin_client.get(reverse("admin:reviews_committee_history", args=[committee.pk])).status_code == 200


def test_word_diff_marks_added_and_removed_words():
    from factsheets.content.diff import word_diff

    assert word_diff("Take it once a week.", "Take it twice a week.") == [
        ("equal", "Take it "),
        ("delete", "once"),
        ("insert", "twice"),
        ("equal", " a week."),
    ]
    assert word_diff("same", "same") == [("equal", "same")]
