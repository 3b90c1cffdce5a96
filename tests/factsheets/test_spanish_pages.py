"""The Spanish public pages (/es/...): each serves the live Spanish edition or lists the sheets that have one,
with Spanish chrome, hreflang alternates both ways, a language switch, and a notice when the translation is
based on an earlier English version than the live one. English addresses are unchanged."""

import datetime as dt
import re

import pytest
from django.conf import settings

from reviews import services
from tests.factories import (
    SPANISH_TEXT,
    FactSheetFactory,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)
from tests.factsheets import test_public_pages
from tests.factsheets.test_public_pages import publish_new_version

SITE = settings.SITE_URL  # alternates and canonical addresses are absolute


# The published sheet "Examplumab (Examplex)" (slug examplumab, for rheumatoid arthritis) of the public page tests.
arthritis, live = test_public_pages.arthritis, test_public_pages.live


@pytest.fixture
def english(live):
    return live


@pytest.fixture
def translators(reviewer1, reviewer2, reviewer3):
    return make_translation_committee(reviewer1, reviewer2, reviewer3)


def translate(english, *, author, reviewer1, reviewer2, translators, **text):
    return make_published_translation(
        author=author,
        english=english,
        reviewers=[reviewer1, reviewer2],
        committee=translators,
        text={**SPANISH_TEXT, **text},
    )


@pytest.fixture
def spanish(english, author, reviewer1, reviewer2, translators):
    return translate(english, author=author, reviewer1=reviewer1, reviewer2=reviewer2, translators=translators)


@pytest.fixture
def english_only(author, reviewer1, reviewer2, committee, arthritis):
    """A second live sheet, with no Spanish edition."""
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="onlyenglishab"),
        title="Onlyenglishab (Solo)",
        summary="Only in English.",
        conditions=[arthritis],
    )


def html_of(response):
    return response.content.decode()


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


def switch(html):
    return re.search(r'<p class="language-switch">(.*?)</p>', html).group(1)


def new_english(english, *, author, reviewer1, reviewer2, committee):
    return publish_new_version(
        english, author=author, reviewers=[reviewer1, reviewer2], committee=committee, title=english.title
    )


# The sheet page ------------------------------------------------------------------------------------


def test_spanish_sheet_page_serves_the_live_spanish_edition_in_spanish_chrome(client, english, spanish):
    response = client.get("/es/factsheets/examplumab/")
    html = html_of(response)
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert spanish.rendition.body_html in html and english.rendition.body_html not in html
    assert '<meta property="og:locale" content="es_ES">' in html
    assert f'<link rel="canonical" href="{SITE}/es/factsheets/examplumab/">' in html
    assert '<a class="version-links" href="/es/factsheets/examplumab/versions/">' in html
    assert "Esta traducción se basa" not in html  # current: no notice
    assert '<meta property="og:locale" content="en_US">' in html_of(client.get("/factsheets/examplumab/"))


def test_spanish_dates_use_spanish_month_names_in_spanish_word_order(client, english, spanish):
    spanish_dates = {"updated_on": dt.date(2015, 3, 1), "last_reviewed_on": dt.date(2015, 3, 4)}
    type(spanish).objects.filter(pk=spanish.pk).update(**spanish_dates)  # workflow fields, not signed content
    type(english).objects.filter(pk=english.pk).update(**spanish_dates)
    html = html_of(client.get("/es/factsheets/examplumab/"))
    assert (
        f"Actualizada en marzo de 2015 por {spanish.credit_line}, y revisada por el {spanish.reviewed_by_name}." in html
    )
    assert "Última revisión: 4 de marzo de 2015" in html
    english_html = html_of(client.get("/factsheets/examplumab/"))
    assert (
        f"Updated March 2015 by {english.credit_line}, and reviewed by the {english.reviewed_by_name}." in english_html
    )
    assert "Last reviewed 4 March 2015" in english_html


def test_sheet_pages_name_each_other_as_hreflang_alternates(client, spanish):
    expected = {
        "en": f"{SITE}/factsheets/examplumab/",
        "es": f"{SITE}/es/factsheets/examplumab/",
        "x-default": f"{SITE}/factsheets/examplumab/",
    }
    assert alternates(html_of(client.get("/factsheets/examplumab/"))) == expected
    assert alternates(html_of(client.get("/es/factsheets/examplumab/"))) == expected
    versions = {k: v.replace("examplumab/", "examplumab/versions/") for k, v in expected.items()}
    assert alternates(html_of(client.get("/es/factsheets/examplumab/versions/"))) == versions


