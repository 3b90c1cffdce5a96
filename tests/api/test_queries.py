"""Query budgets with 500 live sheets (250 of them also in Spanish): list <= 4 whatever the page size and
language; detail and version <= 2 on a cold cache (the stored rendition is read whole), 0 cached, in English and
in Spanish."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from factsheets.content.markdown import render_markdown
from factsheets.models import Condition, FactSheet, FactSheetRevision, Section, SectionKind
from tests.factories import freeze_bulk_created
from tests.record_guards import guards_lifted

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

N = 500


@pytest.fixture
def many_live_sheets():
    """500 live sheets built with bulk_create (which skips the models' save() and the workflow), kept
    consistent by hand: rendered section HTML, conditions as signed, real content hashes, stored renditions
    and live_revision pointers."""
    conditions = Condition.objects.bulk_create(
        [Condition(slug=f"condition-{i}", name=f"Condition {i}") for i in range(3)]
    )
    sheets = FactSheet.objects.bulk_create([FactSheet(slug=f"drug-{i:03}") for i in range(N)])
    now = timezone.now().replace(microsecond=0)
    today = now.date()
    revisions = FactSheetRevision.objects.bulk_create(
        [
            FactSheetRevision(
                fact_sheet=sheet,
                number=1,
                status=FactSheetRevision.Status.PUBLISHED,
                title=f"Drug {i:03} (Brand{i})",
                generic_name=f"drug {i:03}",
                brand_names=f"Brand{i}, Other{i}",
                summary="A made-up medicine for counting queries.",
                fast_facts=["Take with water.", "Ask about side effects."],
                credit_line="A. Writer, MD",
                content_hash="pending",
                submitted_at=now,
                approved_at=now,
                published_at=now,
                updated_on=today - dt.timedelta(days=i),
                last_reviewed_on=today,
                next_review_due=today + dt.timedelta(days=3 * 365),
                reviewed_by_name="Committee on Patient Education",
            )
            for i, sheet in enumerate(sheets)
        ]
    )
    Through = FactSheetRevision.conditions.through
    # Link rows of versions bulk-created as published: the database refuses them outside the workflow.
    with guards_lifted():
        Through.objects.bulk_create(
            [
                Through(factsheetrevision_id=revision.pk, condition_id=conditions[i % 3].pk)
                for i, revision in enumerate(revisions)
            ]
        )
    body = "Plain words about this medicine.\n\n- one point\n- another point"
    Section.objects.bulk_create(
        [
            Section(
                revision=revision,
                position=p,
                kind=kind,
                heading=SectionKind(kind).label,
                body=body,
                body_html=render_markdown(body),
            )
            for revision in revisions
            for p, kind in enumerate([SectionKind.HOW_IT_WORKS, SectionKind.DOSING, SectionKind.SIDE_EFFECTS])
        ]
    )
    revisions = list(FactSheetRevision.objects.prefetch_related("sections", "conditions"))
    freeze_bulk_created(revisions)
    by_sheet = {r.fact_sheet_id: r for r in revisions}
    for sheet in sheets:
        sheet.live_revision = by_sheet[sheet.pk]
    FactSheet.objects.bulk_update(sheets, ["live_revision"])
    assert FactSheet.objects.live().count() == N
    return sheets


@pytest.fixture
def many_spanish_editions(many_live_sheets):
    """A live Spanish version (translating the live English one) of every other sheet, built like the English."""
    english = {r.fact_sheet_id: r for r in FactSheetRevision.objects.live().select_related("fact_sheet")}
    now = timezone.now().replace(microsecond=0)
    today = now.date()
    translated = [sheet for i, sheet in enumerate(many_live_sheets) if i % 2 == 0]
    revisions = FactSheetRevision.objects.bulk_create(
        [
            FactSheetRevision(
                fact_sheet=sheet,
                number=1,
                language="es",
                translation_of=english[sheet.pk],
                status=FactSheetRevision.Status.PUBLISHED,
                title=f"Fármaco {i:03} (Marca{i})",
                generic_name=f"fármaco {i:03}",
                brand_names=f"Marca{i}",
                summary="Un medicamento inventado para contar consultas.",
                fast_facts=["Tómelo con agua."],
                credit_line="A. Writer, MD",
                content_hash="pending",
                submitted_at=now,
                approved_at=now,
                published_at=now,
                updated_on=today,
                last_reviewed_on=today,
                next_review_due=today + dt.timedelta(days=3 * 365),
                reviewed_by_name="Committee on Spanish Editions",
            )
            for i, sheet in enumerate(translated)
        ]
    )
    Through = FactSheetRevision.conditions.through
    conditions = list(Condition.objects.order_by("slug"))
    with guards_lifted():
        Through.objects.bulk_create(
            [
                Through(factsheetrevision_id=revision.pk, condition_id=conditions[i % 3].pk)
                for i, revision in enumerate(revisions)
            ]
        )
    body = "Palabras sencillas sobre este medicamento.\n\n- un punto\n- otro punto"
    Section.objects.bulk_create(
        [
            Section(
                revision=revision,
                position=0,
                kind=SectionKind.DOSING,
                heading="Cómo se usa",
                body=body,
                body_html=render_markdown(body),
            )
            for revision in revisions
        ]
    )
    revisions = list(
        FactSheetRevision.objects.filter(language="es")
        .select_related("translation_of", "fact_sheet")
        .prefetch_related("sections", "conditions")
    )
    freeze_bulk_created(revisions)
    assert FactSheetRevision.objects.live("es").count() == N // 2
    return translated


SPANISH_LIST_QUERIES = ["?language=es", "?language=es&page_size=100", "?language=es&q=marca1&condition=condition-1"]


def test_spanish_list_stays_within_four_queries(client, many_spanish_editions, django_assert_max_num_queries):
    for query in SPANISH_LIST_QUERIES:
        with django_assert_max_num_queries(4):
            response = client.get(f"/api/v1/factsheets/{query}")
        assert response.status_code == 200, query
        assert response.json()["results"] and {r["language"] for r in response.json()["results"]} == {"es"}, query
    with django_assert_max_num_queries(4):
        negotiated = client.get("/api/v1/factsheets/", HTTP_ACCEPT_LANGUAGE="es")
    assert negotiated.json()["count"] == N // 2


def test_spanish_detail_and_version_on_a_cold_cache_within_two_queries_cached_none(
    client, many_spanish_editions, django_assert_max_num_queries, django_assert_num_queries
):
    for path, params, headers in [
        ("/api/v1/factsheets/drug-250/", {"language": "es"}, {}),
        ("/api/v1/factsheets/drug-250/", {}, {"HTTP_ACCEPT_LANGUAGE": "es"}),
        ("/api/v1/factsheets/drug-251/", {}, {"HTTP_ACCEPT_LANGUAGE": "es"}),  # no Spanish edition: English
        ("/api/v1/factsheets/drug-100/versions/1/", {"language": "es"}, {}),
        ("/api/v1/factsheets/drug-100/versions/", {"language": "es"}, {}),
    ]:
        cache.clear()
        with django_assert_max_num_queries(2 if "versions/" not in path or path.endswith("1/") else 4):
            uncached = client.get(path, params, **headers)
        assert uncached.status_code == 200, path
        with django_assert_num_queries(0):
            cached = client.get(path, params, **headers)
        assert cached.content == uncached.content
    body = client.get("/api/v1/factsheets/drug-250/", {"language": "es"}).json()
    assert body["language"] == "es" and body["translation_of"]["current"] is True
    assert [e["language"] for e in body["editions"]] == ["en", "es"]


LIST_QUERIES = [
    "",
    "?page_size=1",
    "?page_size=100",
    "?page=3&page_size=50",
    "?q=drug",
    "?condition=condition-1",
    "?updated_since=2000-01-01",
    "?q=brand1&condition=condition-2&updated_since=2000-01-01&page_size=100",
]


def test_list_stays_within_four_queries_whatever_the_page_size_and_filters(
    client, many_live_sheets, django_assert_max_num_queries
):
    for query in LIST_QUERIES:  # one test, one 500-sheet fixture
        with django_assert_max_num_queries(4):
            response = client.get(f"/api/v1/factsheets/{query}")
        assert response.status_code == 200, query
        body = response.json()
        assert body["count"] > 0 and body["results"], query


def test_list_counts_all_live_sheets_in_pages_of_at_most_100(client, many_live_sheets):
    body = client.get("/api/v1/factsheets/?page_size=100").json()
    assert body["count"] == N and len(body["results"]) == 100
    assert client.get("/api/v1/factsheets/?page_size=1000").status_code == 400
    assert client.get("/api/v1/factsheets/?condition=condition-1").json()["count"] == 167


def test_detail_on_a_cold_cache_within_two_queries_cached_none(
    client, many_live_sheets, django_assert_max_num_queries, django_assert_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(2):
        uncached = client.get("/api/v1/factsheets/drug-250/")
    assert uncached.status_code == 200
    with django_assert_num_queries(0):
        cached = client.get("/api/v1/factsheets/drug-250/")
    assert cached.json() == uncached.json()
    assert len(cached.json()["sections"]) == 3
    assert cached.json()["conditions"] == [{"slug": "condition-1", "name": "Condition 1"}]


def test_version_on_a_cold_cache_within_two_queries_and_none_cached(
    client, many_live_sheets, django_assert_max_num_queries, django_assert_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/factsheets/drug-100/versions/1/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/api/v1/factsheets/drug-100/versions/1/").status_code == 200


def test_other_lists_within_four_queries(client, many_live_sheets, django_assert_max_num_queries):
    for path in ["/api/v1/factsheets/drug-001/versions/", "/api/v1/conditions/", "/api/v1/conditions/?page_size=100"]:
        cache.clear()
        with django_assert_max_num_queries(4):
            assert client.get(path).status_code == 200, path
