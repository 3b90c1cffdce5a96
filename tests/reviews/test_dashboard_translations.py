"""The author dashboard's "Translations to update": live translations whose English version moved on."""

import pytest
from django.urls import reverse

from reviews import dashboard
from tests.factories import FactSheetFactory, make_published, make_published_translation, make_translation
from tests.reviews import test_editions
from tests.reviews.test_editions import publish_new_english

english, translators = test_editions.english, test_editions.translators


@pytest.fixture
def stale(author, reviewer1, reviewer2, committee, english, translators):
    """Spanish version 1 of English version 1, after English version 2 went live."""
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    return spanish


def tasks(user):
    return dashboard.dashboard_for(user)["translations_to_update"]


def test_a_current_translation_is_not_listed(author, reviewer1, reviewer2, english, translators):
    make_published_translation(author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators)
    assert tasks(author) == []


def test_a_stale_translation_says_what_it_is_based_on_and_offers_the_update(client, author, stale):
    (task,) = tasks(author)
    assert task.title == f"{stale.title}, Spanish version 1"
    assert task.detail == "Translates English version 1; English version 2 is live."
    assert task.action_url == reverse("admin:factsheets_factsheet_start_translation", args=[stale.fact_sheet_id, "es"])
    client.force_login(author)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Translations to update" in html and task.action_url in html and "Start the update" in html
    response = client.post(task.action_url)
    draft = stale.fact_sheet.revisions.get(language="es", number=2)
    assert response["Location"] == reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])
    assert draft.translation_of.number == 2


def test_an_update_in_progress_is_continued_not_started_again(author, stale):
    draft = make_translation(author=author, english=stale.fact_sheet.live_revision)
    (task,) = tasks(author)
    assert task.action_label == "Continue Spanish version 2"
    assert task.action_url == reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])


def test_reviewers_do_not_get_the_list(client, reviewer3, stale):
    assert tasks(reviewer3) == []
    client.force_login(reviewer3)
    assert "Translations to update" not in client.get(reverse("admin:index")).content.decode()


def test_dashboard_queries_do_not_grow_with_stale_translations(
    client, author, reviewer1, reviewer2, committee, translators, stale, django_assert_max_num_queries
):
    for n in range(4):
        english = make_published(
            author=author, reviewers=[reviewer1, reviewer2], committee=committee, fact_sheet=FactSheetFactory()
        )
        make_published_translation(
            author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
        )
        publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
        if n % 2:
            make_translation(author=author, english=english.fact_sheet.live_revision)
    client.force_login(author)
    with django_assert_max_num_queries(
        14
    ):  # 11 with one stale translation: two queries for the list, whatever its length
        html = client.get(reverse("admin:index")).content.decode()
    assert len(tasks(author)) == 5
    assert html.count("Start the update") == 3 and html.count("Continue Spanish version 2") == 2