def test_an_english_only_sheet_names_no_spanish_alternate_and_switches_to_the_spanish_index(client, english):
    html = html_of(client.get("/factsheets/examplumab/"))
    assert alternates(html) == {}
    assert switch(html) == '<a href="/es/" hreflang="es" lang="es">Español</a>'


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(client, spanish):
    assert switch(html_of(client.get("/factsheets/examplumab/"))) == (
        '<a href="/es/factsheets/examplumab/" hreflang="es" lang="es">Español</a>'
    )
    assert switch(html_of(client.get("/es/factsheets/examplumab/"))) == (
        '<a href="/factsheets/examplumab/" hreflang="en" lang="en">English</a>'
    )
    assert switch(html_of(client.get("/es/"))) == '<a href="/" hreflang="en" lang="en">English</a>'
    assert switch(html_of(client.get("/conditions/rheumatoid-arthritis/"))) == (
        '<a href="/es/conditions/rheumatoid-arthritis/" hreflang="es" lang="es">Español</a>'
    )
    assert switch(html_of(client.get("/es/no-such-page/"))) == '<a href="/" hreflang="en" lang="en">English</a>'


def test_a_sheet_without_a_spanish_edition_is_404_in_spanish_linking_its_english_page(client, english):
    for url in [
        "/es/factsheets/examplumab/",
        "/es/factsheets/examplumab/versions/",
        "/es/factsheets/examplumab/versions/1/",
    ]:
        response = client.get(url)
        html = html_of(response)
        assert response.status_code == 404, url
        assert "<h1>Página no encontrada</h1>" in html
        assert '<a href="/factsheets/examplumab/" hreflang="en">Léala en inglés</a>' in html
    never = html_of(client.get("/es/factsheets/never-published/"))
    assert "Léala en inglés" not in never and "<h1>Página no encontrada</h1>" in never


def test_a_withdrawn_sheet_is_410_in_spanish_under_its_spanish_title(
    client, english, author, reviewer1, reviewer2, translators, editor
):
    translate(
        english, author=author, reviewer1=reviewer1, reviewer2=reviewer2, translators=translators, title="Examplumabo"
    )
    services.factsheet_withdraw(fact_sheet=english.fact_sheet, by=editor, reason="Retirado del mercado.")
    for url in [
        "/es/factsheets/examplumab/",
        "/es/factsheets/examplumab/versions/",
        "/es/factsheets/examplumab/versions/1/",
    ]:
        response = client.get(url)
        assert response.status_code == 410, url
        html = html_of(response)
        assert "<h1>Esta hoja informativa se ha retirado</h1>" in html
        assert "&ldquo;Examplumabo&rdquo;" in html or "“Examplumabo”" in html, html
    assert "Examplumabo" not in html_of(client.get("/factsheets/examplumab/"))  # English keeps its own title
    assert "examplumab" not in html_of(client.get("/es/")).lower()


