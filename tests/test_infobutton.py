"""`/infobutton/`: the HL7 URL-based knowledge request, answered from live sheets only."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from factsheets.models import FactSheet
from factsheets.content.services import revision_start_draft
from reviews import services
from tests.factories import ConditionFactory, make_draft, make_published

pytestmark = pytest.mark.django_db

A = "{http://www.w3.org/2005/Atom}"
RXNORM, NDC, ATC, ICD10CM, SNOMEDCT = (
    "2.16.840.1.113883.6.88",
    "2.16.840.1.113883.6.69",
    "2.16.840.1.113883.6.73",
    "2.16.840.1.113883.6.90",
    "2.16.840.1.113883.6.96",
)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def publish(author, reviewer1, reviewer2, committee):
    def _publish(**fields):
        return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, **fields)

    return _publish


@pytest.fixture
def sheets(publish):
    ra = ConditionFactory(slug="ra", name="Rheumatoid arthritis", icd10cm=["M05", "M06.9"], snomedct=["69896004"])
    gout = ConditionFactory(slug="gout", name="Gout", icd10cm=["M10"], snomedct=["90560007"])
    one = publish(
        title="Examplumab (Examplex)",
        generic_name="examplumab",
        conditions=[ra],
        rxnorm=["111111"],
        atc=["L04AB99"],
        ndc=["00002-1433-80"],
        summary="Calms an overactive immune system.",
    )
    two = publish(title="Trialinib", generic_name="trialinib", conditions=[ra, gout], rxnorm=["222222"])
    return {"one": one, "two": two}


def ask(client, response_type=None, **params):
    names = {
        "c": "mainSearchCriteria.v.c",
        "cs": "mainSearchCriteria.v.cs",
        "dn": "mainSearchCriteria.v.dn",
        "lang": "informationRecipient.languageCode.c",
    }
    query = {names[k]: v for k, v in params.items()}
    if response_type:
        query["knowledgeResponseType"] = response_type
    return client.get("/infobutton/", query)


def atom_titles(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        assert feed.find(f"{A}{tag}").text, tag
    entries = feed.findall(f"{A}entry")
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"{A}{tag}").text, tag
        assert entry.find(f"{A}link").get("href").startswith("http")
    return [entry.find(f"{A}title").text for entry in entries]


def json_titles(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [entry["title"]["_value"] for entry in response.json()["feed"]["entry"]]


def test_atom_feed_for_an_rxcui_lists_the_matching_sheet(client, sheets):
    assert atom_titles(ask(client, c="111111", cs=RXNORM)) == ["Examplumab (Examplex)"]


def test_atom_entry_carries_link_summary_and_review_date(client, sheets):
    feed = ET.fromstring(ask(client, c="111111", cs=RXNORM).content)
    entry = feed.find(f"{A}entry")
    assert entry.find(f"{A}link").get("href").endswith("/factsheets/" + sheets["one"].fact_sheet.slug + "/")
    assert entry.find(f"{A}summary").text == "Calms an overactive immune system."
    assert entry.find("{urn:factsheets:infobutton}lastReviewed").text == sheets["one"].last_reviewed_on.isoformat()


@pytest.mark.parametrize("code, system", [("00002143380", NDC), ("0002-1433-80", NDC), ("L04AB99", ATC)])
def test_ndc_with_or_without_dashes_and_atc_match(client, sheets, code, system):
    assert atom_titles(ask(client, c=code, cs=system)) == ["Examplumab (Examplex)"]


def test_icd10cm_code_within_a_category_matches_the_condition(client, sheets):
    assert atom_titles(ask(client, c="M05.79", cs=ICD10CM)) == ["Examplumab (Examplex)", "Trialinib"]
    assert atom_titles(ask(client, c="M10.9", cs=ICD10CM)) == ["Trialinib"]


def test_snomed_ct_concept_matches_its_condition(client, sheets):
    assert json_titles(ask(client, "application/json", c="90560007", cs=SNOMEDCT)) == ["Trialinib"]


def test_display_name_is_searched_when_no_code_matches(client, sheets):
    assert json_titles(ask(client, "application/json", c="999999", cs=RXNORM, dn="Trialinib")) == ["Trialinib"]
    assert json_titles(ask(client, "application/json", c="M79.1", cs=ICD10CM, dn="gout")) == ["Trialinib"]


def test_no_match_is_an_empty_valid_feed(client, sheets):
    assert atom_titles(ask(client, c="999999", cs=RXNORM)) == []
    assert ask(client, "application/json", c="999999", cs=RXNORM).json()["feed"]["entry"] == []


def test_json_mirrors_the_atom_feed(client, sheets):
    feed = ask(client, "application/json", c="111111", cs=RXNORM).json()["feed"]
    [entry] = feed["entry"]
    assert {"title", "id", "updated", "subtitle", "author", "entry", "lang"} <= set(feed)
    assert entry["link"][0]["href"] == entry["id"]["_value"] and entry["link"][0]["rel"] == "alternate"
    assert entry["summary"]["_value"] == "Calms an overactive immune system."
    assert entry["lastReviewed"]["_value"] == sheets["one"].last_reviewed_on.isoformat()


def test_spanish_request_is_answered_in_english_and_says_so(client, sheets):
    feed = ask(client, "application/json", c="111111", cs=RXNORM, lang="es").json()["feed"]
    assert feed["language"] == {"requested": "es", "served": "en"} and feed["entry"][0]["lang"] == "en"
    assert "No Spanish edition exists yet" in feed["subtitle"]["_value"]
    atom = ET.fromstring(ask(client, c="111111", cs=RXNORM, lang="es").content)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert "No Spanish edition" in atom.find(f"{A}subtitle").text


@pytest.mark.parametrize(
    "response_type, content_type", [(None, "application/xml"), ("application/json", "application/json")]
)
def test_unknown_code_system_is_400_in_the_requested_format(client, sheets, response_type, content_type):
    response = ask(client, response_type, c="111111", cs="1.2.3.4")
    assert response.status_code == 400 and response["Content-Type"].startswith(content_type)
    message = response.json()["message"] if response_type else ET.fromstring(response.content).find("message").text
    assert "1.2.3.4" in message and "not a code system" in message


@pytest.mark.parametrize(
    "params, phrase",
    [
        ({"c": "111111"}, "needs its code system"),
        ({"cs": RXNORM}, "without a code"),
        ({}, "Send a code"),
        ({"c": "12a", "cs": RXNORM}, "not a valid RxNorm RXCUI"),
        ({"c": "69896005", "cs": SNOMEDCT}, "check digit"),
        ({"c": "111111", "cs": RXNORM, "lang": "fr"}, "“en” or “es”"),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, params, phrase):
    response = ask(client, "application/json", **params)
    assert response.status_code == 400 and phrase in response.json()["message"]


def test_unknown_response_type_is_400(client):
    response = client.get("/infobutton/", {"mainSearchCriteria.v.dn": "x", "knowledgeResponseType": "text/csv"})
    assert (
        response.status_code == 400 and "knowledgeResponseType" in ET.fromstring(response.content).find("message").text
    )


def test_draft_and_version_in_review_are_never_listed(client, author, committee, publish):
    make_draft(author=author, rxnorm=["333333"], title="Draftamab")
    in_review = make_draft(author=author, rxnorm=["333333"], title="Reviewamab")
    services.revision_submit(revision=in_review, by=author, committee=committee, justification="x")
    assert atom_titles(ask(client, c="333333", cs=RXNORM, dn="Draftamab")) == []


def test_new_draft_of_a_live_sheet_does_not_add_its_new_code(client, sheets, author):
    draft = revision_start_draft(fact_sheet=sheets["one"].fact_sheet, by=author)
    draft.rxnorm = ["444444"]
    draft.save()
    assert atom_titles(ask(client, c="444444", cs=RXNORM)) == []
    assert atom_titles(ask(client, c="111111", cs=RXNORM)) == ["Examplumab (Examplex)"]


def test_withdrawn_sheet_is_not_listed(client, sheets, editor):
    services.factsheet_withdraw(fact_sheet=sheets["one"].fact_sheet, by=editor, reason="Replaced by another sheet.")
    assert atom_titles(ask(client, c="111111", cs=RXNORM)) == []
    assert atom_titles(ask(client, c="M06.9", cs=ICD10CM)) == ["Trialinib"]


def test_superseded_version_codes_no_longer_match(client, sheets, publish):
    sheet = FactSheet.objects.get(pk=sheets["two"].fact_sheet_id)
    publish(fact_sheet=sheet, number=2, title="Trialinib", rxnorm=["555555"])
    assert atom_titles(ask(client, c="222222", cs=RXNORM)) == []
    assert atom_titles(ask(client, c="555555", cs=RXNORM)) == ["Trialinib"]


def test_html_mode_redirects_one_match_to_the_sheet(client, sheets):
    response = ask(client, "text/html", c="111111", cs=RXNORM)
    assert response.status_code == 302 and response["Location"] == f"/factsheets/{sheets['one'].fact_sheet.slug}/"


def test_browser_accept_header_gets_the_chooser_for_several(client, sheets):
    response = client.get(
        "/infobutton/",
        {"mainSearchCriteria.v.c": "M06.9", "mainSearchCriteria.v.cs": ICD10CM},
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert b"Examplumab (Examplex)" in response.content and b"Trialinib" in response.content


def test_public_cache_headers_and_bounded_queries(client, sheets, django_assert_max_num_queries, settings):
    with django_assert_max_num_queries(2):
        response = ask(client, c="M06.9", cs=ICD10CM)
    assert (
        f"max-age={settings.FACTSHEETS_CACHE_SECONDS}" in response["Cache-Control"]
        and "public" in response["Cache-Control"]
    )
    assert "Accept" in response["Vary"]


def test_titles_are_escaped_in_atom(client, publish):
    publish(title="A <b>&</b> B", rxnorm=["666666"])
    assert atom_titles(ask(client, c="666666", cs=RXNORM)) == ["A <b>&</b> B"]


def test_demo_content_is_found_by_its_checked_codes(client):
    from django.core.management import call_command

    call_command("load_demo", password="demo-password-1", stdout=__import__("io").StringIO())
    assert atom_titles(ask(client, c="14445017001", cs=NDC)) == [
        FactSheet.objects.get(slug="allopurinol").live_revision.title
    ]
    assert len(atom_titles(ask(client, c="M06.9", cs=ICD10CM))) >= 1


def test_rate_limited_like_the_api(client, sheets, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    statuses = [ask(client, c="111111", cs=RXNORM).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.fixture
def translated(sheets, author, reviewer1, reviewer2, reviewer3):
    """Examplumab gets a live Spanish edition; Trialinib stays English only."""
    from tests.factories import SPANISH_TEXT, make_published_translation, make_translation_committee

    translators = make_translation_committee(reviewer1, reviewer2, reviewer3)
    return make_published_translation(
        author=author,
        english=sheets["one"],
        reviewers=[reviewer1, reviewer2],
        committee=translators,
        text={**SPANISH_TEXT, "title": "Examplumab en español", "summary": "Calma un sistema inmune muy activo."},
    )


def test_spanish_request_serves_the_live_spanish_edition_and_says_so(client, sheets, translated):
    feed = ask(client, "application/json", c="111111", cs=RXNORM, lang="es").json()["feed"]
    assert feed["language"] == {"requested": "es", "served": "es"} and feed["lang"] == "es"
    [entry] = feed["entry"]
    assert entry["lang"] == "es" and entry["title"]["_value"] == "Examplumab en español"
    assert entry["summary"]["_value"] == "Calma un sistema inmune muy activo."
    slug = sheets["one"].fact_sheet.slug
    assert entry["link"][0]["href"].endswith(f"/es/factsheets/{slug}/") and entry["link"][0]["hreflang"] == "es"
    atom = ET.fromstring(ask(client, c="111111", cs=RXNORM, lang="es").content)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    atom_entry = atom.find(f"{A}entry")
    assert atom_entry.find(f"{A}title").text == "Examplumab en español"
    assert atom_entry.find("{urn:factsheets:infobutton}language").text == "es"
    assert "No Spanish edition" not in atom.find(f"{A}subtitle").text


def test_spanish_request_mixes_editions_and_marks_each_entry(client, sheets, translated):
    feed = ask(client, "application/json", c="M05.79", cs=ICD10CM, lang="es").json()["feed"]
    assert [(e["title"]["_value"], e["lang"]) for e in feed["entry"]] == [
        ("Examplumab en español", "es"),
        ("Trialinib", "en"),
    ]
    assert feed["language"]["served"] == "es"
    assert "1 of them has no Spanish edition yet and is in English" in feed["subtitle"]["_value"]
    atom = ET.fromstring(ask(client, c="M05.79", cs=ICD10CM, lang="es").content)
    english_entry = atom.findall(f"{A}entry")[1]
    assert english_entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert english_entry.find(f"{A}link").get("hreflang") == "en"


def test_english_request_is_unchanged_by_a_spanish_edition(client, sheets, translated):
    feed = ask(client, "application/json", c="111111", cs=RXNORM).json()["feed"]
    assert feed["language"] == {"requested": "en", "served": "en"}
    assert feed["entry"][0]["title"]["_value"] == "Examplumab (Examplex)"


def test_spanish_web_application_mode_redirects_to_the_spanish_page(client, sheets, translated):
    response = ask(client, "text/html", c="111111", cs=RXNORM, lang="es")
    assert response.status_code == 302 and response["Location"] == f"/es/factsheets/{sheets['one'].fact_sheet.slug}/"
    chooser = ask(client, "text/html", c="M05.79", cs=ICD10CM, lang="es").content.decode()
    assert f'href="/es/factsheets/{sheets["one"].fact_sheet.slug}/"' in chooser
    assert "Algunas de estas hojas informativas" in chooser


def test_a_spanish_translation_in_review_is_never_served(client, sheets, author, reviewer1, reviewer2, reviewer3):
    from tests.factories import SPANISH_TEXT, make_translation, make_translation_committee

    translators = make_translation_committee(reviewer1, reviewer2, reviewer3)
    draft = make_translation(author=author, english=sheets["one"], text={**SPANISH_TEXT, "title": "HIDDEN"})
    services.revision_submit(revision=draft, by=author, committee=translators, justification="Test content.")
    for response_type in ("application/json", "text/xml", "text/html"):
        response = ask(client, response_type, c="111111", cs=RXNORM, lang="es")
        assert b"HIDDEN" not in response.content
    feed = ask(client, "application/json", c="111111", cs=RXNORM, lang="es").json()["feed"]
    assert feed["language"]["served"] == "en"
