"""Spanish editions in the authoring admin: starting and continuing a translation, pointing a draft at the live
English version, the language in the version lists, and the editor's way to the Spanish reaffirmation."""

import pytest
from django.urls import reverse

from factsheets.models import FactSheetRevision
from reviews.models import Review
from tests.factories import make_published_translation, make_translation, make_user
from tests.factsheets.test_admin import change_url, messages_of
from tests.reviews import test_editions
from tests.reviews.test_editions import publish_new_english

Status = FactSheetRevision.Status
# The live English sheet and the translation committee of the services tests.
english, translators = test_editions.english, test_editions.translators


def sheet_url(revision):
    return reverse("admin:factsheets_factsheet_change", args=[revision.fact_sheet_id])


def start_url(revision, language="es"):
    return reverse("admin:factsheets_factsheet_start_translation", args=[revision.fact_sheet_id, language])


def update_url(revision):
    return reverse("admin:factsheets_factsheetrevision_update_source", args=[revision.pk])


def test_sheet_page_offers_an_author_to_start_the_spanish_translation(client, author, english):
    client.force_login(author)
    content = client.get(sheet_url(english)).content.decode()
    assert start_url(english) in content and "Start Spanish translation" in content


def test_starting_a_translation_opens_the_new_spanish_draft(client, author, english):
    client.force_login(author)
    response = client.post(start_url(english))
    draft = FactSheetRevision.objects.get(fact_sheet=english.fact_sheet, language="es")
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    assert (draft.number, draft.translation_of, draft.status) == (1, english, Status.DRAFT)


def test_sheet_page_offers_to_continue_a_pending_spanish_draft(client, author, english):
    draft = make_translation(author=author, english=english)
    client.force_login(author)
    content = client.get(sheet_url(english)).content.decode()
    assert start_url(english) not in content
    assert change_url(draft) in content and "Continue the Spanish draft (version 1, draft)" in content


def test_second_start_while_a_draft_is_pending_is_refused_with_a_message(client, author, english):
    make_translation(author=author, english=english)
    client.force_login(author)
    response = client.post(start_url(english), follow=True)
    assert any("Spanish version 1 is draft" in m and "Nothing was changed" in m for m in messages_of(response))
    assert english.fact_sheet.revisions.filter(language="es").count() == 1


def test_a_reviewer_cannot_start_a_translation(client, reviewer3, english):
    client.force_login(reviewer3)
    assert client.post(start_url(english)).status_code == 403
    assert not english.fact_sheet.revisions.filter(language="es").exists()


def test_starting_a_translation_needs_post(client, author, english):
    client.force_login(author)
    assert client.get(start_url(english)).status_code == 405
    assert not english.fact_sheet.revisions.filter(language="es").exists()


def test_starting_a_translation_needs_the_csrf_token(author, english):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post(start_url(english)).status_code == 403
    assert not english.fact_sheet.revisions.filter(language="es").exists()


def test_an_unknown_language_is_not_found(client, author, english):
    client.force_login(author)
    assert client.post(start_url(english, "en")).status_code == 404
    assert client.post(start_url(english, "fr")).status_code == 404
    assert english.fact_sheet.revisions.count() == 1


def test_a_sheet_never_published_cannot_be_translated(client, author):
    from tests.factories import make_draft

    draft = make_draft(author=author)
    client.force_login(author)
    assert "Start Spanish translation" not in client.get(sheet_url(draft)).content.decode()
    response = client.post(start_url(draft), follow=True)
    assert any("Only a live fact sheet can be translated" in m for m in messages_of(response))
    assert draft.fact_sheet.revisions.count() == 1


# The translation's own page -------------------------------------------------------------------------


def test_translation_page_shows_its_language_and_the_english_version_it_translates(client, author, english):
    draft = make_translation(author=author, english=english)
    client.force_login(author)
    content = client.get(change_url(draft)).content.decode()
    assert "Spanish" in content
    assert f'<a href="{change_url(english)}">English version 1</a> (the live English version)' in content
    assert update_url(draft) not in content  # it translates the live version already


@pytest.fixture
def outdated_draft(author, reviewer1, reviewer2, committee, english):
    """A Spanish draft of English version 1, after English version 2 went live."""
    draft = make_translation(author=author, english=english)
    publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    return draft


def test_outdated_draft_offers_to_translate_the_live_english_version(client, author, outdated_draft):
    client.force_login(author)
    content = client.get(change_url(outdated_draft)).content.decode()
    assert "English version 2 is live now" in content
    assert update_url(outdated_draft) in content and "Translate the live English version" in content


def test_translating_the_live_english_version_repoints_the_draft(client, author, outdated_draft):
    client.force_login(author)
    response = client.post(update_url(outdated_draft), follow=True)
    outdated_draft.refresh_from_db()
    assert outdated_draft.translation_of.number == 2
    assert any("now translates English version 2 (was version 1)" in m for m in messages_of(response))


def test_a_reviewer_cannot_repoint_a_translation(client, reviewer3, outdated_draft):
    client.force_login(reviewer3)
    assert client.post(update_url(outdated_draft)).status_code == 403
    outdated_draft.refresh_from_db()
    assert outdated_draft.translation_of.number == 1


