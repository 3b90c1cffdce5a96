"""The infobutton's web application mode in a real browser: from a problem code in the EHR to the sheet."""

import pytest

from factsheets.models import Condition
from tests.factories import FactSheetFactory, make_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ICD10CM = "2.16.840.1.113883.6.90"


@pytest.fixture
def two_sheets(author, reviewer1, reviewer2, committee):
    condition = Condition.objects.create(name="Example arthritis", slug="example-arthritis", icd10cm=["M06"])
    for slug, title in (("alphamab", "Alphamab"), ("betamab", "Betamab")):
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug=slug),
            conditions=[condition],
            title=title,
        )


def test_clinician_follows_a_problem_code_to_the_sheet(live_server, page, two_sheets):
    # A browser's own Accept header selects the web application mode: a chooser for two sheets.
    page.goto(f"{live_server.url}/infobutton/?mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.c=M06.9")
    assert page.locator("h1").inner_text().startswith("Fact sheets for ICD-10-CM code M06.9")
    page.get_by_role("link", name="Betamab").click()
    page.wait_for_url("**/factsheets/betamab/")
    assert page.locator("h1").inner_text() == "Betamab"


def test_one_match_opens_the_sheet_directly(live_server, page, two_sheets):
    page.goto(f"{live_server.url}/infobutton/?mainSearchCriteria.v.dn=Alphamab&knowledgeResponseType=text/html")
    assert page.url == f"{live_server.url}/factsheets/alphamab/"
    assert page.locator("h1").inner_text() == "Alphamab"


@pytest.mark.parametrize(
    "query",
    [
        "mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=M06.9&informationRecipient.languageCode.c=es",
        "mainSearchCriteria.v.cs=9.9.9&mainSearchCriteria.v.c=1",  # the error page
    ],
)
def test_chooser_and_error_pages_have_no_serious_axe_violations(live_server, page, two_sheets, query):
    from tests.browser.test_public_a11y import serious_violations

    page.goto(f"{live_server.url}/infobutton/?{query}")
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []
