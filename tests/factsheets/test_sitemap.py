"""The sitemap lists every live sheet, in pages named by a sitemap index, whatever the number of sheets."""

import re

import pytest

from factsheets.public.sitemaps import LiveFactSheetSitemap
from reviews import services
from tests.factories import FactSheetFactory, make_draft, make_published


@pytest.fixture
def five_live(author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [
            make_published(
                author=author,
                reviewers=[reviewer1, reviewer2],
                committee=committee,
                fact_sheet=FactSheetFactory(slug=f"sheet-{i}"),
                title=f"Sheet {i}",
            )
            for i in range(5)
        ]


def _locs(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_every_live_sheet_is_listed_once_across_the_pages(
    client, five_live, monkeypatch, settings, author, editor, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://sheets.example.org"
    monkeypatch.setattr(LiveFactSheetSitemap, "limit", 2)
    make_draft(author=author, fact_sheet=FactSheetFactory(slug="never-published"))
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=five_live[0].fact_sheet, by=editor, reason="Replaced.")
    pages = _locs(client, "/sitemap.xml")
    assert pages == [f"https://sheets.example.org/sitemaps/factsheets-{n}.xml" for n in (1, 2)]
    listed = [loc for page in pages for loc in _locs(client, page.removeprefix("https://sheets.example.org"))]
    assert sorted(listed) == [f"https://sheets.example.org/factsheets/sheet-{i}/" for i in range(1, 5)]


def test_a_page_past_the_last_is_not_found(client, five_live):
    assert client.get("/sitemaps/factsheets-2.xml").status_code == 404
    assert client.get("/sitemaps/factsheets-0.xml").status_code == 404


def test_an_empty_site_has_one_empty_page(client, db):
    assert _locs(client, "/sitemap.xml") == ["http://127.0.0.1:8000/sitemaps/factsheets-1.xml"]
    assert _locs(client, "/sitemaps/factsheets-1.xml") == []
