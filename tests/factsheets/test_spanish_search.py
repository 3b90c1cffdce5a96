"""Search per edition: /es/search/ searches the live Spanish versions (PostgreSQL's `spanish` configuration, a
substring match elsewhere) and links their Spanish pages; /search/ searches the live English versions only. The
index keeps one row per sheet and language, rebuilt when a version of either goes live."""

import pytest
from django.db import connection

from factsheets.models import EditionSearchIndex
from factsheets.public.search import refresh_search_index
from reviews import services
from tests.factories import SPANISH_TEXT, FactSheetFactory, make_published, make_translation
from tests.factsheets import test_spanish_pages
from tests.factsheets.test_spanish_pages import translate

arthritis, live, english, translators, spanish, english_only = (
    test_spanish_pages.arthritis,
    test_spanish_pages.live,
    test_spanish_pages.english,
    test_spanish_pages.translators,
    test_spanish_pages.spanish,
    test_spanish_pages.english_only,
)

SPANISH_PAGE = b'href="/es/factsheets/examplumab/"'
ENGLISH_PAGE = b'href="/factsheets/examplumab/"'

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="Spanish stemming needs PostgreSQL")


def search(client, q, prefix="/es"):
    response = client.get(f"{prefix}/search/", {"q": q})
    assert response.status_code == 200
    return response.content


def test_index_has_one_row_per_live_edition(english, spanish, english_only):
    rows = set(EditionSearchIndex.objects.values_list("fact_sheet__slug", "language"))
    assert rows == {("examplumab", "en"), ("examplumab", "es"), ("onlyenglishab", "en")}
    spanish_text = EditionSearchIndex.objects.get(fact_sheet=spanish.fact_sheet, language="es").text
    assert "articulaciones" in spanish_text and "paragraph" not in spanish_text


def test_spanish_search_finds_a_word_of_the_live_spanish_edition_and_links_its_spanish_page(client, spanish):
    html = search(client, "articulaciones")
    assert SPANISH_PAGE in html and ENGLISH_PAGE not in html
    assert "Se encontró 1 hoja informativa.".encode() in html
    assert SPANISH_TEXT["summary"].encode() in html  # the Spanish summary, not the English one
    assert '<html lang="es">'.encode() in html


def test_spanish_search_matches_without_regard_to_case(client, spanish):
    assert SPANISH_PAGE in search(client, "INYECCIÓN")


def test_spanish_search_matches_without_regard_to_accents(client, spanish):
    """Readers often type without accents: "inyeccion" finds "inyección", and an accent too many still finds."""
    for typed in ("inyeccion", "hinchazon", "MEDICO", "inyección", "sémana"):
        assert SPANISH_PAGE in search(client, typed), typed
    assert SPANISH_PAGE not in search(client, "inyectado")  # folding drops accents, not letters


@postgres_only
@pytest.mark.postgres
def test_spanish_search_stems_spanish_words_on_postgres(client, spanish):
    # The text says "las articulaciones" and "una inyección": the `spanish` configuration finds singular and plural.
    assert SPANISH_PAGE in search(client, "articulación")
    assert SPANISH_PAGE in search(client, "inyecciones")
    assert ENGLISH_PAGE not in search(client, "articulación", prefix="")  # the English configuration has no Spanish


def test_english_search_does_not_return_spanish_only_words(client, spanish):
    assert ENGLISH_PAGE in search(client, "paragraph", prefix="")
    for word in ("articulaciones", "hinchazón", "semana"):
        html = search(client, word, prefix="")
        assert ENGLISH_PAGE not in html and SPANISH_PAGE not in html, word


def test_spanish_search_does_not_return_english_only_words_or_english_only_sheets(client, spanish, english_only):
    assert b'href="/factsheets/onlyenglishab/"' in search(client, "onlyenglishab", prefix="")
    assert b"/factsheets/onlyenglishab/" not in search(client, "onlyenglishab")
    assert SPANISH_PAGE not in search(client, "paragraph")


