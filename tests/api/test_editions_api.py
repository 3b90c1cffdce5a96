"""Editions in the API: `?language=` (or Accept-Language) serves the Spanish edition of the list, a sheet and its
versions; each answer says its language; a translation names the English version it translates and whether that
is still live; an unknown language is a 400 naming the languages, a missing edition a 404 naming the editions."""

import pytest
from django.conf import settings
from django.core.cache import cache

from factsheets.content.services import translation_start_draft
from reviews import services
from tests.factories import SPANISH_TEXT, make_published_translation, make_translation, make_translation_committee

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL
SUPPORTED = "en (English), es (Spanish)"


@pytest.fixture
def translators(reviewer1, reviewer2, reviewer3):
    return make_translation_committee(reviewer1, reviewer2, reviewer3)


@pytest.fixture
def translate(author, reviewer1, reviewer2, translators, on_commit):
    def _translate(english, **text):
        return on_commit(
            make_published_translation,
            author=author,
            english=english,
            reviewers=[reviewer1, reviewer2],
            committee=translators,
            text={**SPANISH_TEXT, **text},
        )

    return _translate


@pytest.fixture
def english(publish):
    return publish(slug="examplumab", title="Examplumab (Examplex)")


@pytest.fixture
def spanish(english, translate):
    return translate(english, title="Examplumab en español (Examplex)")


@pytest.fixture
def english_only(publish):
    return publish(slug="onlyenglish", title="Onlyenglish (Solo)")


def get(client, path, accept_language=None, **params):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    return client.get(path, params, **headers)


# The list ----------------------------------------------------------------------------------------


def test_spanish_list_has_the_sheets_with_a_live_spanish_edition_in_spanish(client, spanish, english_only):
    response = get(client, "/api/v1/factsheets/", language="es")
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert "Accept-Language" not in response.get("Vary", "")  # the address says the language
    assert response.json()["results"] == [
        {
            "slug": "examplumab",
            "title": "Examplumab en español (Examplex)",
            "version": 1,
            "updated_on": spanish.updated_on.isoformat(),
            "language": "es",
            "url": f"{SITE}/es/factsheets/examplumab/",
        }
    ]


def test_english_list_is_unchanged_and_says_its_language(client, spanish, english_only):
    for response in (get(client, "/api/v1/factsheets/"), get(client, "/api/v1/factsheets/", language="en")):
        assert response["Content-Language"] == "en"
        results = response.json()["results"]
        assert [(r["slug"], r["language"]) for r in results] == [("examplumab", "en"), ("onlyenglish", "en")]
        assert results[0]["url"] == f"{SITE}/factsheets/examplumab/"


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9,en;q=0.5", "fr, es;q=0.8"])
def test_accept_language_preferring_spanish_chooses_the_spanish_list(client, spanish, english_only, header):
    response = get(client, "/api/v1/factsheets/", accept_language=header)
    assert response["Content-Language"] == "es" and "Accept-Language" in response["Vary"]
    assert [r["language"] for r in response.json()["results"]] == ["es"]


@pytest.mark.parametrize("header", ["en", "en-US,es;q=0.9", "*", "fr", "es;q=0", "x" * 600])
def test_accept_language_not_preferring_spanish_keeps_english(client, spanish, english_only, header):
    response = get(client, "/api/v1/factsheets/", accept_language=header)
    assert response.status_code == 200
    assert response["Content-Language"] == "en" and "Accept-Language" in response["Vary"]
    assert {r["language"] for r in response.json()["results"]} == {"en"}


def test_spanish_list_filters_search_the_spanish_titles(client, spanish, english_only):
    assert get(client, "/api/v1/factsheets/", language="es", q="español").json()["count"] == 1
    assert get(client, "/api/v1/factsheets/", language="es", q="onlyenglish").json()["count"] == 0


# One sheet ---------------------------------------------------------------------------------------


