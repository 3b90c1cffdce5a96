from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factsheets.plain_language import readability
from factsheets.models import FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import Review
from tests.factories import SectionFactory, make_draft, make_published

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


# Screens ------------------------------------------------------------------------------------------


def test_submit_page_shows_scores_and_asks_for_a_justification(client, author, committee, hard_draft):
    client.force_login(author)
    html = client.get(reverse("reviews:submit", args=[hard_draft.pk])).content.decode()
    grade = readability.revision_report(hard_draft).grade
    assert f"grade {grade}</strong>" in html
    assert "a justification is required" in html
    assert 'name="reading_justification"' in html


def test_submit_page_without_justification_refuses_with_the_reason(client, author, committee, hard_draft):
    client.force_login(author)
    response = client.post(reverse("reviews:submit", args=[hard_draft.pk]), {"committee": committee.pk}, follow=True)
    assert "above the Committee on Patient Education&#x27;s target of grade 8.0" in response.content.decode()
    hard_draft.refresh_from_db()
    assert hard_draft.status == FactSheetRevision.Status.DRAFT and not Review.objects.exists()


def test_submit_page_with_justification_submits(client, author, committee, hard_draft):
    client.force_login(author)
    response = client.post(
        reverse("reviews:submit", args=[hard_draft.pk]),
        {"committee": committee.pk, "reading_justification": "Dosing terms are fixed by the label."},
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response.url == reverse("reviews:review", args=[review.pk])
    assert review.reading_justification == "Dosing terms are fixed by the label."


def test_review_page_shows_before_after_grades_justification_and_jargon(
    client, author, reviewer1, reviewer2, reviewer3, committee
):
    live = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    SectionFactory(revision=draft, position=99, heading="Hard words", body=HARD + " Check your **renal** function.")
    review = services.revision_submit(
        revision=draft, by=author, committee=committee, justification="Needed <b>terms</b> for accuracy."
    )
    client.force_login(reviewer3)
    html = client.get(reverse("reviews:review", args=[review.pk])).content.decode()

    before = readability.revision_report(live).overall.flesch_kincaid
    after = readability.revision_report(draft).overall.flesch_kincaid
    assert f"Compared with the live version: grade {before} → {after} (harder to read)" in html
    assert "target grade 8.0 or lower" in html and "Above target" in html
    assert "Needed &lt;b&gt;terms&lt;/b&gt; for accuracy." in html
    # Hints are listed beside the stored page, which stays exactly what patients will be served.
    assert '<dt>renal <span class="jargon-count">(1×)</span></dt>\n    <dd>Plain: kidney</dd>' in html
    assert "Check your <strong>renal</strong> function." in html
    assert "Plain: under the skin" in html


def test_review_page_query_count_does_not_grow_with_sections(client, author, reviewer1, committee):
    counts = []
    for sections in (1, 4):
        revision = make_draft(author=author, sections=sections)
        review = services.revision_submit(revision=revision, by=author, committee=committee)
        client.force_login(reviewer1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:review", args=[review.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
