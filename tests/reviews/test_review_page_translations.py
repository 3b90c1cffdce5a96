"""The review page of a translation: the English version it translates, what changed in English since the
live translation was made, and Spanish reading ease against the committee's target."""

import pytest
from django.urls import reverse

from factsheets.content.services import translation_start_draft
from reviews import services
from tests.factories import make_published_translation, make_translation
from tests.reviews import test_editions
from tests.reviews.test_editions import publish_new_english

english, translators = test_editions.english, test_editions.translators


def submit(draft, author, translators):
    return services.revision_submit(revision=draft, by=author, committee=translators, justification="Test.")


def page(client, user, review):
    client.force_login(user)
    response = client.get(reverse("reviews:review", args=[review.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_first_translation_names_the_english_version_it_translates(client, author, reviewer3, english, translators):
    review = submit(make_translation(author=author, english=english), author, translators)
    html = page(client, reviewer3, review)
    preview = reverse("factsheets:preview", args=[english.pk])
    assert f'<a href="{preview}">English version 1</a>, the live English version' in html
    assert "What changed in English since the last translation" not in html


@pytest.fixture
def update_review(author, reviewer1, reviewer2, committee, english, translators):
    """Spanish version 2, translating English version 2, under review while Spanish version 1 (of English
    version 1) is live."""
    make_published_translation(author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators)
    publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = translation_start_draft(fact_sheet=english.fact_sheet, language="es", by=author)
    draft.summary = "Un medicamento inventado para probar este sistema, ahora cada dos semanas."
    draft._history_user = author
    draft.save()
    return submit(draft, author, translators)


def test_update_shows_what_changed_in_english_since_the_last_translation(client, reviewer3, update_review):
    html = page(client, reviewer3, update_review)
    assert "English version 2</a>, the live English version" in html
    assert "The live Spanish version 1 translates English version 1." in html
    assert "What changed in English since the last translation (English version 1 → 2)" in html
    # publish_new_english changed the first fast fact, and only that.
    english_diff = html.split('class="diff english-diff"')[1].split("</section>")[0]
    assert "Fast facts" in english_diff and "two weeks" in english_diff and "Summary" not in english_diff
    assert "Changes against the live Spanish version 1" in html


def test_spanish_version_is_scored_by_reading_ease_against_the_committee_target(client, reviewer3, update_review):
    html = page(client, reviewer3, update_review)
    assert "Szigriszt-Pazos" in html and "Fernández Huerta" in html
    assert "The target of grade 8 asks Spanish text for an ease of 55 or higher." in html
    assert "Flesch-Kincaid" not in html
    assert "Compared with the live Spanish version: ease" in html


def test_english_review_page_keeps_the_english_formulas(client, author, reviewer3, committee):
    from tests.factories import make_draft

    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="Test."
    )
    html = page(client, reviewer3, review)
    assert "Flesch-Kincaid" in html and "Szigriszt-Pazos" not in html and "What this translates" not in html


def test_review_page_of_an_update_stays_within_its_query_budget(
    client, reviewer3, update_review, django_assert_max_num_queries
):
    client.force_login(reviewer3)
    with django_assert_max_num_queries(45):
        assert client.get(reverse("reviews:review", args=[update_review.pk])).status_code == 200


def test_admin_readability_panel_of_a_spanish_draft_uses_reading_ease(client, author, english):
    draft = make_translation(author=author, english=english)
    client.force_login(author)
    html = client.get(reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])).content.decode()
    assert "Szigriszt-Pazos" in html and "reading ease" in html


def test_submit_page_of_a_translation_offers_only_translation_reviewers(client, author, english, translators):
    draft = make_translation(author=author, english=english)
    client.force_login(author)
    response = client.get(reverse("reviews:submit", args=[draft.pk]))
    assert response.context["committees"] == [translators]
    assert list(response.context["form"].fields["committee"].queryset) == [translators]
    assert "Szigriszt-Pazos" in response.content.decode()


def test_what_a_reviewer_signs_names_the_edition(client, author, reviewer3, english, translators):
    """Spanish and English numbers count apart: "version 1" alone could be read as the English one."""
    review = submit(make_translation(author=author, english=english), author, translators)
    html = page(client, reviewer3, review)
    assert "approve Spanish version 1 for publication to patients" in html
    assert "you read Spanish version 1 as patients will see it" in html
    assert "approve version 1 for" not in html


def test_emails_about_a_translation_name_its_edition_and_link_its_spanish_page(
    author, reviewer1, reviewer2, english, translators, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        revision = make_published_translation(
            author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
        )
    subjects = [m.subject for m in mail.outbox]
    assert any(s.startswith("Please review:") and s.endswith("(Spanish version 1)") for s in subjects), subjects
    published = next(m for m in mail.outbox if m.subject.startswith("Published:"))
    assert published.subject.endswith("(Spanish version 1)")
    assert "Spanish version 1 of" in published.body
    assert f"/es/factsheets/{revision.fact_sheet.slug}/" in published.body
