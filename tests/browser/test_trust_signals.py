"""What tells a patient the sheet can be trusted: reviewed date, version, next review, and the printed footer.

Checked in the system Chromium at a phone width and a desktop width, on screen and in print media.
"""

import datetime as dt

import pytest

from factsheets.models import Condition
from tests.factories import FactSheetFactory, make_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    condition = Condition.objects.create(name="Example arthritis", slug="example-arthritis")
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="trustumab"),
        conditions=[condition],
        title="Trustumab (Trustex)",
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_reviewed_date_version_and_next_review_show_on_screen(live_server, page, live, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/factsheets/trustumab/")
    footer = page.locator(".sheet-footer")
    reviewed = f"{live.last_reviewed_on.day} {live.last_reviewed_on:%B %Y}"
    assert f"Last reviewed {reviewed} by the {live.reviewed_by_name}." in footer.locator(".last-reviewed").inner_text()
    assert footer.locator(".version-number").inner_text().startswith("Version 1.")
    assert footer.locator(".next-review").is_visible()
    assert not page.locator(".print-info").is_visible()  # the print footer is for paper only
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_printed_sheet_carries_address_version_reviewed_date_and_print_date(live_server, page, live, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/factsheets/trustumab/")
    # A page cached for days still prints today's date: the browser stamps it before printing.
    page.evaluate("document.querySelector('[data-print-date]').textContent = '1 January 2000'")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    info = page.locator(".print-info")
    assert info.is_visible()
    text = info.inner_text()
    assert "/factsheets/trustumab/" in text and "Version 1" in text
    assert f"Last reviewed {live.last_reviewed_on.day} {live.last_reviewed_on:%B %Y}" in text
    today = dt.date.today()
    assert f"Printed on {today.day} {today:%B %Y}" in text
    assert not page.locator(".site-search").is_visible()
