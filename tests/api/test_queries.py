"""Query budgets with 500 live sheets: list <= 4 whatever the page size; detail and version <= 2 on a cold
cache (the stored rendition is read whole), 0 cached."""

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
