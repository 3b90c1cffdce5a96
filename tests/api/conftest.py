import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from factsheets.models import Condition
from factsheets.content.services import revision_start_draft
from reviews import services
from tests.factories import PASSWORD, ConditionFactory, FactSheetFactory, make_draft, make_published


@pytest.fixture
def client():
    """An anonymous client; enforce_csrf_checks so writes are refused the way a real browser's would be."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def _no_workflow_emails(monkeypatch):
    """Emails are not the API's business; keep their on_commit callbacks out of these tests."""
    from reviews import notifications

    for name in ("review_opened", "decision_recorded", "revision_published"):
        monkeypatch.setattr(notifications, name, lambda *args, **kwargs: None)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (cache invalidation, emails) as a real commit would, inside the test transaction."""

    def _run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _run


@pytest.fixture
def publish(author, reviewer1, reviewer2, committee, on_commit):
    """publish(slug=..., **revision fields) -> a live revision of a new sheet, through the real services."""

    def _publish(slug=None, conditions=(), fact_sheet=None, number=1, **fields):
        if fact_sheet is None:
            fact_sheet = FactSheetFactory(**({"slug": slug} if slug else {}))
        return on_commit(
            make_published,
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=fact_sheet,
            number=number,
            conditions=conditions,
            **fields,
        )

    return _publish


@pytest.fixture
def publish_new_version(author, reviewer1, reviewer2, committee, on_commit):
    """A second (third...) version of a live sheet, started from the live one, edited and published."""

    def _publish_new_version(fact_sheet, **changes):
        draft = revision_start_draft(fact_sheet=fact_sheet, by=author)
        for name, value in changes.items():
            setattr(draft, name, value)
        draft._history_user = author
        draft.save()
        review = services.revision_submit(revision=draft, by=author, committee=committee)
        for reviewer in (reviewer1, reviewer2):
            on_commit(services.review_sign, review=review, by=reviewer, verdict="approve", password=PASSWORD)
        draft.refresh_from_db()
        return draft

    return _publish_new_version


@pytest.fixture
def withdraw(editor, on_commit):
    def _withdraw(fact_sheet, reason="Replaced by a newer medicine."):
        return on_commit(services.factsheet_withdraw, fact_sheet=fact_sheet, by=editor, reason=reason)

    return _withdraw


@pytest.fixture
def sheets_in_every_state(
    author, reviewer1, reviewer2, committee, editor, publish, publish_new_version, withdraw, on_commit
):
    """One sheet per workflow state. Every text that must never be public contains "HIDDEN"."""
    arthritis = ConditionFactory(slug="arthritis", name="Arthritis")
    hidden_condition = ConditionFactory(slug="hidden-condition", name="HIDDEN condition of unpublished sheets")
    states = {}

    def draft(slug, **fields):
        return make_draft(
            author=author,
            fact_sheet=FactSheetFactory(slug=slug),
            generic_name=f"{slug} generic",
            conditions=[arthritis],
            **fields,
        )

    states["draft"] = draft("draft-only", title="HIDDEN draft")
    states["draft"].conditions.add(hidden_condition)

    in_review = draft("in-review", title="HIDDEN in review")
    services.revision_submit(revision=in_review, by=author, committee=committee)
    states["in_review"] = in_review

    changes = draft("changes-requested", title="HIDDEN changes requested")
    review = services.revision_submit(revision=changes, by=author, committee=committee)
    services.review_sign(
        review=review, by=reviewer1, verdict="request_changes", password=PASSWORD, comment="Simpler words."
    )
    states["changes_requested"] = changes

    approved = draft("approved-scheduled", title="HIDDEN approved", publish_at=timezone.now() + dt.timedelta(days=30))
    review = services.revision_submit(revision=approved, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    states["approved"] = approved

    states["withdrawn"] = publish(slug="withdrawn-sheet", title="HIDDEN withdrawn", conditions=[arthritis])
    withdraw(states["withdrawn"].fact_sheet, reason="HIDDEN-looking reason is fine to show")

    # A live sheet with a newer version in each unpublished state on top of it.
    live = publish(slug="live-sheet", title="Live sheet v1", conditions=[arthritis])
    states["live"] = live
    v2 = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    v2.title = "HIDDEN v2 draft"
    v2.summary = "HIDDEN summary of the next version"
    v2._history_user = author
    v2.save()
    services.revision_submit(revision=v2, by=author, committee=committee)
    states["live_with_v2_in_review"] = v2

    superseded = publish(slug="superseded-sheet", title="Superseded sheet v1")
    publish_new_version(superseded.fact_sheet, title="Superseded sheet v2")
    v3 = revision_start_draft(fact_sheet=superseded.fact_sheet, by=author)
    v3.title = "HIDDEN v3"
    v3.publish_at = timezone.now() + dt.timedelta(days=10)
    v3._history_user = author
    v3.save()
    review = services.revision_submit(revision=v3, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    states["live_with_v3_approved"] = v3
    states["superseded"] = superseded

    # Spanish: a live translation of the live sheet with its next version in review, and a draft translation.
    from tests.factories import SPANISH_TEXT, make_published_translation, make_translation, make_translation_committee

    translators = make_translation_committee(reviewer1, reviewer2)
    states["spanish_live"] = on_commit(
        make_published_translation,
        author=author,
        english=live,
        reviewers=[reviewer1, reviewer2],
        committee=translators,
        text={**SPANISH_TEXT, "title": "Hoja viva v1"},
    )
    hidden_text = {**SPANISH_TEXT, "title": "HIDDEN traducción", "summary": "HIDDEN resumen en revisión."}
    spanish_v2 = make_translation(author=author, english=live, text=hidden_text)
    services.revision_submit(revision=spanish_v2, by=author, committee=translators, justification="Test content.")
    states["spanish_in_review"] = spanish_v2
    states["spanish_draft"] = make_translation(
        author=author, english=superseded.fact_sheet.live_revision, text=hidden_text
    )
    assert not Condition.objects.filter(
        slug="hidden-condition", revisions__status__in=["published", "superseded"]
    ).exists()
    return states