def test_repointing_a_draft_already_on_the_live_version_is_refused(client, author, english):
    draft = make_translation(author=author, english=english)
    client.force_login(author)
    response = client.post(update_url(draft), follow=True)
    assert any(
        "already translates English version 1" in m and "Nothing was changed" in m for m in messages_of(response)
    )
    assert client.get(update_url(draft)).status_code == 405


def test_repointing_an_english_version_is_refused(client, author, english):
    client.force_login(author)
    response = client.post(update_url(english), follow=True)
    assert any("translates nothing" in m for m in messages_of(response))


# Lists ------------------------------------------------------------------------------------------------


def test_revision_changelist_has_a_language_column_and_filter(client, author, english):
    make_translation(author=author, english=english)
    client.force_login(author)
    url = reverse("admin:factsheets_factsheetrevision_changelist")
    assert client.get(url, {"language__exact": "es"}).context["cl"].result_count == 1
    assert client.get(url, {"language__exact": "en"}).context["cl"].result_count == 1
    content = client.get(url).content.decode()
    assert "column-language" in content and "Spanish" in content


# Editors: reaffirming the Spanish edition ---------------------------------------------------------


def test_editor_reaches_the_spanish_reaffirmation_from_the_sheet(
    client, editor, author, english, translators, reviewer1, reviewer2
):
    make_published_translation(author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators)
    reaffirm = f"{reverse('reviews:reaffirm', args=[english.fact_sheet_id])}?language=es"
    client.force_login(editor)
    assert reaffirm in client.get(sheet_url(english)).content.decode()
    assert reaffirm in client.get(reverse("reviews:sheet_versions", args=[english.fact_sheet_id])).content.decode()
    page = client.get(reaffirm)
    assert "live Spanish version 1" in page.content.decode()
    assert list(page.context["form"].fields["committee"].queryset) == [translators]
    response = client.post(reaffirm, {"committee": translators.pk})
    review = Review.objects.get(kind=Review.Kind.REAFFIRMATION)
    assert response["Location"] == reverse("reviews:review", args=[review.pk])
    assert review.revision.language == "es" and review.committee == translators


def test_no_spanish_reaffirmation_link_without_a_live_spanish_version(client, editor, english):
    client.force_login(editor)
    assert "?language=es" not in client.get(sheet_url(english)).content.decode()


def test_no_spanish_reaffirmation_link_for_a_stale_translation_and_a_post_is_refused(
    client, editor, author, english, translators, committee, reviewer1, reviewer2
):
    make_published_translation(author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators)
    newer = publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    reaffirm = f"{reverse('reviews:reaffirm', args=[english.fact_sheet_id])}?language=es"
    client.force_login(editor)
    assert reaffirm not in client.get(sheet_url(newer)).content.decode()
    assert reaffirm not in client.get(reverse("reviews:sheet_versions", args=[english.fact_sheet_id])).content.decode()
    response = client.post(reaffirm, {"committee": translators.pk}, follow=True)
    assert any("update the translation" in m for m in messages_of(response))
    assert not Review.objects.filter(kind=Review.Kind.REAFFIRMATION).exists()


def test_spanish_reaffirmation_without_a_live_spanish_version_is_refused(client, editor, english, translators):
    reaffirm = f"{reverse('reviews:reaffirm', args=[english.fact_sheet_id])}?language=es"
    client.force_login(editor)
    response = client.post(reaffirm, {"committee": translators.pk}, follow=True)
    assert any("no live version in that language" in m for m in messages_of(response))
    assert not Review.objects.filter(kind=Review.Kind.REAFFIRMATION).exists()


def test_reaffirmation_in_an_unknown_language_is_a_bad_request(client, editor, english):
    client.force_login(editor)
    assert client.get(f"{reverse('reviews:reaffirm', args=[english.fact_sheet_id])}?language=fr").status_code == 400


def test_author_cannot_ask_for_a_spanish_reaffirmation(client, author, english, translators):
    client.force_login(author)
    reaffirm = f"{reverse('reviews:reaffirm', args=[english.fact_sheet_id])}?language=es"
    assert client.post(reaffirm, {"committee": translators.pk}).status_code == 403
    assert not Review.objects.filter(kind=Review.Kind.REAFFIRMATION).exists()


def test_only_an_administrator_marks_a_committee_as_translation_reviewers(client, editor, committee):
    from tests.reviews.test_separation_of_duties import committee_form

    url = reverse("admin:reviews_committee_change", args=[committee.pk])
    client.force_login(editor)
    assert 'name="reviews_translations"' not in client.get(url).content.decode()
    client.post(url, committee_form(committee, reviews_translations="on"))
    committee.refresh_from_db()
    assert not committee.reviews_translations
    root = make_user("root", is_superuser=True, first_name="Sue", last_name="Root")
    client.force_login(root)
    client.post(url, committee_form(committee, reviews_translations="on"))
    committee.refresh_from_db()
    assert committee.reviews_translations
