"""Going live: the checks that what reviewers signed is what is stored, and the steps that make a version
the one patients read, for a signed-off version and an import alike. Callers hold the locks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


from factsheets.content import version_diffs
from factsheets.content.languages import is_translation
from factsheets.public.cache import changing
from factsheets.public.search import refresh_search_index
from factsheets.models import FactSheet, FactSheetRevision

from reviews import notifications
from reviews.errors import TransitionNotAllowed
from reviews.steps import (
    add_months,
    check_codes_required,
    lock_revision,
    save_recorded,
)
from .models import Decision, Review

Status = FactSheetRevision.Status


def approving_review(revision: FactSheetRevision) -> Review | None:
    return (
        Review.objects.filter(revision=revision, kind=Review.Kind.REVISION, status=Review.Status.APPROVED)
        .select_related("committee")
        .order_by("-closed_at")
        .first()
    )


def signed_hashes_differ(signed: set[tuple[str, str]], revision: FactSheetRevision) -> bool:
    """True unless every approval signed this revision's content hash and its rendition's hash."""
    return signed != {(revision.content_hash, revision.rendition.rendition_hash if revision.rendition else "")}


def publish(revision: FactSheetRevision, *, by, now: dt.datetime) -> FactSheetRevision:
    """Make an approved revision live. Caller holds the revision lock inside a transaction."""
    review = approving_review(revision)
    if review is None:
        raise TransitionNotAllowed("This version has no approved review, so it cannot be published.")
    actual_hash = revision.compute_content_hash()
    signed = set(
        review.decisions.filter(verdict=Decision.Verdict.APPROVE).values_list("content_hash", "rendition_hash")
    )
    rendition = revision.rendition
    if (
        signed_hashes_differ(signed, revision)
        or actual_hash != revision.content_hash
        or rendition is None
        or rendition.pk != review.rendition_id
        or rendition.compute_rendition_hash() != rendition.rendition_hash
    ):
        raise TransitionNotAllowed(
            "The content does not match what the reviewers signed (content or rendition hash mismatch); "
            "it cannot be published."
        )
    check_codes_required(revision)
    sheet = FactSheet.objects.select_for_update().get(pk=revision.fact_sheet_id)
    if sheet.withdrawn_at is not None:
        raise TransitionNotAllowed("This fact sheet is withdrawn; a new version of it cannot go live.")
    previous = live_version_locked(sheet, revision.language)
    reviewed_on = (revision.approved_at or now).date()
    go_live(
        revision,
        sheet=sheet,
        previous=previous,
        by=by,
        now=now,
        updated_on=now.date(),
        reviewed_on=reviewed_on,
        committee=review.committee,
        reason="Published",
    )
    transaction.on_commit(lambda: notifications.revision_published(revision))
    return revision


def live_version_locked(sheet: FactSheet, language: str) -> FactSheetRevision | None:
    """The live version of the sheet's edition in `language`, locked: English is the sheet's live revision;
    another language's is its one published version (a database constraint keeps it one)."""
    if not is_translation(language):
        return lock_revision(sheet.live_revision) if sheet.live_revision_id else None
    return (
        FactSheetRevision.objects.select_for_update()
        .filter(fact_sheet=sheet, language=language, status=Status.PUBLISHED)
        .first()
    )


def go_live(revision, *, sheet, previous, by, now, updated_on, reviewed_on, committee, reason: str) -> None:
    """The steps of going live, for a signed-off version and an import alike. Caller holds the locks.
    An English version becomes the sheet's live revision; a translation becomes its edition's live version
    (the sheet's English pointer is untouched). Either way the sheet's pages, in every language, change."""
    if previous:
        previous.status = Status.SUPERSEDED
        save_recorded(previous, by, f"Superseded by version {revision.number}")
    revision.status = Status.PUBLISHED
    revision.published_at = now
    revision.updated_on = updated_on
    revision.last_reviewed_on = reviewed_on
    revision.next_review_due = add_months(reviewed_on, committee.review_interval_months)
    revision.reviewed_by_name = committee.name
    save_recorded(revision, by, reason)
    if not revision.is_translation:
        sheet.live_revision = revision
        save_recorded(sheet, by, f"Version {revision.number} published")
    version_diffs.store(revision, previous)  # the versions page reads it, never diffs per request
    refresh_search_index([sheet.pk])
    changing(sheet.slug)
