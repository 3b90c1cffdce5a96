"""factsheets.content.services: starting a new draft and creating the first one."""

import pytest
from django.core.exceptions import PermissionDenied

from factsheets.models import Condition, FactSheetRevision
from factsheets.content.services import DraftNotAllowed, revision_create_first_draft, revision_start_draft
from tests.factories import FactSheetFactory, make_draft, make_published


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    gout = Condition.objects.create(name="Gout", slug="gout")
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, conditions=[gout])


def test_new_draft_copies_the_live_content_with_the_next_number(author, live):
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    assert draft.number == live.number + 1
    assert draft.status == FactSheetRevision.Status.DRAFT
    assert (draft.title, draft.summary, draft.fast_facts, draft.credit_line) == (
        live.title,
        live.summary,
        live.fast_facts,
        live.credit_line,
    )
    assert (draft.generic_name, draft.brand_names, draft.used_for()) == (
        live.generic_name,
        live.brand_names,
        live.used_for(),
    )
    assert draft.used_for() == [{"slug": "gout", "name": "Gout"}]
    copied = [(s.position, s.kind, s.heading, s.body, s.body_html) for s in draft.sections.all()]
    original = [(s.position, s.kind, s.heading, s.body, s.body_html) for s in live.sections.all()]
    assert copied == original
    assert set(draft.sections.values_list("pk", flat=True)).isdisjoint(live.sections.values_list("pk", flat=True))
    assert draft.created_by == author
    assert draft.history.get().history_user == author


def test_new_draft_refused_while_another_is_pending(author, live):
    revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    with pytest.raises(DraftNotAllowed, match="Version 2 is draft"):
        revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    assert live.fact_sheet.revisions.count() == 2


def test_new_draft_refused_for_a_reviewer(reviewer3, live):
    with pytest.raises(PermissionDenied):
        revision_start_draft(fact_sheet=live.fact_sheet, by=reviewer3)
    assert live.fact_sheet.revisions.count() == 1


def test_first_draft_is_version_one(author):
    sheet = FactSheetFactory()
    gout = Condition.objects.create(name="Gout", slug="gout")
    draft = revision_create_first_draft(
        fact_sheet=sheet,
        by=author,
        title="T",
        generic_name="g",
        brand_names="B1, B2",
        conditions=[gout],
        summary="S",
        fast_facts=["a"],
        credit_line="C",
    )
    assert (draft.number, draft.status, draft.created_by) == (1, FactSheetRevision.Status.DRAFT, author)
    assert (draft.generic_name, draft.brand_name_list, draft.used_for()) == (
        "g",
        ["B1", "B2"],
        [{"slug": "gout", "name": "Gout"}],
    )


def test_first_draft_refused_when_the_sheet_has_a_version(author):
    existing = make_draft(author=author)
    with pytest.raises(DraftNotAllowed):
        revision_create_first_draft(
            fact_sheet=existing.fact_sheet,
            by=author,
            title="T",
            generic_name="g",
            summary="S",
            fast_facts=[],
            credit_line="C",
        )
    assert existing.fact_sheet.revisions.count() == 1
