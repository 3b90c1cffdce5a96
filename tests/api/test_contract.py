"""Field-by-field contract of every endpoint (DESIGN.md "JSON API")."""

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.conf import settings

from factsheets.models import SectionKind
from tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db

DETAIL_FIELDS = [
    "slug",
    "title",
    "generic_name",
    "brand_names",
    "conditions",
    "codes",
    "version",
    "summary",
    "fast_facts",
    "sections",
    "authors",
    "reviewed_by",
    "updated_on",
    "last_reviewed_on",
    "next_review_due",
    "published_at",
    "content_hash",
    "rendition_hash",
    "reading_grade",
    "language",
    "translation_of",
    "editions",
    "url",
]
UTC_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


@pytest.fixture
def anakinra(publish, committee):
    ra = ConditionFactory(slug="rheumatoid-arthritis", name="Rheumatoid arthritis")
    nomid = ConditionFactory(slug="nomid", name="NOMID")
    revision = publish(
        slug="examplinra",
        title="Examplinra (Examplex)",
        conditions=[ra, nomid],
        summary="A made-up medicine that calms an overactive immune system.",
        fast_facts=["Injected once a day.", "Tell your doctor about any fever."],
        credit_line="A. Writer, MD",
        generic_name="examplinra",
        brand_names="Examplex, Samplora",
    )
    return revision


def test_list_is_paginated_with_exactly_the_contract_fields(client, anakinra):
    response = client.get("/api/v1/factsheets/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["results"] == [
        {
            "slug": "examplinra",
            "title": "Examplinra (Examplex)",
            "version": 1,
            "updated_on": anakinra.updated_on.isoformat(),
            "language": "en",
            "url": f"{settings.SITE_URL}/factsheets/examplinra/",
        }
    ]


def test_list_is_ordered_by_title_case_insensitively(client, publish):
    for slug, title in [("b", "beta (B)"), ("a", "Alpha (A)"), ("c", "Gamma (G)")]:
        publish(slug=slug, title=title)
    titles = [r["title"] for r in client.get("/api/v1/factsheets/").json()["results"]]
    assert titles == ["Alpha (A)", "beta (B)", "Gamma (G)"]


