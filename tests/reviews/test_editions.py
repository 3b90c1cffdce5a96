"""Spanish editions at the services level: a translation is its own numbered edition of a sheet, names the
English version it translates, goes through the same review by translation reviewers, and is known to be
stale once a newer English version goes live."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from factsheets.content import selectors
from factsheets.content.services import DraftNotAllowed, translation_start_draft, translation_update_source
from factsheets.models import FactSheetRevision
from reviews import services
from reviews.errors import InvalidInput, TransitionNotAllowed
from reviews.models import Review
from tests.factories import (
    PASSWORD,
    make_draft,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)
from tests.test_db_guards import refused

Status = FactSheetRevision.Status


@pytest.fixture
def english(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


@pytest.fixture
def translators(reviewer1, reviewer2, reviewer3):
    return make_translation_committee(reviewer1, reviewer2, reviewer3)


def publish_new_english(english, *, author, reviewers, committee):
    from factsheets.content.services import revision_start_draft

    draft = revision_start_draft(fact_sheet=english.fact_sheet, by=author)
    draft.fast_facts = ["Take it once every two weeks with food.", *draft.fast_facts[1:]]
    draft._history_user = author
    draft.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    for reviewer in reviewers:
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    draft.refresh_from_db()
    return draft


def test_a_translation_starts_from_the_live_english_version_as_version_1_of_its_edition(english, author):
    draft = translation_start_draft(fact_sheet=english.fact_sheet, language="es", by=author)

    assert (draft.language, draft.number, draft.status) == ("es", 1, Status.DRAFT)
    assert draft.translation_of == english
    assert [s.heading for s in draft.ordered_sections()] == [s.heading for s in english.ordered_sections()]
    # The English edition is untouched, and English numbering does not count the translation.
    english.fact_sheet.refresh_from_db()
    assert english.fact_sheet.live_revision == english
    assert selectors.published_versions(english.fact_sheet).count() == 1


def test_only_one_version_of_an_edition_is_worked_on_at_a_time(english, author):
    make_translation(author=author, english=english)

    with pytest.raises(DraftNotAllowed, match="Spanish version 1 is draft"):
        translation_start_draft(fact_sheet=english.fact_sheet, language="es", by=author)
    assert english.fact_sheet.revisions.filter(language="es").count() == 1


def test_a_sheet_that_was_never_published_cannot_be_translated(author):
    draft = make_draft(author=author)

    with pytest.raises(DraftNotAllowed, match="English version must be published"):
        translation_start_draft(fact_sheet=draft.fact_sheet, language="es", by=author)
    with pytest.raises(ValueError, match="not 'fr'"):
        translation_start_draft(fact_sheet=draft.fact_sheet, language="fr", by=author)
    assert draft.fact_sheet.revisions.count() == 1


def test_only_authors_start_translations(english, reviewer1):
    with pytest.raises(PermissionDenied):
        translation_start_draft(fact_sheet=english.fact_sheet, language="es", by=reviewer1)
    assert not english.fact_sheet.revisions.filter(language="es").exists()


def test_a_translation_is_reviewed_only_by_translation_reviewers(english, author, committee):
    draft = make_translation(author=author, english=english)

    with pytest.raises(InvalidInput, match="No committee is marked as translation reviewers"):
        services.revision_submit(revision=draft, by=author, justification="Test.")
    with pytest.raises(InvalidInput, match="does not review translations"):
        services.revision_submit(revision=draft, by=author, committee=committee, justification="Test.")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.content_hash == ""
    assert not Review.objects.filter(revision=draft).exists()


def test_a_spanish_edition_goes_through_review_and_publication(
    english, author, reviewer1, reviewer2, translators, mailoutbox
):
    draft = make_translation(author=author, english=english)
    review = services.revision_submit(revision=draft, by=author, justification="Test.")  # the one translation committee
    assert review.committee == translators
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    services.review_sign(review=review, by=reviewer2, verdict="approve", password=PASSWORD)

    draft.refresh_from_db()
    sheet = english.fact_sheet
    sheet.refresh_from_db()
    english.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.reviewed_by_name == translators.name
    assert english.status == Status.PUBLISHED and sheet.live_revision == english
    assert selectors.live_version(sheet, "es") == draft
    assert selectors.live_version(sheet) == english
    assert selectors.editions(sheet) == ["en", "es"]
    assert list(selectors.published_versions(sheet, "es")) == [draft]
    assert list(selectors.published_versions(sheet)) == [english]
    assert selectors.published_version(sheet, 1, "es") == draft
    assert selectors.published_version(sheet, 1) == english
    assert not selectors.is_stale(draft)


def test_a_second_spanish_version_supersedes_the_first_and_leaves_english_alone(
    english, author, reviewer1, reviewer2, translators
):
    first = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    second = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )

    first.refresh_from_db()
    english.refresh_from_db()
    assert (second.number, second.status) == (2, Status.PUBLISHED)
    assert first.status == Status.SUPERSEDED
    assert english.status == Status.PUBLISHED
    assert [v.number for v in selectors.published_versions(english.fact_sheet, "es")] == [2, 1]


def test_a_new_english_version_makes_the_spanish_edition_stale(
    english, author, reviewer1, reviewer2, committee, translators
):
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    newer = publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)

    spanish.refresh_from_db()
    assert spanish.status == Status.PUBLISHED  # still served, with a notice
    assert selectors.is_stale(spanish)
    assert list(selectors.stale_translations()) == [spanish]
    assert spanish.translation_of.number == 1 and newer.number == 2

    # A new translation starts from the Spanish text and translates the English version live now.
    update = translation_start_draft(fact_sheet=english.fact_sheet, language="es", by=author)
    assert update.translation_of == newer and update.title == spanish.title
    review = services.revision_submit(revision=update, by=author, committee=translators, justification="Test.")
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    assert list(selectors.stale_translations()) == []


def test_a_translation_of_an_older_english_version_is_refused_until_pointed_at_the_live_one(
    english, author, reviewer1, reviewer2, committee, translators
):
    draft = make_translation(author=author, english=english)
    newer = publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)

    with pytest.raises(InvalidInput, match="English version 2 is live now"):
        services.revision_submit(revision=draft, by=author, committee=translators, justification="Test.")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    translation_update_source(revision=draft, by=author)
    draft.refresh_from_db()
    assert draft.translation_of == newer
    with pytest.raises(DraftNotAllowed, match="already translates English version 2"):
        translation_update_source(revision=draft, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=translators, justification="Test.")
    assert review.status == Review.Status.OPEN


def test_spanish_text_meets_the_committees_target_as_a_reading_ease(english, author, translators):
    hard = {
        "title": "Examplumab (Examplex)",
        "summary": (
            "La administración concomitante de inmunosupresores incrementa considerablemente la susceptibilidad "
            "a infecciones oportunistas potencialmente comprometedoras."
        ),
        "fast_facts": ["Administración subcutánea semanal preferentemente vespertina."],
        "sections": [
            (
                "how_it_works",
                "Mecanismo",
                "Inhibe competitivamente la señalización proinflamatoria interleucínica, disminuyendo "
                "significativamente la sintomatología articular característica.",
            )
        ],
    }
    draft = make_translation(author=author, english=english, text=hard)

    with pytest.raises(InvalidInput, match="Szigriszt-Pazos, INFLESZ"):
        services.revision_submit(revision=draft, by=author, committee=translators)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    review = services.revision_submit(revision=draft, by=author, committee=translators, justification="Terms kept.")
    assert review.reading_justification == "Terms kept."


def test_easy_spanish_passes_the_gate_without_a_justification(english, author, translators):
    draft = make_translation(author=author, english=english)
    review = services.revision_submit(revision=draft, by=author, committee=translators)
    assert review.status == Review.Status.OPEN


def test_the_language_and_the_english_version_translated_are_signed(english, author, reviewer1, reviewer2, translators):
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )

    assert spanish.hash_version == 4
    content = spanish.canonical_content()
    assert (content["language"], content["translation_of"]) == ("es", 1)
    assert spanish.content_hash == spanish.compute_content_hash()
    # Same words with another language or source would be another signature.
    spanish.language = "en"
    assert spanish.compute_content_hash() != spanish.content_hash
    # Versions hashed under an older form keep verifying under it.
    assert english.hash_version == 4
    assert english.canonical_content(3).keys() < english.canonical_content(4).keys()


def test_the_database_refuses_to_change_a_published_translations_language_or_source(
    english, author, reviewer1, reviewer2, translators
):
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    assert refused(lambda: FactSheetRevision.objects.filter(pk=spanish.pk).update(language="en"))
    assert refused(lambda: FactSheetRevision.objects.filter(pk=spanish.pk).update(translation_of=english.pk + 1000))
    spanish.refresh_from_db()
    assert (spanish.language, spanish.translation_of_id) == ("es", english.pk)


def test_a_translation_must_name_its_source_and_english_must_not(english, author):
    with pytest.raises(IntegrityError), transaction.atomic():
        FactSheetRevision.objects.create(
            fact_sheet=english.fact_sheet, language="es", number=9, title="x", generic_name="x", credit_line="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FactSheetRevision.objects.create(
            fact_sheet=english.fact_sheet,
            number=9,
            translation_of=english,
            title="x",
            generic_name="x",
            credit_line="x",
        )


def test_the_spanish_rendition_is_in_spanish_and_the_english_one_unchanged(
    english, author, reviewer1, reviewer2, translators
):
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )

    body = spanish.rendition.body_html
    assert "Datos clave" in body and "Nombre genérico:" in body and "Fast facts" not in body
    document = json.loads(spanish.rendition.document)
    assert document["language"] == "es"
    assert document["reading_grade"]["flesch_kincaid"] is None
    assert document["reading_grade"]["szigriszt_pazos"] > 0
    assert "Fast facts" in english.rendition.body_html and "Datos clave" not in english.rendition.body_html
    assert json.loads(english.rendition.document)["language"] == "en"


def test_the_spanish_edition_is_reaffirmed_by_translation_reviewers_only(
    english, author, reviewer1, reviewer2, editor, committee, translators
):
    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    with pytest.raises(InvalidInput, match="does not review translations"):
        services.review_start_reaffirmation(
            fact_sheet=english.fact_sheet, by=editor, committee=committee, language="es"
        )

    review = services.review_start_reaffirmation(
        fact_sheet=english.fact_sheet, by=editor, committee=translators, language="es"
    )
    assert review.revision == spanish
    assert review.kind == Review.Kind.REAFFIRMATION


def test_withdrawing_the_sheet_takes_the_spanish_edition_offline_too(
    english, author, reviewer1, reviewer2, editor, translators
):
    make_published_translation(author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators)
    services.factsheet_withdraw(fact_sheet=english.fact_sheet, by=editor, reason="Replaced by a newer medicine.")

    english.fact_sheet.refresh_from_db()
    assert selectors.live_version(english.fact_sheet, "es") is None
    assert selectors.editions(english.fact_sheet) == []
    assert not selectors.published_versions(english.fact_sheet, "es").exists()
    assert selectors.published_version(english.fact_sheet, 1, "es") is None
    with pytest.raises(TransitionNotAllowed):
        services.review_start_reaffirmation(
            fact_sheet=english.fact_sheet, by=editor, committee=translators, language="es"
        )


def test_a_rendition_follows_its_versions_language_never_the_requests(english, author):
    from django.utils import translation

    from factsheets.public.rendition import render

    draft = make_translation(author=author, english=english)
    with translation.override("es"):
        english_in_spanish_request = render(english)
        spanish_in_spanish_request = render(draft)
    with translation.override("en"):
        assert render(english) == english_in_spanish_request
        assert render(draft) == spanish_in_spanish_request
    assert english_in_spanish_request.body_html == english.rendition.body_html
    assert "Datos clave" in spanish_in_spanish_request.body_html


def test_verify_record_finds_a_translation_pointed_at_another_english_version(
    english, author, reviewer1, reviewer2, committee, translators
):
    from tests.record_guards import guards_lifted
    from tests.reviews.test_record import run_verify

    spanish = make_published_translation(
        author=author, english=english, reviewers=[reviewer1, reviewer2], committee=translators
    )
    newer = publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    ok, out, _ = run_verify()
    assert ok, out

    with guards_lifted():  # as someone who can disable the database's triggers
        FactSheetRevision.objects.filter(pk=spanish.pk).update(translation_of=newer)
    ok, out, _ = run_verify()
    assert not ok
    assert "content changed after approval" in out
