"""The review workflow: every transition of a revision or a sheet, as one plain function each.

Each function takes keyword-only arguments including the acting user, checks permission, then state,
then changes state and records who, when and why, in one transaction with the rows it changes locked
(`select_for_update`). Admin views, the API and management commands call these and only translate the
result. Nothing else sets a revision's status.

Errors: `WorkflowPermissionDenied` (the person may not do this; also a Django `PermissionDenied`, so a
view answers 403), `TransitionNotAllowed` (the object is in the wrong state) and `InvalidInput`
(something required is missing). All three are `WorkflowError`, whose message is written for the user.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from factsheets.content import languages
from factsheets.plain_language import readability, spanish

from factsheets.public.cache import changing
from factsheets.public.rendition import make_rendition
from factsheets.content.selectors import revision_authors
from factsheets.models import FactSheet, FactSheetRevision

from reviews import comments, going_live, notifications
from reviews.errors import InvalidInput, TransitionNotAllowed, WorkflowPermissionDenied
from reviews.signing import append_decision, check_code, check_password, review_quorum, sign_refusal
from reviews.steps import (
    add_months,
    can_author,
    check_codes_required,
    check_limits,
    clean_text,
    lock_review,
    lock_revision,
    open_review,
    printed_name,
    save_recorded,
)
from .models import Committee, Decision, Review

logger = logging.getLogger(__name__)
User = get_user_model()
Status = FactSheetRevision.Status


# Helpers ------------------------------------------------------------------------------------------# Submission ---------------------------------------------------------------------------------------


def _freeze(revision: FactSheetRevision):
    """Fix what is signed (the caller saves the revision): the conditions' names as they stand now, the hash
    over the current canonical form, and the one rendition that reviewers read and patients will get."""
    revision.conditions_as_signed = revision.used_for()
    revision.hash_version = FactSheetRevision.HASH_VERSION
    revision.content_hash = revision.compute_content_hash()
    revision.rendition = make_rendition(revision)
    return revision.rendition


def _reviewing_committee(revision: FactSheetRevision, committee: Committee | None) -> Committee:
    """The committee chosen, or the only one that may review this version; a translation goes only to a
    committee marked as translation reviewers."""
    eligible = Committee.objects.filter(reviews_translations=True) if revision.is_translation else Committee.objects
    if committee is None:
        committees = list(eligible.all()[:2])
        if len(committees) != 1:
            if revision.is_translation and not committees:
                raise InvalidInput(
                    "No committee is marked as translation reviewers; an administrator must mark one before a "
                    "translation can be reviewed."
                )
            raise InvalidInput("Choose the committee that should review this version.")
        return committees[0]
    if revision.is_translation and not committee.reviews_translations:
        raise InvalidInput(
            f"The {committee} does not review translations; choose a committee marked as translation reviewers."
        )
    return committee


def _check_translation_source(revision: FactSheetRevision) -> None:
    """A translation is reviewed against the English text patients read now: it must translate the live
    English version of its own sheet."""
    sheet = revision.fact_sheet
    source = revision.translation_of
    if source is None or source.fact_sheet_id != sheet.pk or source.is_translation:
        raise InvalidInput("This translation does not name an English version of this fact sheet.")
    if source.pk != sheet.live_revision_id:
        live = sheet.live_revision
        raise InvalidInput(
            f"This translation is of English version {source.number}, but English version "
            f"{live.number if live else '?'} is live now. Update the translation to the live English version "
            "(“Translate the live English version”), then submit."
        )


def _check_reading_level(revision: FactSheetRevision, committee: Committee, justification: str) -> None:
    """Above the committee's reading target (a grade in English; the matching minimum reading ease in
    Spanish), a version needs a written justification."""
    report = readability.revision_report(revision, revision.language)
    if not report.above(float(committee.max_reading_grade)) or justification:
        return
    if revision.is_translation:
        raise InvalidInput(
            f"This version's reading ease is {report.overall.ease:.0f} (Szigriszt-Pazos, INFLESZ), below the "
            f"{spanish.minimum_ease(committee.max_reading_grade):.0f} that the {committee}'s target of grade "
            f"{committee.max_reading_grade} asks of Spanish text. Simplify the text, or explain in a reading-level "
            "justification why it needs to be harder to read."
        )
    raise InvalidInput(
        f"This version reads at grade {report.grade:.1f} (Flesch-Kincaid), above the {committee}'s target of grade "
        f"{committee.max_reading_grade}. Simplify the text, or explain in a reading-level justification why "
        "it needs to be harder to read."
    )


@transaction.atomic
def revision_submit(
    *, revision: FactSheetRevision, by, committee: Committee | None = None, justification: str = ""
) -> Review:
    """An author sends a draft (or a revision after changes were requested) to a committee.

    The content is frozen from here on and its hash fixed; the committee's members are emailed.
    With several committees the author must choose one. A version whose overall reading grade
    (Flesch-Kincaid, `factsheets.plain_language.readability`) is above the committee's `max_reading_grade` needs a
    written `justification`, which is kept on the review for the reviewers.
    """
    if not can_author(by):
        raise WorkflowPermissionDenied("Only authors can submit a fact sheet for review.")
    revision = lock_revision(revision)
    if revision.fact_sheet.withdrawn_at is not None:
        raise TransitionNotAllowed("This fact sheet has been withdrawn by an editor; it cannot be sent for review.")
    if revision.status not in FactSheetRevision.EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            f"Version {revision.number} is {revision.get_status_display().lower()}; only a draft or a version "
            "with changes requested can be submitted."
        )
    committee = _reviewing_committee(revision, committee)
    if not committee.members.exists():
        raise InvalidInput(f"The {committee} has no members yet; an editor must add reviewers first.")
    if not revision.sections.exists():
        raise InvalidInput("Add at least one section before submitting.")
    if revision.is_translation:
        _check_translation_source(revision)
    check_limits(revision)
    check_codes_required(revision)
    justification = clean_text(justification, label="reading-level justification", max_length=5000)
    _check_reading_level(revision, committee, justification)

    now = timezone.now()
    rendition = _freeze(revision)
    revision.status = Status.IN_REVIEW
    revision.submitted_at = now
    save_recorded(revision, by, f"Submitted for review by the {committee}")
    review = open_review(
        committee=committee,
        revision=revision,
        kind=Review.Kind.REVISION,
        submitted_by=by,
        submitted_at=now,
        content_hash=revision.content_hash,
        rendition=rendition,
        reading_justification=justification,
    )
    transaction.on_commit(lambda: notifications.review_opened(review))
    return review


def may_withdraw_submission(*, review: Review, by) -> bool:
    """Whether `by` may take this review's version back to draft: the submitter or another of its authors,
    while the review is open (the caller checks that nobody signed yet)."""
    return (
        review.status == Review.Status.OPEN
        and review.kind == Review.Kind.REVISION
        and can_author(by)
        and (by.pk == review.submitted_by_id or by.pk in revision_authors(review.revision))
    )


@transaction.atomic
def revision_withdraw_submission(*, revision: FactSheetRevision, by) -> FactSheetRevision:
    """The submitter (or another author of the revision) takes it back to draft before anyone signed."""
    revision = lock_revision(revision)
    review = Review.objects.select_for_update().filter(revision=revision, status=Review.Status.OPEN).first()
    if review is None or revision.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(
            f"Version {revision.number} is not waiting for review, so there is nothing to withdraw."
        )
    if not may_withdraw_submission(review=review, by=by):
        raise WorkflowPermissionDenied("Only an author of this version can withdraw it from review.")
    if review.decisions.exists():
        raise TransitionNotAllowed("A reviewer has already signed this review; it can no longer be withdrawn.")
    now = timezone.now()
    review.status = Review.Status.WITHDRAWN
    review.closed_at = now
    save_recorded(review, by, "Withdrawn by the author before any decision")
    revision.status = Status.DRAFT
    revision.submitted_at = None
    revision.content_hash = ""
    save_recorded(revision, by, "Withdrawn from review; back to draft")
    return revision


# Sign-off -----------------------------------------------------------------------------------------


@transaction.atomic
def review_sign(
    *,
    review: Review,
    by,
    verdict: str,
    password: str,
    code: str = "",
    comment: str = "",
    conflict_of_interest: str = "",
    field_comments: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """A committee member signs an open review: approve, or request changes with a comment.

    The reviewer re-enters their password (electronic signature), plus their authenticator's current
    `code` when the committee required one at submission. Only members at submission sign, with a
    password they set themselves, and not if they changed the committee's members or quorum, or granted an
    author or reviewer role, while the review was open. Authors and the submitter of the revision never
    sign it; each member signs once. The sign-off is appended to the hash chain of all sign-offs.
    Any request for changes closes the review and makes the revision editable again. The required number
    of distinct approvals approves it: a new version then goes live at once (or at its `publish_at`), a
    reaffirmation moves the review dates. `field_comments` ({field key: text}, see `reviews.comments`)
    attach comments to single fields; they join the signed comment and are kept per field for the author.
    """
    now = now or timezone.now()
    comment = (comment or "").strip()
    conflict_of_interest = (conflict_of_interest or "").strip()
    if verdict not in Decision.Verdict.values:
        raise InvalidInput("Choose whether to approve or to request changes.")
    # Lock order everywhere: revision, then its review, then the sheet (no deadlock with a withdrawal).
    revision_id = Review.objects.values_list("revision_id", flat=True).get(pk=review.pk)
    revision = FactSheetRevision.objects.select_for_update().get(pk=revision_id)
    review = lock_review(review)
    committee = review.committee

    refusal = sign_refusal(review=review, revision=revision, by=by, check_state=False)
    if refusal is not None:
        raise refusal
    check_password(by, password)
    second_factor = False
    if review.needs_authenticator:
        check_code(by, code)
        second_factor = True
    refusal = sign_refusal(review=review, revision=revision, by=by)
    if refusal is not None:
        raise refusal
    try:
        notes = comments.checked(revision, field_comments)
    except ValueError as error:
        raise InvalidInput(f"{error} Nothing was signed.") from None
    if verdict == Decision.Verdict.REQUEST_CHANGES and not comment and not notes:
        raise InvalidInput("Say what needs to change: a comment is required when requesting changes.")
    comment = clean_text(comments.signed_text(comment, notes), label="comment", max_length=10_000)
    conflict_of_interest = clean_text(conflict_of_interest, label="conflict-of-interest declaration", max_length=5000)
    current_hash = revision.compute_content_hash()
    if current_hash != review.content_hash:
        raise TransitionNotAllowed("The content changed after it was submitted; it cannot be signed.")
    rendition = review.rendition
    if rendition is None or rendition.compute_rendition_hash() != rendition.rendition_hash:
        raise TransitionNotAllowed("The stored page under review does not match its hash; it cannot be signed.")

    reaffirmation = review.kind == Review.Kind.REAFFIRMATION
    meaning = Decision.MEANINGS[verdict]
    if reaffirmation and verdict == Decision.Verdict.APPROVE:
        meaning = Decision.REAFFIRM_MEANING
    decision = append_decision(
        review=review,
        reviewer=by,
        verdict=verdict,
        comment=comment,
        signed_at=now,
        content_hash=current_hash,
        rendition_hash=rendition.rendition_hash,
        printed_name=printed_name(by),
        meaning=meaning,
        conflict_of_interest=conflict_of_interest,
        second_factor=second_factor,
    )
    comments.record(decision, notes)

    if verdict == Decision.Verdict.REQUEST_CHANGES:
        review.status = Review.Status.CHANGES_REQUESTED
        review.closed_at = now
        save_recorded(review, by, f"Changes requested by {decision.printed_name}")
        if not reaffirmation:
            revision.status = Status.CHANGES_REQUESTED
            save_recorded(revision, by, f"Changes requested by {decision.printed_name}")
    else:
        approvals = review.decisions.filter(verdict=Decision.Verdict.APPROVE).values("reviewer").distinct().count()
        quorum = review_quorum(review)
        if approvals >= quorum:
            review.status = Review.Status.APPROVED
            review.closed_at = now
            save_recorded(review, by, f"Quorum reached ({approvals} of {quorum})")
            if reaffirmation:
                _reaffirm(revision, committee=committee, by=by, on=now.date())
            else:
                revision.status = Status.APPROVED
                revision.approved_at = now
                save_recorded(revision, by, f"Approved by the {committee}")
                due = revision.publish_at is None or revision.publish_at <= now
                if due and revision.fact_sheet.withdrawn_at is None:
                    going_live.publish(revision, by=by, now=now)
    transaction.on_commit(lambda: notifications.decision_recorded(decision))
    return decision


def _reaffirm(revision: FactSheetRevision, *, committee: Committee, by, on: dt.date) -> None:
    revision.last_reviewed_on = on
    revision.next_review_due = add_months(on, committee.review_interval_months)
    save_recorded(revision, by, f"Reaffirmed unchanged by the {committee}")
    changing(revision.fact_sheet.slug)


@transaction.atomic
def review_start_reaffirmation(
    *, fact_sheet: FactSheet, by, committee: Committee, language: str = languages.SOURCE
) -> Review:
    """An editor asks a committee to re-review the live version of one edition (English unless `language`
    names another) unchanged (no new version number)."""
    if not by.is_active or not by.has_perm("reviews.start_reaffirmation"):
        raise WorkflowPermissionDenied("Only editors can ask a committee to reaffirm a fact sheet.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    if sheet.live_revision_id is None or sheet.withdrawn_at is not None:
        raise TransitionNotAllowed("Only a live fact sheet can be reaffirmed.")
    revision = going_live.live_version_locked(sheet, languages.check(language))
    if revision is None:
        raise TransitionNotAllowed("This fact sheet has no live version in that language to reaffirm.")
    if revision.is_translation and not committee.reviews_translations:
        raise InvalidInput(
            f"The {committee} does not review translations; choose a committee marked as translation reviewers."
        )
    if revision.is_translation and revision.translation_of_id != sheet.live_revision_id:
        # Reaffirming it would date today a text that says what an earlier English version said.
        raise TransitionNotAllowed(
            f"{capfirst(revision.version_name)} translates English version {revision.translation_of.number}, and "
            f"English version {sheet.live_revision.number} is live now: update the translation (a new version, "
            "reviewed as usual) instead of reaffirming it unchanged."
        )
    if Review.objects.filter(revision=revision, status=Review.Status.OPEN).exists():
        raise TransitionNotAllowed("This version already has an open review.")
    if not committee.members.exists():
        raise InvalidInput(f"The {committee} has no members yet; add reviewers first.")
    review = open_review(
        committee=committee,
        revision=revision,
        kind=Review.Kind.REAFFIRMATION,
        submitted_by=by,
        submitted_at=timezone.now(),
        content_hash=revision.content_hash,
        rendition=revision.rendition,
        reason="Reaffirmation requested",
    )
    transaction.on_commit(lambda: notifications.review_opened(review))
    return review


def publish_due(*, now: dt.datetime | None = None) -> list[FactSheetRevision]:
    """Publish every approved revision whose `publish_at` has come. Safe to run every minute and twice at once:
    each revision is locked and re-checked, so a revision that another run published is skipped."""
    now = now or timezone.now()
    published = []
    due = FactSheetRevision.objects.filter(status=Status.APPROVED, publish_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        try:
            with transaction.atomic():
                revision = FactSheetRevision.objects.select_for_update().get(pk=pk)
                if revision.status != Status.APPROVED:
                    continue
                published.append(going_live.publish(revision, by=None, now=now))
        except TransitionNotAllowed as error:
            # Left approved and reported, never published on a signature that no longer matches.
            logger.error("publish_due: revision %s not published: %s", pk, error.message)
            continue
    return published


# Sheets -------------------------------------------------------------------------------------------


@transaction.atomic
def factsheet_withdraw(*, fact_sheet: FactSheet, by, reason: str) -> FactSheet:
    """An editor takes a live sheet off the public site with a reason; its pages then answer 410."""
    if not by.is_active or not by.has_perm("factsheets.withdraw_factsheet"):
        raise WorkflowPermissionDenied("Only editors can withdraw a fact sheet.")
    reason = clean_text(reason, label="reason", max_length=2000)
    if not reason:
        raise InvalidInput("Give the reason for withdrawing this fact sheet; it is shown to patients.")
    sheet = FactSheet.objects.select_for_update().get(pk=fact_sheet.pk)
    if sheet.withdrawn_at is not None:
        raise TransitionNotAllowed("This fact sheet is already withdrawn.")
    if sheet.live_revision_id is None:
        raise TransitionNotAllowed("This fact sheet was never published, so there is nothing to withdraw.")
    sheet.withdrawn_at = timezone.now()
    sheet.withdrawal_reason = reason
    save_recorded(sheet, by, f"Withdrawn: {reason}")
    changing(sheet.slug)
    return sheet


@transaction.atomic
def revision_import_published(
    *, revision: FactSheetRevision, committee: Committee, updated_on: dt.date, source: str, by=None
) -> FactSheetRevision:
    """Publish a revision imported from an existing sheet that was approved outside this system.

    No sign-off is invented: the history says it was imported, and `imported_from` names the source.
    The source's updated date is kept as `updated_on` and counts as its last review.
    """
    revision = lock_revision(revision)
    if revision.status not in FactSheetRevision.EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            f"Version {revision.number} is not a draft; only a new import can be published this way."
        )
    if revision.is_translation:
        # A translation is checked against its English source by the translation reviewers, here, always.
        raise TransitionNotAllowed(
            f"{capfirst(revision.version_name)} is a translation: translations are never published as imported; "
            "send it to the translation reviewers."
        )
    sheet = FactSheet.objects.select_for_update().get(pk=revision.fact_sheet_id)
    now = timezone.now()
    if sheet.withdrawn_at is not None:
        raise TransitionNotAllowed("This fact sheet is withdrawn; an import cannot put it back online.")
    previous = None
    if sheet.live_revision_id:
        previous = lock_revision(sheet.live_revision)
        if not previous.imported_from:
            # Text a committee approved here is only ever replaced through a review, never by an import.
            raise TransitionNotAllowed(
                f"Version {previous.number} of this sheet was approved in this system; import the file as a draft "
                "and send it for review instead."
            )
    check_limits(revision)
    _freeze(revision)
    revision.submitted_at = revision.approved_at = now
    revision.imported_from = source[:300]
    going_live.go_live(
        revision,
        sheet=sheet,
        previous=previous,
        by=by,
        now=now,
        updated_on=updated_on,
        reviewed_on=updated_on,
        committee=committee,
        reason=f"Imported from {source}; approved outside this system",
    )
    return revision
