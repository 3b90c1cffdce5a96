"""End to end in Chromium: an author translates a live sheet into Spanish in the admin, the translation
reviewers sign it, the Spanish page goes live; a newer English version then makes it stale, which the Spanish
page and the author's dashboard both say."""

import re

import pytest
from django.urls import reverse

from factsheets.models import FactSheetRevision
from reviews.models import Review
from tests.browser.test_review_workflow import login, sign
from tests.factories import make_published, make_translation_committee
from tests.reviews.test_editions import publish_new_english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH = {
    "title": "Examplumab en español (muestra)",
    "summary": "Un medicamento inventado para probar este sistema. Calma las defensas del cuerpo.",
    "fast_facts": "Tómelo una vez por semana con comida.\nAvise a su médico si tiene fiebre.",
    "sections": [
        ("Cómo actúa", "El medicamento frena una señal que causa hinchazón en las articulaciones."),
        ("Cómo se usa", "Se pone una inyección bajo la piel una vez por semana, en casa."),
    ],
}


def test_author_translates_reviewers_sign_and_a_new_english_version_makes_it_stale(
    browser, live_server, author, reviewer1, reviewer2, committee
):
    english = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    translators = make_translation_committee(reviewer1, reviewer2)
    sheet = english.fact_sheet

    author_page = login(browser, live_server, author)
    author_page.goto(live_server.url + reverse("admin:factsheets_factsheet_change", args=[sheet.pk]))
    author_page.click("button:has-text('Start Spanish translation')")
    author_page.wait_for_url(re.compile(r".*/factsheetrevision/\d+/change/$"))
    assert "Spanish version 1 started as a draft, translating English version 1" in author_page.content()
    draft = FactSheetRevision.objects.get(fact_sheet=sheet, language="es")

    author_page.fill("#id_title", SPANISH["title"])
    author_page.fill("#id_summary", SPANISH["summary"])
    author_page.fill("#id_fast_facts", SPANISH["fast_facts"])
    for index, (heading, body) in enumerate(SPANISH["sections"]):
        author_page.fill(f"#id_sections-{index}-heading", heading)
        author_page.fill(f"#id_sections-{index}-body", body)
    author_page.click("input[name=_save_and_submit]")
    author_page.wait_for_url(re.compile(r".*/submit/\d+/$"))
    # Only the translation reviewers may review a translation, so they are chosen for the author.
    assert f"Reviewing committee: {translators.name}" in author_page.locator("fieldset.module").first.inner_text()
    author_page.click("input[value='Submit for review']")
    author_page.wait_for_url(re.compile(r".*/admin/workflow/reviews/\d+/$"))
    assert "What this translates" in author_page.content()
    review = Review.objects.get(revision=draft)
    assert review.committee == translators

    sign(login(browser, live_server, reviewer1), live_server, review.pk, "approve")
    reviewer2_page = sign(login(browser, live_server, reviewer2), live_server, review.pk, "approve")
    assert "the new version is live" in reviewer2_page.content()

    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/es/factsheets/{sheet.slug}/")
    text = public.content()
    assert SPANISH["title"] in text and "frena una señal que causa hinchazón" in text
    assert "se basa en una versión anterior en inglés" not in text

    publish_new_english(english, author=author, reviewers=[reviewer1, reviewer2], committee=committee)

    # A new visitor (the first one's browser may keep the page it was served for a while).
    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/es/factsheets/{sheet.slug}/")
    assert "Esta traducción se basa en una versión anterior en inglés (versión 1)." in public.content()

    author_page.goto(f"{live_server.url}/admin/")
    row = author_page.locator("#translations-to-update tbody tr")
    assert row.count() == 1
    assert "Translates English version 1; English version 2 is live." in row.inner_text()
    row.locator("button:has-text('Start the update')").click()
    author_page.wait_for_url(re.compile(r".*/factsheetrevision/\d+/change/$"))
    update = FactSheetRevision.objects.get(fact_sheet=sheet, language="es", number=2)
    assert update.translation_of.number == 2 and update.title == SPANISH["title"]
