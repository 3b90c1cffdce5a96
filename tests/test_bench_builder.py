"""The benchmark's bulk builder produces the same data the real models and services would."""

import pytest

from bench.build_db import build
from factsheets.content.markdown import render_markdown
from factsheets.models import FactSheet, FactSheetRevision, Section
from reviews.models import Decision, Review

Status = FactSheetRevision.Status


@pytest.fixture
def info(db):
    return build(120)


def test_counts_and_mix(info):
    assert FactSheet.objects.count() == 120
    assert len(info["live_slugs"]) == FactSheet.objects.live().count() == 120 - info["unpublished"] - info["withdrawn"]
    assert info["unpublished"] >= 1 and info["withdrawn"] >= 1 and info["drafts"] >= 1 and info["open_reviews"] >= 1
    assert Review.objects.open().count() == info["open_reviews"]
    assert FactSheetRevision.objects.filter(status=Status.DRAFT).count() == info["drafts"] + info["unpublished"]
    assert Section.objects.count() == FactSheetRevision.objects.count() * 8


def test_every_live_sheet_has_three_published_versions_of_about_900_words(info):
    sheet = FactSheet.objects.get(slug=info["live_slugs"][5])
    published = list(sheet.revisions.published().order_by("number"))
    assert [(r.number, r.status) for r in published] == [
        (1, Status.SUPERSEDED),
        (2, Status.SUPERSEDED),
        (3, Status.PUBLISHED),
    ]
    assert sheet.live_revision == published[-1]
    words = sum(len(s.body.split()) for s in published[-1].sections.all())
    assert 800 <= words <= 1000
    for rev in published:
        assert rev.updated_on and rev.published_at and rev.last_reviewed_on and rev.next_review_due
        assert rev.reviewed_by_name == "Committee on Patient Education"
        review = rev.reviews.get()
        assert review.status == Review.Status.APPROVED and review.content_hash == rev.content_hash
        assert set(Decision.objects.filter(review=review).values_list("content_hash", flat=True)) == {rev.content_hash}
    assert published[0].updated_on < published[1].updated_on < published[2].updated_on


def test_hashes_and_html_match_what_the_models_compute(info):
    for rev in FactSheetRevision.objects.exclude(status__in=FactSheetRevision.EDITABLE_STATUSES)[:60]:
        assert rev.content_hash == rev.compute_content_hash(), rev
    for section in Section.objects.all()[:50]:
        assert section.body_html == render_markdown(section.body)


def test_published_content_stays_locked(info):
    from factsheets.models import RevisionLocked

    rev = FactSheet.objects.get(slug=info["live_slugs"][0]).live_revision
    rev.title = "Changed"
    with pytest.raises(RevisionLocked):
        rev.save()


def test_refuses_a_database_that_already_has_sheets(info):
    with pytest.raises(RuntimeError, match="empty database"):
        build(5)