def test_spanish_search_never_finds_a_spanish_draft(client, english, english_only, author):
    """A first translation still a draft, and a draft of the next Spanish version, are not searched."""
    make_translation(author=author, english=english_only, text={**SPANISH_TEXT, "title": "Borradorsecreto"})
    assert b"/factsheets/onlyenglishab/" not in search(client, "borradorsecreto")
    assert not EditionSearchIndex.objects.filter(language="es").exists()


def test_spanish_search_never_finds_the_draft_or_submitted_next_spanish_version(
    client, spanish, author, translators, django_capture_on_commit_callbacks
):
    draft = make_translation(
        author=author, english=spanish.translation_of, text={**SPANISH_TEXT, "summary": "Texto inéditoprivado."}
    )
    assert draft.number == 2
    assert SPANISH_PAGE not in search(client, "inéditoprivado")
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_submit(revision=draft, by=author, committee=translators, justification="Test content.")
    assert SPANISH_PAGE not in search(client, "inéditoprivado")
    assert SPANISH_PAGE in search(client, "articulaciones")  # the live Spanish version still is


def test_a_new_spanish_version_replaces_its_indexed_text(
    client, spanish, author, reviewer1, reviewer2, translators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        translate(
            spanish.translation_of,
            author=author,
            reviewer1=reviewer1,
            reviewer2=reviewer2,
            translators=translators,
            summary="Un resumen nuevo con la palabra colibrí.",
        )
    assert SPANISH_PAGE in search(client, "colibrí")
    assert SPANISH_PAGE not in search(client, "inmune")  # only in the superseded Spanish summary


def test_a_new_english_version_keeps_the_spanish_row(
    client, english, spanish, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        test_spanish_pages.new_english(
            english, author=author, reviewer1=reviewer1, reviewer2=reviewer2, committee=committee
        )
    assert SPANISH_PAGE in search(client, "articulaciones")  # stale, still live, still found


def test_withdrawn_sheets_are_not_found_in_spanish(client, spanish, editor, django_capture_on_commit_callbacks):
    assert SPANISH_PAGE in search(client, "articulaciones")
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=spanish.fact_sheet, by=editor, reason="Retirada.")
    assert SPANISH_PAGE not in search(client, "articulaciones")


def test_refresh_rebuilds_every_edition_of_a_sheet(spanish):
    EditionSearchIndex.objects.all().delete()
    assert refresh_search_index([spanish.fact_sheet_id]) == 2
    assert set(EditionSearchIndex.objects.values_list("language", flat=True)) == {"en", "es"}


def test_spanish_search_chrome_is_spanish(client, spanish):
    assert "Escriba el nombre de un medicamento".encode() in client.get("/es/search/", {"q": " "}).content
    too_long = client.get("/es/search/", {"q": "a" * 201})
    assert too_long.status_code == 200 and "Acorte su búsqueda a 200 caracteres".encode() in too_long.content
    assert b"Please shorten your search to 200" in client.get("/search/", {"q": "a" * 201}).content


@pytest.fixture
def three_spanish_editions(english, spanish, author, reviewer1, reviewer2, committee, translators, arthritis):
    for slug in ("otrumab", "terceromab"):
        source = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug=slug),
            title=f"{slug.title()} (Otrex)",
            conditions=[arthritis],
        )
        translate(
            source,
            author=author,
            reviewer1=reviewer1,
            reviewer2=reviewer2,
            translators=translators,
            title=f"{slug.title()} (Otrex)",
        )


def test_spanish_search_within_the_english_budget(client, three_spanish_editions, django_assert_max_num_queries):
    for url in ["/es/search/?q=articulaciones", "/es/search/?q=articulaciones&page=2", "/es/search/?q=nada"]:
        with django_assert_max_num_queries(5, info=url):  # as the English search (test_public_query_budgets)
            response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/es/search/?q=semana").content.decode()
    assert "Se encontraron 3 hojas informativas." in html
    for slug in ("examplumab", "otrumab", "terceromab"):
        assert f'href="/es/factsheets/{slug}/"' in html
    with django_assert_max_num_queries(0):  # answered from the response cache
        assert client.get("/es/search/?q=semana").status_code == 200
