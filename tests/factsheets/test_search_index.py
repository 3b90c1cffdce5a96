"""The stored search index (factsheets.public.search): filled from the live version as signed, when it goes live."""

import pytest

from factsheets.models import Condition, EditionSearchIndex
from factsheets.public.search import refresh_search_index
from reviews import services
from tests.factories import FactSheetFactory, make_draft, make_published


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
        brand_names="Brandex",
        conditions=[Condition.objects.create(name="Gout", slug="gout")],
        title="Examplumab version one",
    )


def _found(client, q):
    return b"/factsheets/examplumab/" in client.get("/search/", {"q": q}).content


def test_publishing_fills_the_index_from_the_live_version(live):
    entry = EditionSearchIndex.objects.get(fact_sheet=live.fact_sheet, language="en")
    assert "examplumab version one" in entry.text and "brandex" in entry.text
    assert "paragraph 1 about this medicine" in entry.text  # section text


def test_a_new_version_replaces_the_indexed_text_and_search_sees_it_at_once(
    client, live, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    assert not _found(client, "zebrafinch")
    with django_capture_on_commit_callbacks(execute=True):
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=live.fact_sheet,
            number=2,
            title="Examplumab zebrafinch edition",
        )
    assert _found(client, "zebrafinch")
    assert not _found(client, "version one")  # only the live version is searched


def test_drafts_are_not_indexed(client, live, author):
    make_draft(author=author, fact_sheet=live.fact_sheet, number=2, title="Secret unapproved wording")
    assert "secret" not in EditionSearchIndex.objects.get(fact_sheet=live.fact_sheet, language="en").text
    assert not _found(client, "secret")


def test_withdrawn_sheets_are_not_found(client, live, editor, django_capture_on_commit_callbacks):
    assert _found(client, "brandex")
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Gone.")
    assert not _found(client, "brandex")


def test_publishing_indexes_the_names_and_conditions_as_signed(live):
    text = EditionSearchIndex.objects.get(fact_sheet=live.fact_sheet, language="en").text
    assert "examplumab" in text and "brandex" in text and "gout" in text


def test_admin_edits_of_a_live_sheets_names_and_conditions_do_not_reach_search(
    client, live, admin_client, django_capture_on_commit_callbacks
):
    """Search finds a live sheet only by the words its committee signed."""
    gout = Condition.objects.get(slug="gout")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/factsheets/factsheet/{live.fact_sheet.pk}/change/",
            {
                "generic_name": "examplumab",
                "brand_names": "Brandex, Newbrand",
                "conditions": [gout.pk],
                "revisions-TOTAL_FORMS": "0",
                "revisions-INITIAL_FORMS": "0",
            },
        )
        admin_client.post(
            f"/admin/factsheets/factsheetrevision/{live.pk}/change/",
            {
                "title": live.title,
                "generic_name": "examplumab",
                "brand_names": "Brandex, Newbrand",
                "summary": live.summary,
                "fast_facts": "\n".join(live.fast_facts),
                "credit_line": live.credit_line,
                "change_note": "",
                "sections-TOTAL_FORMS": "0",
                "sections-INITIAL_FORMS": "0",
            },
        )
        response = admin_client.post(
            f"/admin/factsheets/condition/{gout.pk}/change/", {"name": "Tophaceous gout", "slug": "gout"}
        )
    assert response.status_code == 302
    text = EditionSearchIndex.objects.get(fact_sheet=live.fact_sheet, language="en").text
    assert "newbrand" not in text and "tophaceous" not in text and "gout" in text
    assert not _found(client, "newbrand") and not _found(client, "tophaceous")
    assert _found(client, "brandex")


def test_refresh_removes_sheets_without_a_live_version(live):
    from factsheets.models import FactSheet

    FactSheet.objects.filter(pk=live.fact_sheet_id).update(live_revision=None)
    assert refresh_search_index([live.fact_sheet_id]) == 0
    assert not EditionSearchIndex.objects.filter(fact_sheet=live.fact_sheet_id).exists()