def test_spanish_detail_names_the_english_version_it_translates_and_the_editions(client, english, spanish):
    response = get(client, "/api/v1/factsheets/examplumab/", language="es")
    assert response.status_code == 200 and response["Content-Language"] == "es"
    body = response.json()
    assert (body["language"], body["version"], body["title"]) == ("es", 1, "Examplumab en español (Examplex)")
    assert body["content_hash"] == spanish.content_hash
    assert body["url"] == f"{SITE}/es/factsheets/examplumab/"
    assert body["translation_of"] == {
        "version": 1,
        "url": f"{SITE}/api/v1/factsheets/examplumab/versions/1/",
        "current": True,
    }
    assert body["editions"] == [
        {"language": "en", "version": 1, "url": f"{SITE}/api/v1/factsheets/examplumab/?language=en"},
        {"language": "es", "version": 1, "url": f"{SITE}/api/v1/factsheets/examplumab/?language=es"},
    ]
    assert set(body["reading_grade"]) >= {"fernandez_huerta", "szigriszt_pazos"}
    # The links lead where they say.
    assert client.get(body["translation_of"]["url"]).json()["language"] == "en"
    assert [client.get(e["url"]).json()["language"] for e in body["editions"]] == ["en", "es"]


def test_english_detail_lists_the_spanish_edition(client, english, spanish):
    body = get(client, "/api/v1/factsheets/examplumab/").json()
    assert (body["language"], body["translation_of"]) == ("en", None)
    assert [e["language"] for e in body["editions"]] == ["en", "es"]


def test_a_new_english_version_makes_the_translation_stale_in_the_api(client, english, spanish, publish_new_version):
    publish_new_version(english.fact_sheet, title="Examplumab (Examplex) v2")
    body = get(client, "/api/v1/factsheets/examplumab/", language="es").json()
    assert body["translation_of"]["version"] == 1 and body["translation_of"]["current"] is False
    assert body["editions"][0] == {
        "language": "en",
        "version": 2,
        "url": f"{SITE}/api/v1/factsheets/examplumab/?language=en",
    }


def test_accept_language_chooses_spanish_only_when_the_sheet_has_it(client, spanish, english_only):
    chosen = get(client, "/api/v1/factsheets/examplumab/", accept_language="es-ES")
    assert chosen.json()["language"] == "es" and chosen["Content-Language"] == "es"
    assert "Accept-Language" in chosen["Vary"]
    fallback = get(client, "/api/v1/factsheets/onlyenglish/", accept_language="es-ES")
    assert fallback.status_code == 200 and fallback.json()["language"] == "en"
    assert fallback["Content-Language"] == "en" and "Accept-Language" in fallback["Vary"]
    assert get(client, "/api/v1/factsheets/examplumab/", accept_language="en, es;q=0.5").json()["language"] == "en"


def test_asking_for_an_edition_the_sheet_does_not_have_is_a_404_naming_the_editions(client, spanish, english_only):
    response = get(client, "/api/v1/factsheets/onlyenglish/", language="es")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == 404 and "no live edition in Spanish (es)" in body["message"]
    assert "en (English)" in body["message"]
    assert body["editions"] == [
        {"language": "en", "version": 1, "url": f"{SITE}/api/v1/factsheets/onlyenglish/?language=en"}
    ]


def test_unknown_sheet_in_spanish_is_the_usual_404(client, spanish):
    response = get(client, "/api/v1/factsheets/no-such-sheet/", language="es")
    assert response.status_code == 404 and "editions" not in response.json()


def test_withdrawn_sheet_is_gone_in_every_language(client, english, spanish, withdraw):
    withdraw(english.fact_sheet)
    for language in ("en", "es"):
        assert get(client, "/api/v1/factsheets/examplumab/", language=language).status_code == 410
        assert get(client, "/api/v1/factsheets/examplumab/versions/1/", language=language).status_code == 410
    assert get(client, "/api/v1/factsheets/", language="es").json()["count"] == 0


# Bad languages -----------------------------------------------------------------------------------

BAD_LANGUAGES = ["fr", "xx", "", "ES", " es", "es-MX", "x" * 5000, "es\x00", "<script>"]
ENDPOINTS = [
    "/api/v1/factsheets/",
    "/api/v1/factsheets/examplumab/",
    "/api/v1/factsheets/examplumab/versions/",
    "/api/v1/factsheets/examplumab/versions/1/",
    "/api/v1/factsheets/no-such-sheet/",
]


