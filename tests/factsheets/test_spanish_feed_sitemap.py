"""The feed and the sitemap name the Spanish pages: a Spanish publication is a feed entry in Spanish linking its /es/
page; the sitemap lists every live edition's page with hreflang alternates both ways (and x-default) for sheets
readable in both languages. Both parsed as XML."""

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from reviews import services
from tests.factories import SPANISH_TEXT, make_translation
from tests.factsheets import test_spanish_pages

arthritis, live, english, translators, spanish, english_only = (
    test_spanish_pages.arthritis,
    test_spanish_pages.live,
    test_spanish_pages.english,
    test_spanish_pages.translators,
    test_spanish_pages.spanish,
    test_spanish_pages.english_only,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITE = settings.SITE_URL


def feed_entries(client) -> list[dict]:
    response = client.get("/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.get(XML_LANG) == "en"
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        entries.append(
            {
                "lang": entry.get(XML_LANG),
                "title": entry.findtext(f"{ATOM}title"),
                "href": urlsplit(link.get("href")).path,  # the feed's links are on the request's host
                "hreflang": link.get("hreflang"),
                "id": entry.findtext(f"{ATOM}id"),
            }
        )
    return entries


def test_a_spanish_publication_is_a_spanish_feed_entry_linking_its_spanish_page(client, english, spanish):
    entries = feed_entries(client)
    assert len(entries) == 2
    by_lang = {entry["lang"]: entry for entry in entries}
    assert by_lang["es"] == {
        "lang": "es",
        "title": f"{SPANISH_TEXT['title']} (versión 1)",
        "href": "/es/factsheets/examplumab/versions/1/",
        "hreflang": "es",
        "id": f"{SITE}/es/factsheets/examplumab/versions/1/",
    }
    assert by_lang["en"]["title"] == f"{english.title} (version 1)"
    assert by_lang["en"]["href"] == "/factsheets/examplumab/versions/1/" and by_lang["en"]["hreflang"] == "en"


def test_spanish_drafts_and_reviews_are_not_in_the_feed(client, english, english_only, author, translators):
    draft = make_translation(author=author, english=english_only)
    services.revision_submit(revision=draft, by=author, committee=translators, justification="Test content.")
    make_translation(author=author, english=english)
    entries = feed_entries(client)
    assert {entry["lang"] for entry in entries} == {"en"} and len(entries) == 2


# Sitemap -------------------------------------------------------------------------------------------------------


def sitemap_urls(client) -> dict[str, dict[str, str]]:
    """loc -> {hreflang: href} of every address on every sitemap page."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    found = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        response = client.get(loc.text.removeprefix(SITE))
        assert response.status_code == 200 and response["Content-Type"] == "application/xml"
        for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
            alternates = {
                link.get("hreflang"): link.get("href")
                for link in url.findall(f"{XHTML}link")
                if link.get("rel") == "alternate"
            }
            found[url.findtext(f"{SITEMAP}loc")] = alternates
    return found


def test_sitemap_lists_spanish_pages_with_alternates_both_ways(client, spanish, english_only):
    pair = {
        "en": f"{SITE}/factsheets/examplumab/",
        "es": f"{SITE}/es/factsheets/examplumab/",
        "x-default": f"{SITE}/factsheets/examplumab/",
    }
    assert sitemap_urls(client) == {
        f"{SITE}/factsheets/examplumab/": pair,
        f"{SITE}/es/factsheets/examplumab/": pair,
        f"{SITE}/factsheets/onlyenglishab/": {},  # one edition: no alternates
    }


def test_sitemap_never_lists_a_spanish_draft_or_a_withdrawn_sheet(
    client, spanish, english_only, author, editor, django_capture_on_commit_callbacks
):
    make_translation(author=author, english=english_only)
    assert f"{SITE}/es/factsheets/onlyenglishab/" not in sitemap_urls(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=spanish.fact_sheet, by=editor, reason="Retirada.")
    assert set(sitemap_urls(client)) == {f"{SITE}/factsheets/onlyenglishab/"}


@pytest.mark.parametrize("url", ["/sitemaps/factsheets-1.xml", "/feed/"])
def test_feed_and_sitemap_with_spanish_editions_within_budget(
    client, spanish, english_only, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):  # as tests/factsheets/test_public_query_budgets.py
        assert client.get(url).status_code == 200


def test_a_sitemap_page_is_what_djangos_sitemap_template_writes(client, settings, spanish, english_only):
    """The page is written without a template (it names 5,000 addresses): exactly the template's characters, the
    alternates and each lastmod on the site's time zone's date included."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from factsheets.models import FactSheetRevision
    from factsheets.public.sitemaps import LiveFactSheetSitemap

    settings.TIME_ZONE = "America/Chicago"  # 03:00 UTC is the evening before there
    FactSheetRevision.objects.filter(pk=english_only.pk).update(
        published_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
    )
    site = urlsplit(SITE)
    urls = LiveFactSheetSitemap().get_urls(page=1, site=SimpleNamespace(domain=site.netloc), protocol=site.scheme)
    written = client.get("/sitemaps/factsheets-1.xml").content.decode()
    assert written == render_to_string("sitemap.xml", {"urlset": urls})
    assert "<lastmod>2026-03-01</lastmod>" in written and 'hreflang="x-default"' in written
