"""The review page reads in order (rendition, diff, then the sign form), puts errors at the top, and takes
comments on single fields that become part of the decision."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from reviews import services
from reviews.models import Decision, ReviewComment
from tests.factories import PASSWORD, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(author, reviewer1, reviewer2, committee):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    from factsheets.content.services import revision_start_draft

    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    draft.summary = "A plainer summary of the same made-up medicine."
    draft._history_user = author
    draft.save()
    return services.revision_submit(revision=draft, by=author, committee=committee, justification="Test text.")


def sign_data(**overrides):
    return {
        "verdict": "approve",
        "comment": "",
        "conflict": "none",
        "conflict_text": "",
        "password": PASSWORD,
        **overrides,
    }


def test_sign_form_comes_after_the_rendition_and_the_diff(client, review, reviewer3):
    client.force_login(reviewer3)
    html = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    ask, patient, diff, form = (
        html.index(m) for m in ('class="review-ask"', 'id="patient-heading"', 'id="diff-heading"', 'id="sign-form"')
    )
    assert ask < patient < diff < form
    assert 'class="diff-text diff-old"' in html and 'class="diff-text diff-inline"' in html


def test_wrong_password_error_is_summarised_at_the_top_with_a_link(client, review, reviewer3):
    client.force_login(reviewer3)
    html = client.post(reverse("reviews:review", args=[review.pk]), sign_data(password="wrong")).content.decode()
    assert html.index('id="error-summary"') < html.index('id="patient-heading"')
    assert '<a href="#id_password">Your password: The password is not correct. Nothing was signed.</a>' in html
    assert not Decision.objects.filter(review=review, reviewer=reviewer3).exists()


def test_request_changes_with_field_comments_records_them_with_the_decision(client, review, reviewer3):
    section = review.revision.ordered_sections()[0]
    client.force_login(reviewer3)
    response = client.post(
        reverse("reviews:review", args=[review.pk]),
        sign_data(
            verdict="request_changes",
            **{"note-title": "Say what it treats.", f"note-section-{section.pk}": "Shorter sentences."},
        ),
    )
    assert response.status_code == 302
    decision = Decision.objects.get(review=review, reviewer=reviewer3)
    assert [(c.field, c.body) for c in decision.inline_comments.all()] == [
        ("title", "Say what it treats."),
        (f"section-{section.pk}", "Shorter sentences."),
    ]
    assert "On Title: Say what it treats." in decision.comment  # signed, so the hash chain covers it
    assert f"On Section: {section.heading}: Shorter sentences." in decision.comment


def test_comment_on_an_unknown_field_is_refused_and_nothing_is_signed(review, reviewer3):
    with pytest.raises(services.InvalidInput, match="does not exist"):
        services.review_sign(
            review=review,
            by=reviewer3,
            verdict="request_changes",
            password=PASSWORD,
            field_comments={"section-999999": "Where is this?"},
        )
    assert not Decision.objects.filter(review=review, reviewer=reviewer3).exists()
    assert not ReviewComment.objects.exists()


def test_field_comments_cannot_be_changed_or_deleted_in_the_database(review, reviewer3):
    services.review_sign(
        review=review,
        by=reviewer3,
        verdict="request_changes",
        password=PASSWORD,
        field_comments={"summary": "Too long."},
    )
    for change in (
        lambda: ReviewComment.objects.update(body="rewritten"),
        lambda: ReviewComment.objects.all()._raw_delete("default"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert ReviewComment.objects.get().body == "Too long."


def test_author_sees_edit_draft_link_on_the_returned_review(client, review, author, reviewer3):
    services.review_sign(review=review, by=reviewer3, verdict="request_changes", comment="Fix.", password=PASSWORD)
    client.force_login(author)
    html = client.get(reverse("reviews:review", args=[review.pk])).content.decode()
    assert reverse("admin:factsheets_factsheetrevision_change", args=[review.revision_id]) in html


def test_review_page_query_count(client, review, reviewer3, django_assert_max_num_queries):
    client.force_login(reviewer3)
    with django_assert_max_num_queries(60):
        assert client.get(reverse("reviews:review", args=[review.pk])).status_code == 200