@pytest.mark.parametrize("value", BAD_LANGUAGES)
def test_an_unsupported_language_is_a_400_naming_the_supported_ones(client, spanish, value):
    for path in ENDPOINTS:
        response = client.get(path, {"language": value})
        assert response.status_code == 400, (path, value)
        body = response.json()
        assert body["status"] == 400 and SUPPORTED in body["message"], path
        assert list(body["errors"]) == ["language"]
        assert len(response.content) < 1000  # the value is not echoed back


# Versions ----------------------------------------------------------------------------------------


def test_spanish_versions_are_numbered_on_their_own(client, english, spanish, translate, publish_new_version, author):
    publish_new_version(english.fact_sheet, title="Examplumab (Examplex) v2")
    update = make_translation(author=author, english=english.fact_sheet.live_revision)
    assert update.number == 2 and update.translation_of.number == 2
    body = get(client, "/api/v1/factsheets/examplumab/versions/", language="es").json()
    assert [(r["version"], r["language"]) for r in body["results"]] == [(1, "es")]  # the draft is not listed
    assert body["results"][0]["url"] == f"{SITE}/es/factsheets/examplumab/versions/1/"
    version = get(client, "/api/v1/factsheets/examplumab/versions/1/", language="es")
    assert version.status_code == 200 and version["Content-Language"] == "es"
    assert (version.json()["language"], version.json()["url"]) == ("es", f"{SITE}/es/factsheets/examplumab/versions/1/")
    assert version.json()["translation_of"]["current"] is False
    missing = get(client, "/api/v1/factsheets/examplumab/versions/2/", language="es")
    assert missing.status_code == 404 and "Spanish version" in missing.json()["message"]
    # Without `language` the versions are English, whatever Accept-Language says (numbers are per edition).
    english_versions = get(client, "/api/v1/factsheets/examplumab/versions/", accept_language="es")
    assert [r["language"] for r in english_versions.json()["results"]] == ["en", "en"]
    assert "Accept-Language" not in english_versions.get("Vary", "")


def test_versions_of_an_edition_the_sheet_does_not_have_are_a_404_naming_the_editions(client, english_only):
    for path in ("/api/v1/factsheets/onlyenglish/versions/", "/api/v1/factsheets/onlyenglish/versions/1/"):
        response = get(client, path, language="es")
        assert response.status_code == 404
        assert [e["language"] for e in response.json()["editions"]] == ["en"]


# Caching: an English and a Spanish answer at one address are never served for each other ----------------


@pytest.mark.parametrize("path", ["/api/v1/factsheets/", "/api/v1/factsheets/examplumab/"])
def test_cached_answers_are_kept_apart_by_negotiated_language(client, spanish, path):
    for first, second in (("es", "en"), ("en", "es")):
        cache.clear()
        a = get(client, path, accept_language=first)
        b = get(client, path, accept_language=second)
        again = get(client, path, accept_language=first)
        assert a["Content-Language"] == again["Content-Language"] == first
        assert b["Content-Language"] == second
        assert a.content == again.content != b.content


def test_a_cached_answer_is_served_only_to_the_same_language(client, spanish, django_assert_num_queries):
    cache.clear()
    get(client, "/api/v1/factsheets/examplumab/", accept_language="es")
    with django_assert_num_queries(0):
        cached = get(client, "/api/v1/factsheets/examplumab/", accept_language="es-AR")
    assert cached.json()["language"] == "es"
    english = get(client, "/api/v1/factsheets/examplumab/", accept_language="en")
    assert english.json()["language"] == "en"


def test_an_english_etag_does_not_validate_the_spanish_answer(client, spanish):
    english = get(client, "/api/v1/factsheets/examplumab/")
    spanish_answer = get(client, "/api/v1/factsheets/examplumab/", language="es")
    assert english["ETag"] != spanish_answer["ETag"]
    for language_header in ({"HTTP_ACCEPT_LANGUAGE": "es"}, {}):
        response = client.get(
            "/api/v1/factsheets/examplumab/",
            {"language": "es"} if not language_header else {},
            HTTP_IF_NONE_MATCH=english["ETag"],
            **language_header,
        )
        assert response.status_code == 200 and response.json()["language"] == "es"
    same = client.get("/api/v1/factsheets/examplumab/", {"language": "es"}, HTTP_IF_NONE_MATCH=spanish_answer["ETag"])
    assert same.status_code == 304 and same["Content-Language"] == "es"


