"""Query budgets of the public pages with 500 live sheets (counted, never timed)."""

import datetime as dt

import pytest
from django.utils import timezone

from factsheets.content.markdown import render_markdown
from factsheets.models import Condition, FactSheet, FactSheetRevision, Section
from tests.factories import freeze_bulk_created
from tests.record_guards import guards_lifted

Status = FactSheetRevision.Status
SHEETS = 500
BODY = "Plain words about this example medicine.\n\n- one point\n- another point"


@pytest.fixture
def many_live_sheets(db):
    """500 live sheets built with bulk_create (no services, no history); status, hash, HTML and rendition consistent."""
    now = timezone.now()
    today = now.date()
    conditions = Condition.objects.bulk_create(
        [Condition(name=f"Example condition {i}", slug=f"example-condition-{i}") for i in range(5)]
    )
    sheets = FactSheet.objects.bulk_create([FactSheet(slug=f"sheet-{i:03d}") for i in range(SHEETS)])
    revisions = []
    for i, sheet in enumerate(sheets):
        for number in (1, 2) if i == 0 else (1,):
            live = number == 2 or i != 0
            revisions.append(
                FactSheetRevision(
                    fact_sheet=sheet,
                    number=number,
                    status=Status.PUBLISHED if live else Status.SUPERSEDED,
                    title=f"{chr(65 + i % 26)}examplumab {i} (Examplex)",
                    summary="An example medicine for tests.",
                    generic_name=f"{chr(97 + i % 26)}examplumab {i}",
                    brand_names="Examplex",
                    fast_facts=["Take it weekly."],
                    credit_line="A. Writer, MD",
                    change_note=f"Version {number}.",
                    content_hash=f"{i:064d}",
                    submitted_at=now,
                    published_at=now - dt.timedelta(days=10 - number),
                    updated_on=today,
                    last_reviewed_on=today,
                    next_review_due=today + dt.timedelta(days=1000),
                    reviewed_by_name="Committee on Patient Education",
                )
            )
    revisions = FactSheetRevision.objects.bulk_create(revisions)
    body_html = render_markdown(BODY)
    Section.objects.bulk_create(
        [
            Section(revision=r, position=p, kind="overview", heading=f"Heading {p}", body=BODY, body_html=body_html)
            for r in revisions
            for p in range(3)
        ]
    )
    Through = FactSheetRevision.conditions.through
    index = {sheet.pk: i for i, sheet in enumerate(sheets)}
    # Link rows of versions bulk-created as published: the database refuses them outside the workflow.
    with guards_lifted():
        Through.objects.bulk_create(
            [
                Through(factsheetrevision_id=r.pk, condition_id=conditions[index[r.fact_sheet_id] % 5].pk)
                for r in revisions
            ]
        )
    revisions = list(FactSheetRevision.objects.prefetch_related("sections", "conditions"))
    freeze_bulk_created(revisions)
    by_sheet = {r.fact_sheet_id: r for r in revisions if r.status == Status.PUBLISHED}
    for sheet in sheets:
        sheet.live_revision = by_sheet[sheet.pk]
    FactSheet.objects.bulk_update(sheets, ["live_revision"])
    assert FactSheet.objects.live().count() == SHEETS
    from factsheets.public.search import refresh_search_index

    assert refresh_search_index() == SHEETS  # what publishing does for each sheet
    return sheets


def test_sheet_page_within_two_queries_uncached_and_none_cached(
    client, many_live_sheets, django_assert_max_num_queries, django_assert_num_queries
):
    url = many_live_sheets[7].get_absolute_url()
    with django_assert_max_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200 and b"Heading 2" in response.content
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


LIST_URLS = [
    "/",
    "/?letter=C",
    "/?page=3",
    "/conditions/example-condition-2/",
    "/search/?q=examplumab",
    "/search/?q=examplex&page=2",
    "/factsheets/sheet-000/versions/",
    "/factsheets/sheet-000/versions/1/",
    "/sitemap.xml",
    "/sitemaps/factsheets-1.xml",
    "/feed/",
]


def test_list_pages_stay_within_five_queries(client, many_live_sheets, django_assert_max_num_queries):
    for url in LIST_URLS:
        with django_assert_max_num_queries(5, info=url):
            response = client.get(url)
        assert response.status_code == 200, url


def test_index_is_paginated_with_letters_still_working(client, many_live_sheets):
    html = client.get("/").content.decode()
    assert html.count('<li>\n  <a href="/factsheets/') == 100
    assert "Page 1 of 5" in html
    letter = client.get("/?letter=C").content.decode()
    assert letter.count('<li>\n  <a href="/factsheets/') == 20  # 500 sheets over 26 letters
    assert "Page 1 of" not in letter


def test_search_is_paginated(client, many_live_sheets):
    html = client.get("/search/?q=examplex").content.decode()
    assert "500 fact sheets found." in html
    assert "Page 1 of 5" in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_index_letters_are_read_one_row_per_letter_not_one_per_sheet(many_live_sheets, language):
    """The letter bar's query returns at most 26 rows, however many sheets there are (it returned one per sheet
    while the sheets' ordering by slug was part of its DISTINCT: 10,000 rows for the index at 10,000 sheets)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from factsheets.content import selectors

    with CaptureQueriesContext(connection) as queries:
        initials = selectors.live_edition_initials(language)
    assert initials == (set(map(chr, range(65, 91))) if language == "en" else set())
    (query,) = queries.captured_queries
    selected = query["sql"].split(" FROM ")[0]
    assert "DISTINCT" in selected and "slug" not in selected
