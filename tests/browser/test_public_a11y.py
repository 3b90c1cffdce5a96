"""Accessibility (axe-core in the system Chromium) and layout of the public pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from factsheets.models import Condition
from tests.factories import FactSheetFactory, make_published, make_published_translation, make_translation_committee

# The live server reads through its own connection, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sheet_with_history(author, reviewer1, reviewer2, reviewer3, committee):
    condition = Condition.objects.create(name="Example arthritis", slug="example-arthritis")
    sheet = FactSheetFactory(slug="examplumab")
    names = {
        "generic_name": "examplumab",
        "brand_names": "Examplex, Samplora, Averyveryverylongbrandnamewithoutanybreaks",
        "conditions": [condition],
        "title": "Examplumab (Examplex)",
    }
    make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=sheet,
        change_note="First version.",
        **names,
    )
    # Its Spanish edition translates version 1, so it is stale once version 2 goes live: the notice shows.
    english = sheet.revisions.get(number=1)
    make_published_translation(
        author=author,
        english=english,
        reviewers=[reviewer1, reviewer2],
        committee=make_translation_committee(reviewer1, reviewer2, reviewer3),
    )
    make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=sheet,
        number=2,
        change_note="Clearer advice on missed doses.",
        **names,
    )
    return sheet


def serious_violations(page):
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/factsheets/examplumab/",
        "/search/?q=examplumab",
        "/factsheets/examplumab/versions/1/",
        "/factsheets/examplumab/versions/",
        "/es/",
        "/es/factsheets/examplumab/",
        "/es/search/?q=examplumab",
        "/es/factsheets/examplumab/versions/1/",
        "/es/factsheets/examplumab/versions/",
        "/es/conditions/example-arthritis/",
        "/es/factsheets/not-translated-yet/",
    ],
)
def test_public_pages_have_no_serious_axe_violations(live_server, page, sheet_with_history, path):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []


def test_skip_link_and_search_label_work(live_server, page, sheet_with_history):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Search fact sheets").fill("samplora")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=samplora")
    assert page.get_by_role("link", name="Examplumab (Examplex)").count() == 1


def test_stale_spanish_page_links_to_the_current_english_page(live_server, page, sheet_with_history):
    page.goto(live_server.url + "/es/factsheets/examplumab/")
    assert "versión anterior en inglés (versión 1)" in page.locator(".notice-old").inner_text()
    switch = page.get_by_role("link", name="English", exact=True)
    assert switch.get_attribute("lang") == "en"
    page.get_by_role("link", name="Lea la versión actual en inglés.").click()
    page.wait_for_url("**/factsheets/examplumab/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Español").get_attribute("href") == "/es/factsheets/examplumab/"


def test_old_version_links_to_current(live_server, page, sheet_with_history):
    page.goto(live_server.url + "/factsheets/examplumab/versions/1/")
    assert "older version" in page.locator(".notice-old").inner_text()
    page.get_by_role("link", name="Read the current version (version 2)").click()
    page.wait_for_url("**/factsheets/examplumab/")
    assert page.locator(".notice-old").count() == 0


OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName + (el.className ? '.' + el.className : ''));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_sheet_fits_the_viewport_without_horizontal_scrolling(
    live_server, browser, sheet_with_history, tmp_path, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/factsheets/examplumab/")
        shot = tmp_path / f"sheet-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 1000
        result = page.evaluate(OVERFLOW_JS)
        assert result["scrollWidth"] <= result["width"], result
        assert result["wide"] == [], result
    finally:
        context.close()


def test_print_layout_hides_navigation(live_server, page, sheet_with_history):
    page.goto(live_server.url + "/factsheets/examplumab/")
    page.emulate_media(media="print")
    assert not page.locator(".site-search").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.locator("h1").is_visible() and page.locator(".disclaimer").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
