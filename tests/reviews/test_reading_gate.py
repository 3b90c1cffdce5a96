from decimal import Decimal

import pytest

from factsheets import readability
from factsheets.models import FactSheetRevision
from reviews import services
from reviews.models import Review
from tests.factories import SectionFactory, make_draft

HARD = (
    "Concomitant administration of immunosuppressive biological therapeutics necessitates comprehensive "
    "evaluation of hematological parameters. Subcutaneous administration frequently precipitates "
    "localized erythematous reactions."
)


@pytest.fixture
def hard_draft(author):
    revision = make_draft(author=author, sections=0)
    SectionFactory(revision=revision, body=HARD)
    return revision


def test_committee_target_defaults_to_grade_8(committee):
    assert committee.max_reading_grade == Decimal("8.0")


def test_default_draft_is_below_the_target(author, committee):
    revision = make_draft(author=author)
    assert readability.revision_report(revision).grade <= 8
    review = services.revision_submit(revision=revision, by=author, committee=committee)
    assert review.reading_justification == ""


def test_hard_revision_without_justification_is_refused_and_nothing_changes(author, committee, hard_draft, mailoutbox):
    grade = readability.revision_report(hard_draft).grade
    assert grade > 8
    with pytest.raises(services.InvalidInput) as refused:
        services.revision_submit(revision=hard_draft, by=author, committee=committee, justification="   ")
    assert f"grade {grade:.1f}" in refused.value.message and "target of grade 8.0" in refused.value.message
    hard_draft.refresh_from_db()
    assert hard_draft.status == FactSheetRevision.Status.DRAFT
    assert hard_draft.content_hash == "" and hard_draft.submitted_at is None
    assert not Review.objects.exists()
    assert mailoutbox == []


def test_hard_revision_with_justification_is_submitted_and_keeps_it(author, committee, hard_draft):
    review = services.revision_submit(
        revision=hard_draft, by=author, committee=committee, justification="  Drug names cannot be simplified.  "
    )
    hard_draft.refresh_from_db()
    assert hard_draft.status == FactSheetRevision.Status.IN_REVIEW
    assert review.reading_justification == "Drug names cannot be simplified."
    assert Review.objects.get().reading_justification == "Drug names cannot be simplified."


def test_committee_with_higher_target_accepts_without_justification(author, committee, hard_draft):
    committee.max_reading_grade = Decimal("30.0")
    committee.save()
    review = services.revision_submit(revision=hard_draft, by=author, committee=committee)
    assert review.status == Review.Status.OPEN


def test_grade_exactly_at_target_needs_no_justification(author, committee, hard_draft):
    committee.max_reading_grade = Decimal(str(readability.revision_report(hard_draft).grade))
    committee.save()
    assert services.revision_submit(revision=hard_draft, by=author, committee=committee).status == Review.Status.OPEN