def test_an_unprefixed_page_is_english_whatever_the_browser_asks(client, spanish):
    response = client.get("/factsheets/examplumab/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in html_of(response)
    assert "accept-language" not in response.get("Vary", "").lower()
    assert "accept-language" not in client.get("/es/factsheets/examplumab/").get("Vary", "").lower()
    assert client.get("/es/feed/").status_code == 404  # the feed has one address
    assert client.get("/es").status_code == 301 and client.get("/es")["Location"] == "/es/"


# Versions --------------------------------------------------------------------------------------------


def test_spanish_versions_are_the_spanish_editions_own(
    client, spanish, english, author, reviewer1, reviewer2, committee, translators
):
    new_english(english, author=author, reviewer1=reviewer1, reviewer2=reviewer2, committee=committee)
    second = translate(
        english,
        author=author,
        reviewer1=reviewer1,
        reviewer2=reviewer2,
        translators=translators,
        summary="Segunda versión en español.",
    )
    html = html_of(client.get("/es/factsheets/examplumab/versions/"))
    assert '<a href="/es/factsheets/examplumab/versions/2/">Versión 2</a> <span class="current-tag">' in html
    assert '<a href="/es/factsheets/examplumab/versions/1/">Versión 1</a></th>' in html
    assert "versions/3/" not in html
    old = html_of(client.get("/es/factsheets/examplumab/versions/1/"))
    assert spanish.rendition.body_html in old
    assert '<a href="/es/factsheets/examplumab/">Lea la versión actual (versión 2)</a>' in old
    assert alternates(old) == {}  # an older version has no counterpart in English
    assert "Last-Modified" not in client.get("/es/factsheets/examplumab/versions/1/")  # moves with version 2
    assert second.rendition.body_html in html_of(client.get("/es/factsheets/examplumab/"))
    assert client.get("/es/factsheets/examplumab/versions/3/").status_code == 404


def test_a_spanish_draft_or_review_is_never_shown(client, spanish, english, author, translators):
    draft = make_translation(author=author, english=english, text={**SPANISH_TEXT, "summary": "Zqborrador secreto."})
    for url in [
        "/es/",
        "/es/factsheets/examplumab/",
        "/es/factsheets/examplumab/versions/",
        "/es/factsheets/examplumab/versions/2/",
    ]:
        assert "zqborrador" not in html_of(client.get(url)).lower(), url
    services.revision_submit(revision=draft, by=author, committee=translators, justification="Test.")
    assert client.get("/es/factsheets/examplumab/versions/2/").status_code == 404
    assert "zqborrador" not in html_of(client.get("/es/factsheets/examplumab/")).lower()


# Staleness -------------------------------------------------------------------------------------------


def test_a_stale_translation_says_so_in_spanish_and_links_the_current_english_page(
    client, spanish, english, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    before = client.get("/es/factsheets/examplumab/")  # stored by the public response cache
    assert "Esta traducción se basa" not in html_of(before)
    with django_capture_on_commit_callbacks(execute=True):
        new_english(english, author=author, reviewer1=reviewer1, reviewer2=reviewer2, committee=committee)
    after = client.get("/es/factsheets/examplumab/")
    html = html_of(after)
    assert after.status_code == 200
    assert (
        "Esta traducción se basa en una versión anterior en inglés (versión 1). "
        '<a href="/factsheets/examplumab/" hreflang="en">Lea la versión actual en inglés.</a>'
    ) in html
    assert after["ETag"] != before["ETag"]
    assert "sheet-examplumab" in before["Cache-Tag"]  # shared caches drop it with the English pages
    assert spanish.rendition.body_html in html  # still the signed Spanish text
    assert "Esta traducción se basa en una versión anterior en inglés (versión 1)." in html_of(
        client.get("/es/factsheets/examplumab/versions/1/")
    )
    assert "Esta traducción" not in html_of(client.get("/factsheets/examplumab/"))


# Lists -----------------------------------------------------------------------------------------------


def test_spanish_index_lists_sheets_with_a_spanish_edition_a_to_z_by_spanish_title(
    client, spanish, english_only, author, reviewer1, reviewer2, committee, translators
):
    other = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="zedamab"),
        title="Zedamab (Zeda)",
    )
    translate(
        other, author=author, reviewer1=reviewer1, reviewer2=reviewer2, translators=translators, title="Abecemab (Zeda)"
    )
    html = html_of(client.get("/es/"))
    assert "Onlyenglishab" not in html
    assert html.index('<a href="/es/factsheets/zedamab/">Abecemab (Zeda)</a>') < html.index(
        '<a href="/es/factsheets/examplumab/">Examplumab (Examplex)</a>'
    )
    assert 'href="/es/?letter=A"' in html and 'href="/es/?letter=O"' not in html
    assert "Abecemab" in html_of(client.get("/es/?letter=A")) and "Abecemab" not in html_of(client.get("/es/?letter=E"))
    assert '<a href="/es/conditions/rheumatoid-arthritis/">Rheumatoid arthritis</a>' in html
    assert alternates(html) == {"en": f"{SITE}/", "es": f"{SITE}/es/", "x-default": f"{SITE}/"}
    assert "Abecemab" not in html_of(client.get("/")) and "Onlyenglishab" in html_of(client.get("/"))


def test_spanish_condition_page_lists_only_its_sheets_with_a_spanish_edition(client, spanish, english_only):
    html = html_of(client.get("/es/conditions/rheumatoid-arthritis/"))
    assert '<a href="/es/factsheets/examplumab/">Examplumab (Examplex)</a>' in html
    assert f'<p class="sheet-summary">{SPANISH_TEXT["summary"]}</p>' in html
    assert "Onlyenglishab" not in html
    assert "Onlyenglishab" in html_of(client.get("/conditions/rheumatoid-arthritis/"))


# Caches and budgets ----------------------------------------------------------------------------------


def test_english_and_spanish_answers_are_cached_apart(client, spanish, django_assert_num_queries):
    for url in ["/", "/conditions/rheumatoid-arthritis/", "/factsheets/examplumab/"]:
        english, spanish_page = client.get(url), client.get(f"/es{url}")
        assert english["ETag"] != spanish_page["ETag"], url
        with django_assert_num_queries(0):  # both from the response cache, each its own
            assert '<html lang="en">' in html_of(client.get(url))
            assert '<html lang="es">' in html_of(client.get(f"/es{url}"))
        assert client.get(f"/es{url}", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 200


def test_spanish_sheet_page_within_the_english_budget(client, spanish, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # as tests/factsheets/test_public_query_budgets.py for English
        assert client.get("/es/factsheets/examplumab/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/es/factsheets/examplumab/versions/1/").status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get("/es/factsheets/examplumab/").status_code == 200


def test_spanish_lists_within_the_english_budget(client, spanish, english_only, django_assert_max_num_queries):
    for url in ["/es/", "/es/?letter=E", "/es/conditions/rheumatoid-arthritis/", "/es/factsheets/examplumab/versions/"]:
        with django_assert_max_num_queries(5, info=url):  # as the English lists
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(2):  # naming its Spanish edition costs the English page nothing more
        assert 'hreflang="es"' in html_of(client.get("/factsheets/examplumab/"))
