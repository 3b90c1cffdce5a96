"""An author writes a sheet in the admin, previews it, edits it and finds both edits in the history."""

import pytest

from factsheets.models import FactSheetRevision
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_author_writes_previews_edits_and_sees_history(live_server, page, author):
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # The sheet and its first draft in one form.
    page.goto(f"{base}/admin/factsheets/factsheet/add/")
    page.fill("#id_generic_name", "browserumab")
    page.locator("#id_generic_name").blur()
    assert page.input_value("#id_slug") == "browserumab"  # prepopulated from the generic name
    page.fill("#id_brand_names", "Clickex")
    page.fill("#id_title", "Browserumab (Clickex)")
    page.fill("#id_summary", "A made-up medicine used to test the admin.")
    page.fill("#id_fast_facts", "Take it every Monday.\n\nKeep it in the fridge.")
    page.fill("#id_credit_line", "A. Writer, MD")
    page.click("input[name=_save]")
    page.wait_for_selector("text=Now add its sections")

    # Two sections on the draft's page.
    page.fill("#id_sections-0-position", "1")
    page.select_option("#id_sections-0-kind", "how_it_works")
    page.fill("#id_sections-0-heading", "How it works")
    page.fill("#id_sections-0-body", "It blocks a **signal** of swelling.")
    page.click("text=Add another Section")
    page.fill("#id_sections-1-position", "2")
    page.select_option("#id_sections-1-kind", "dosing")
    page.fill("#id_sections-1-heading", "How to take it")
    page.fill("#id_sections-1-body", "Once a week, with food.")
    page.fill("#id_change_note", "First version.")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")
    revision = FactSheetRevision.objects.get(fact_sheet__slug="browserumab")
    assert [s.heading for s in revision.sections.all()] == ["How it works", "How to take it"]

    # Preview as patients would see it.
    page.click(".object-tools a:has-text('Preview')")
    page.wait_for_selector(".notice-preview")
    assert page.locator("h1").inner_text() == "Browserumab (Clickex)"
    facts = page.locator(".fast-facts li").all_inner_texts()
    assert facts == ["Take it every Monday.", "Keep it in the fridge."]
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"

    # Edit again.
    page.goto(f"{base}/admin/factsheets/factsheetrevision/{revision.pk}/change/")
    page.fill("#id_title", "Browserumab (Clickex) for arthritis")
    page.fill("#id_fast_facts", "Take it every Monday.\nKeep it in the fridge.\nTell your doctor about a fever.")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was changed successfully")

    # Both edits, with their author, in the history.
    page.goto(f"{base}/admin/factsheets/factsheetrevision/{revision.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    changed = [row for row in rows.all() if "Changed" in row.inner_text()]
    assert len(changed) == 2
    assert all("author" in row.inner_text() for row in changed)
    history = page.locator("#change-history").inner_text()
    assert "Browserumab (Clickex) for arthritis" in history
    assert "Tell your doctor about a fever." in history
    assert "First version." in history
    sections = page.locator("#section-history").inner_text()
    assert "How it works" in sections and "How to take it" in sections and "author" in sections
