"""Rule 7 on PostgreSQL: simultaneous final approvals and simultaneous publish_due runs publish once."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from factsheets.models import FactSheet, FactSheetRevision
from factsheets.content.services import revision_start_draft
from reviews import services
from reviews.models import Decision, Review
from tests.factories import PASSWORD, make_published

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only real on PostgreSQL; SQLite serialises whole-database writes",
    ),
]


Status = FactSheetRevision.Status
UTC = dt.timezone.utc


def run_at_once(*calls):
    """Run each call in its own thread, released together by a barrier; returns results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # collected and asserted on by the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a worker hung (deadlock?)"
    return results


def test_two_final_approvals_at_once_publish_exactly_once(author, reviewer1, reviewer2, reviewer3, committee):
    first = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=first.fact_sheet, by=author)
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    # Quorum 2: after one approval, each of the next two is "the final one".
    services.review_sign(review=review, by=reviewer1, verdict="approve", password=PASSWORD)

    results = run_at_once(
        lambda: services.review_sign(review=review, by=reviewer2, verdict="approve", password=PASSWORD),
        lambda: services.review_sign(review=review, by=reviewer3, verdict="approve", password=PASSWORD),
    )

    signed = [r for r in results if isinstance(r, Decision)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(signed) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], services.TransitionNotAllowed) and "already closed" in refused[0].message
    sheet = FactSheet.objects.get(pk=first.fact_sheet_id)
    draft.refresh_from_db()
    first.refresh_from_db()
    assert sheet.live_revision_id == draft.pk
    assert draft.status == Status.PUBLISHED and first.status == Status.SUPERSEDED
    assert sheet.revisions.filter(status=Status.PUBLISHED).count() == 1
    assert sheet.revisions.filter(status=Status.SUPERSEDED).count() == 1
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED
    assert Decision.objects.filter(review=review).count() == 2
    assert FactSheetRevision.history.filter(id=draft.pk, history_change_reason="Published").count() == 1


def test_two_publish_due_runs_at_once_publish_once(author, reviewer1, reviewer2, committee):
    first = make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)
    draft = revision_start_draft(fact_sheet=first.fact_sheet, by=author)
    draft.publish_at = dt.datetime(2030, 6, 1, 6, 0, tzinfo=UTC)
    draft.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED

    now = dt.datetime(2030, 6, 1, 6, 1, tzinfo=UTC)
    results = run_at_once(lambda: services.publish_due(now=now), lambda: services.publish_due(now=now))

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(len(r) for r in results) == [0, 1]
    draft.refresh_from_db()
    first.refresh_from_db()
    assert draft.status == Status.PUBLISHED and first.status == Status.SUPERSEDED
    assert FactSheet.objects.get(pk=first.fact_sheet_id).live_revision_id == draft.pk
    assert FactSheetRevision.history.filter(id=draft.pk, history_change_reason="Published").count() == 1


def test_a_link_added_while_a_submission_holds_the_version_waits_and_is_refused(author, committee):
    """The database guard reads the version's status FOR SHARE: an insert racing a submission waits for it
    and then sees the version frozen, instead of reading "draft" and slipping an unsigned condition in."""
    from django.db import transaction

    from factsheets.models import Condition
    from tests.factories import make_draft

    draft = make_draft(author=author)
    lupus = Condition.objects.create(name="Lupus", slug="lupus")
    Through = FactSheetRevision.conditions.through
    locked, inserted = threading.Event(), threading.Event()

    def submission():
        with transaction.atomic():
            FactSheetRevision.objects.select_for_update().get(pk=draft.pk)
            locked.set()
            inserted.wait(timeout=2)  # the insert is now waiting on the lock (or, unguarded, already done)
            services.revision_submit(revision=draft, by=author, committee=committee)

    def racing_insert():
        locked.wait(timeout=10)
        threading.Timer(0.5, inserted.set).start()
        with transaction.atomic():
            Through.objects.bulk_create([Through(factsheetrevision_id=draft.pk, condition_id=lupus.pk)])

    results = run_at_once(submission, racing_insert)
    assert "record guard" in str(results[1]), results
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW and not draft.conditions.exists()