def test_list_pages_with_next_and_previous_links(client, publish):
    for i in range(3):
        publish(slug=f"sheet-{i}", title=f"Sheet {i}")
    first = client.get("/api/v1/factsheets/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/factsheets/?page=2&page_size=2"
    second = client.get(first["next"]).json()
    assert [r["slug"] for r in second["results"]] == ["sheet-2"]
    assert second["next"] is None and second["previous"].startswith("http://testserver/api/v1/factsheets/")


def test_detail_has_exactly_the_contract_fields(client, anakinra, committee):
    response = client.get("/api/v1/factsheets/examplinra/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == DETAIL_FIELDS
    assert body["slug"] == "examplinra"
    assert body["title"] == "Examplinra (Examplex)"
    assert body["generic_name"] == "examplinra"
    assert body["brand_names"] == ["Examplex", "Samplora"]
    assert body["conditions"] == [
        {"slug": "nomid", "name": "NOMID"},
        {"slug": "rheumatoid-arthritis", "name": "Rheumatoid arthritis"},
    ]
    assert body["version"] == 1
    assert body["summary"] == "A made-up medicine that calms an overactive immune system."
    assert body["fast_facts"] == ["Injected once a day.", "Tell your doctor about any fever."]
    assert body["authors"] == "A. Writer, MD"
    assert body["reviewed_by"] == {"name": committee.name}
    assert body["updated_on"] == anakinra.updated_on.isoformat()
    assert body["last_reviewed_on"] == anakinra.last_reviewed_on.isoformat()
    assert body["next_review_due"] == anakinra.next_review_due.isoformat()
    assert dt.date.fromisoformat(body["next_review_due"]) > dt.date.fromisoformat(body["last_reviewed_on"])
    assert UTC_DATETIME.match(body["published_at"]), body["published_at"]
    assert dt.datetime.fromisoformat(body["published_at"]) == anakinra.published_at.replace(microsecond=0)
    assert body["content_hash"] == anakinra.content_hash and len(body["content_hash"]) == 64
    assert body["rendition_hash"] == anakinra.rendition.rendition_hash and len(body["rendition_hash"]) == 64
    assert body["language"] == "en"
    assert body["translation_of"] is None
    assert body["editions"] == [
        {"language": "en", "version": 1, "url": f"{settings.SITE_URL}/api/v1/factsheets/examplinra/?language=en"}
    ]
    assert body["url"] == f"{settings.SITE_URL}/factsheets/examplinra/"


def test_detail_sections_in_page_order_with_markdown_and_sanitised_html(client, anakinra):
    sections = client.get("/api/v1/factsheets/examplinra/").json()["sections"]
    expected = list(anakinra.sections.order_by("position"))
    assert len(sections) == len(expected) == 2
    for item, section in zip(sections, expected):
        assert sorted(item) == sorted(["kind", "heading", "body_markdown", "body_html"])
        assert item["kind"] == section.kind and item["kind"] in SectionKind.values
        assert item["heading"] == section.heading
        assert item["body_markdown"] == section.body
        assert item["body_html"] == section.body_html and "<li>" in item["body_html"]


def test_versions_lists_published_versions_newest_first(client, anakinra, publish_new_version):
    publish_new_version(anakinra.fact_sheet, title="Examplinra (Examplex) v2")
    body = client.get("/api/v1/factsheets/examplinra/versions/").json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 2
    assert [list(item) for item in body["results"]] == [
        ["slug", "title", "version", "updated_on", "language", "url"]
    ] * 2
    assert [(r["version"], r["title"]) for r in body["results"]] == [
        (2, "Examplinra (Examplex) v2"),
        (1, "Examplinra (Examplex)"),
    ]
    assert body["results"][1]["url"] == f"{settings.SITE_URL}/factsheets/examplinra/versions/1/"
    assert body["results"][1]["updated_on"] == anakinra.updated_on.isoformat()


def test_version_has_the_detail_shape_and_its_own_content(client, anakinra, publish_new_version):
    v2 = publish_new_version(anakinra.fact_sheet, title="Examplinra (Examplex) v2", summary="Second version.")
    old = client.get("/api/v1/factsheets/examplinra/versions/1/").json()
    new = client.get("/api/v1/factsheets/examplinra/versions/2/").json()
    live = client.get("/api/v1/factsheets/examplinra/").json()
    assert list(old) == list(new) == DETAIL_FIELDS
    assert (old["version"], old["title"], old["content_hash"]) == (1, "Examplinra (Examplex)", anakinra.content_hash)
    assert old["url"] == f"{settings.SITE_URL}/factsheets/examplinra/versions/1/"
    assert (new["version"], new["summary"], new["content_hash"]) == (2, "Second version.", v2.content_hash)
    assert {k: v for k, v in live.items() if k != "url"} == {k: v for k, v in new.items() if k != "url"}
    assert live["url"] == f"{settings.SITE_URL}/factsheets/examplinra/"


def test_conditions_lists_those_with_a_live_sheet_a_to_z(client, anakinra):
    ConditionFactory(slug="gout", name="Gout")  # no sheet: not listed
    body = client.get("/api/v1/conditions/").json()
    assert list(body) == ["count", "next", "previous", "results"]
    no_codes = {"icd10cm": [], "snomedct": []}
    assert body["results"] == [
        {"slug": "nomid", "name": "NOMID", "codes": no_codes},
        {"slug": "rheumatoid-arthritis", "name": "Rheumatoid arthritis", "codes": no_codes},
    ]
    assert body["count"] == 2


def test_filter_q_matches_title_generic_and_brand_names(client, publish):
    publish(slug="one", title="Onemab (Firstix)", brand_names="Firstix, Brandora")
    publish(slug="two", title="Twomab (Secondix)")
    slugs = lambda q: [r["slug"] for r in client.get("/api/v1/factsheets/", {"q": q}).json()["results"]]  # noqa: E731
    assert slugs("onemab") == ["one"]
    assert slugs("BRANDORA") == ["one"]
    assert slugs("two") == ["two"]  # generic name "two"
    assert slugs("mab") == ["one", "two"]
    assert slugs("") == ["one", "two"]
    assert slugs("nothing like it") == []


def test_filter_condition_by_slug(client, publish):
    gout = ConditionFactory(slug="gout", name="Gout")
    publish(slug="with-gout", title="A (gout)", conditions=[gout])
    publish(slug="without", title="B")
    assert [r["slug"] for r in client.get("/api/v1/factsheets/?condition=gout").json()["results"]] == ["with-gout"]


def test_filter_condition_unknown_well_formed_slug_gives_an_empty_list(client, publish):
    publish(slug="a")
    response = client.get("/api/v1/factsheets/?condition=no-such-condition")
    assert response.status_code == 200
    assert response.json()["count"] == 0 and response.json()["results"] == []


def test_filter_updated_since_is_inclusive(client, publish):
    revision = publish(slug="a")
    day = revision.updated_on
    assert client.get(f"/api/v1/factsheets/?updated_since={day.isoformat()}").json()["count"] == 1
    later = (day + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/api/v1/factsheets/?updated_since={later}").json()["count"] == 0


def test_filters_combine(client, publish):
    gout = ConditionFactory(slug="gout", name="Gout")
    publish(slug="alpha", title="Alpha", conditions=[gout])
    publish(slug="beta", title="Beta", conditions=[gout])
    publish(slug="alpha-two", title="Alpha two")
    body = client.get("/api/v1/factsheets/", {"q": "alpha", "condition": "gout", "updated_since": "2000-01-01"}).json()
    assert [r["slug"] for r in body["results"]] == ["alpha"]


def test_a_live_version_without_a_stored_rendition_is_served_from_its_frozen_content(client, anakinra, caplog):
    # Only raw SQL could make one (every submission stores a rendition); the API still answers, with the
    # content as signed rendered by the same code the public page falls back on, never a 500.
    from factsheets.models import FactSheetRevision
    from tests.record_guards import guards_lifted

    stored = anakinra.rendition
    with guards_lifted():
        FactSheetRevision.objects.filter(pk=anakinra.pk).update(rendition=None)
    cache.clear()  # the publish cached its answer
    response = client.get("/api/v1/factsheets/examplinra/")
    assert response.status_code == 200
    body = response.json()
    assert body["content_hash"] == anakinra.content_hash
    assert body["rendition_hash"] == stored.rendition_hash
    assert body["sections"] == json.loads(stored.document)["sections"]
    assert "has no stored rendition" in caplog.text  # served, and reported for someone to look into