def test_publishing_a_spanish_edition_shows_at_once_in_cached_answers(client, english, translate):
    assert get(client, "/api/v1/factsheets/examplumab/", accept_language="es").json()["language"] == "en"
    assert get(client, "/api/v1/factsheets/", language="es").json()["count"] == 0
    translate(english)
    assert get(client, "/api/v1/factsheets/examplumab/", accept_language="es").json()["language"] == "es"
    assert get(client, "/api/v1/factsheets/", language="es").json()["count"] == 1


# Never leak ----------------------------------------------------------------------------------------


@pytest.fixture
def hidden_translations(english, spanish, english_only, author, translators, publish_new_version):
    """A sheet whose next Spanish version is in review and a sheet whose first translation is a draft: every
    text of theirs contains "HIDDEN"."""
    publish_new_version(english.fact_sheet, title="Examplumab (Examplex) v2")
    in_review = make_translation(
        author=author, english=english.fact_sheet.live_revision, text={**SPANISH_TEXT, "title": "HIDDEN en revisión"}
    )
    services.revision_submit(revision=in_review, by=author, committee=translators, justification="Test content.")
    draft = translation_start_draft(fact_sheet=english_only.fact_sheet, language="es", by=author)
    draft.title, draft.summary = "HIDDEN borrador", "HIDDEN resumen"
    draft._history_user = author
    draft.save()
    return in_review, draft


def test_spanish_drafts_and_translations_in_review_are_never_served(client, hidden_translations):
    paths = [
        "/api/v1/factsheets/",
        "/api/v1/factsheets/examplumab/",
        "/api/v1/factsheets/examplumab/versions/",
        "/api/v1/factsheets/examplumab/versions/1/",
        "/api/v1/factsheets/examplumab/versions/2/",
        "/api/v1/factsheets/onlyenglish/",
        "/api/v1/factsheets/onlyenglish/versions/",
        "/api/v1/factsheets/onlyenglish/versions/1/",
        "/api/v1/conditions/",
        "/infobutton/?mainSearchCriteria.v.dn=examplumab&informationRecipient.languageCode.c=es",
        "/infobutton/?mainSearchCriteria.v.dn=onlyenglish&informationRecipient.languageCode.c=es"
        "&knowledgeResponseType=application/json",
    ]
    for path in paths:
        for params, headers in (({}, {}), ({"language": "es"}, {}), ({}, {"HTTP_ACCEPT_LANGUAGE": "es"})):
            if path.startswith("/infobutton/") and params:
                continue
            response = client.get(path, params, **headers)
            assert response.status_code in (200, 404), (path, params, headers)
            assert b"HIDDEN" not in response.content, (path, params, headers)
    assert get(client, "/api/v1/factsheets/examplumab/versions/2/", language="es").status_code == 404
    assert get(client, "/api/v1/factsheets/onlyenglish/", language="es").status_code == 404


def test_the_schema_documents_language_and_the_edition_fields(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in [
        "/api/v1/factsheets/",
        "/api/v1/factsheets/{slug}/",
        "/api/v1/factsheets/{slug}/versions/",
        "/api/v1/factsheets/{slug}/versions/{number}/",
    ]:
        operation = schema["paths"][path]["get"]
        [language] = [p for p in operation["parameters"] if p["name"] == "language"]
        assert language["in"] == "query" and language["schema"]["enum"] == ["en", "es"], path
        assert "400" in operation["responses"] and "404" in operation["responses"] or path.endswith("factsheets/")
    detail = schema["paths"]["/api/v1/factsheets/{slug}/"]["get"]
    assert any(p["name"] == "Accept-Language" and p["in"] == "header" for p in detail["parameters"])
    components = schema["components"]["schemas"]
    assert set(components["TranslationOf"]["properties"]) == {"version", "url", "current"}
    assert set(components["Edition"]["properties"]) == {"language", "version", "url"}
    for name in ("TranslationOf", "Edition"):
        assert all(spec.get("description") for spec in components[name]["properties"].values()), name
    assert "editions" in components["EditionNotFound"]["properties"]
