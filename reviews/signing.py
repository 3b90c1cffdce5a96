"""Who may sign a review and how a signature is checked and chained: rules 1 and 2, the re-entered
password with its lockout, the authenticator code, and the append-only chain of sign-offs."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


from factsheets.content.selectors import revision_authors
from factsheets.models import FactSheetRevision

from reviews import access, authenticator
from reviews.errors import (
    SigningLocked,
    TransitionNotAllowed,
    WorkflowError,
    WorkflowPermissionDenied,
    WrongCode,
    WrongPassword,
)
from .models import Decision, Review, min_approvals

logger = logging.getLogger(__name__)
User = get_user_model()
Status = FactSheetRevision.Status


# Every sign-off joins one chain; on PostgreSQL this transaction-scoped lock serialises appends (SQLite
# already serialises writers), so two sign-offs never claim the same position.
CHAIN_LOCK_KEY = 7_304_113


def append_decision(**fields) -> Decision:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    head = Decision.objects.order_by("-sequence").values("sequence", "chain_hash").first()
    decision = Decision(
        **fields,
        sequence=head["sequence"] + 1 if head else 1,
        previous_hash=head["chain_hash"] if head else "",
    )
    decision.chain_hash = decision.compute_chain_hash()
    decision.save()
    return decision


def review_quorum(review: Review) -> int:
    """Approvals this review needs: the quorum copied at submission (reviews opened before that was kept
    use the committee's), never below the site minimum."""
    quorum = review.quorum if review.quorum is not None else review.committee.required_approvals
    return max(quorum, min_approvals())


def review_members(review: Review):
    """Who may sign this review: the committee's members at submission (the committee's current members
    for reviews opened before that was kept)."""
    return review.members.all() if review.quorum is not None else review.committee.members.all()


SIGN_PASSWORD_ATTEMPTS = 5
SIGN_LOCKOUT_SECONDS = 15 * 60


def signing_locked_until(user) -> dt.datetime | None:
    """When signing opens again for `user` after too many wrong passwords, or None when it is open."""
    if cache.get(f"sign-password-failures:{user.pk}", 0) < SIGN_PASSWORD_ATTEMPTS:
        return None
    since = cache.get(f"sign-password-first-failure:{user.pk}")
    return (since or timezone.now()) + dt.timedelta(seconds=SIGN_LOCKOUT_SECONDS)


def check_password(user, password: str) -> None:
    """The electronic signature's re-entered password, with a limit on wrong guesses per reviewer: the
    count and the time of the first wrong guess expire together, SIGN_LOCKOUT_SECONDS after that guess."""
    key = f"sign-password-failures:{user.pk}"
    until = signing_locked_until(user)
    if until is not None:
        raise SigningLocked(
            f"Too many wrong passwords: signing is locked until {until:%H:%M} UTC on {until:%d %B %Y}. "
            "Nothing was signed.",
            until=until,
        )
    if not password or not user.check_password(password):
        cache.add(f"sign-password-first-failure:{user.pk}", timezone.now(), SIGN_LOCKOUT_SECONDS)
        cache.add(key, 0, SIGN_LOCKOUT_SECONDS)
        cache.incr(key)
        raise WrongPassword("The password is not correct. Nothing was signed.")
    cache.delete(key)
    cache.delete(f"sign-password-first-failure:{user.pk}")


def check_code(user, code: str) -> None:
    if not authenticator.verify(user, code):
        raise WrongCode("The authenticator code is not correct (or has expired). Nothing was signed.")


def sign_refusal(*, review: Review, revision: FactSheetRevision, by, check_state: bool = True) -> WorkflowError | None:
    """Why `by` may not sign `review` (who first, then the state), or None. Rules 1 and 2 live here only."""
    committee = review.committee
    if not by.is_active or not committee.members.filter(pk=by.pk).exists():
        return WorkflowPermissionDenied(f"Only members of the {committee} can sign off this review.")
    if by.pk == review.submitted_by_id or by.pk in revision_authors(revision):
        return WorkflowPermissionDenied("You wrote or submitted this version, so you cannot sign it off.")
    if not review_members(review).filter(pk=by.pk).exists():
        return WorkflowPermissionDenied(
            f"You joined the {committee} after this version was submitted; only the members at submission sign it."
        )
    set_by_other = access.password_set_by_someone_else(by)
    if set_by_other is not None:
        return WorkflowPermissionDenied(
            f"Your password was last set by {access.describe_setter(set_by_other)}, not by you. Set your own "
            "password (Change password, or the reset link) before you sign."
        )
    if review.status == Review.Status.OPEN:
        changes = access.changes_that_disqualify(by, committee=committee, since=review.submitted_at)
        if changes:
            return WorkflowPermissionDenied(
                f"You changed who signs while this review was open ({changes[0].get_kind_display().lower()}: "
                f"{changes[0].detail}, {changes[0].at:%Y-%m-%d %H:%M} UTC), so you cannot sign it."
            )
    if review.needs_authenticator and not authenticator.has_device(by):
        return WorkflowPermissionDenied(
            f"The {committee} requires an authenticator code to sign: enrol an authenticator app on your account "
            "page first."
        )
    if not check_state:
        return None
    if review.status != Review.Status.OPEN:
        return TransitionNotAllowed(f"This review is already closed ({review.get_status_display().lower()}).")
    if review.decisions.filter(reviewer=by).exists():
        return TransitionNotAllowed("You have already signed this review; each member signs once.")
    if review.kind == Review.Kind.REAFFIRMATION and (
        revision.status != Status.PUBLISHED or revision.fact_sheet.withdrawn_at is not None
    ):
        return TransitionNotAllowed("This version is no longer live, so there is nothing left to reaffirm.")
    return None


def review_sign_refusal(*, review: Review, by) -> WorkflowError | None:
    """For screens: the reason `by` cannot sign `review` now, or None when the sign form may be shown.
    `review_sign` applies the same checks (plus password, verdict and content hash) under lock."""
    refusal = sign_refusal(review=review, revision=review.revision, by=by)
    until = signing_locked_until(by) if refusal is None else None
    if until is not None:
        refusal = SigningLocked(
            f"Too many wrong passwords: signing is locked for your account until {until:%H:%M} UTC on "
            f"{until:%d %B %Y}. Nothing was signed; reading this review still works.",
            until=until,
        )
    return refusal
