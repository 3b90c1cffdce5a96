"""Building blocks the workflow's transitions share: recorded saves, row locks, input and limit checks,
opening a review under its committee's current rules."""

from __future__ import annotations

import calendar
import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


from factsheets.models import FactSheetRevision

from reviews.errors import InvalidInput
from .models import Committee, Review, min_approvals

logger = logging.getLogger(__name__)
User = get_user_model()
Status = FactSheetRevision.Status


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the end of a shorter month (31 Jan + 1 -> 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def printed_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def clean_text(value: str, *, label: str, max_length: int) -> str:
    """Free text typed with an action (comment, declaration, reason): refuse NUL characters and overlong text."""
    value = (value or "").strip()
    if "\x00" in value:
        raise InvalidInput(
            f"The {label} contains a NUL character (U+0000), which is not allowed; retype it as plain text."
        )
    if len(value) > max_length:
        raise InvalidInput(f"The {label} is {len(value)} characters long; keep it to {max_length} or fewer.")
    return value


def can_author(user) -> bool:
    return user.is_active and user.has_perm("factsheets.change_factsheetrevision")


def save_recorded(obj, by, reason: str, **kwargs):
    """Save with the acting user and a reason recorded in the object's history; a version moves state only
    through its own `save_transition()`."""
    if isinstance(obj, FactSheetRevision):
        obj.save_transition(by=by, reason=reason, **kwargs)
        return
    if by is not None:
        obj._history_user = by
    obj._change_reason = reason
    obj.save(**kwargs)


def check_limits(revision: FactSheetRevision) -> None:
    """Content is frozen only within the content limits, whichever path wrote it (admin, import, shell)."""
    try:
        revision.full_check()
    except ValidationError as error:
        problems = [
            f"{field}: {' '.join(messages)}" if field != NON_FIELD_ERRORS else " ".join(messages)
            for field, messages in error.message_dict.items()
        ]
        raise InvalidInput("This version is outside the content limits, so nothing was changed. " + " ".join(problems))


def check_codes_required(revision: FactSheetRevision) -> None:
    """With FACTSHEETS_REQUIRE_RXNORM on, a version reaches reviewers and patients only with its RXCUI:
    an EHR finds sheets by it, so a sheet without one is invisible from the medication list."""
    if getattr(settings, "FACTSHEETS_REQUIRE_RXNORM", False) and not revision.rxnorm:
        raise InvalidInput(
            f"Version {revision.number} has no RxNorm RXCUI, and this site requires one before a version is "
            "reviewed or published. Add the RXCUI of each active ingredient, so nothing was changed."
        )


def lock_revision(revision: FactSheetRevision) -> FactSheetRevision:
    return FactSheetRevision.objects.select_for_update().get(pk=revision.pk)


def lock_review(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("committee").get(pk=review.pk)


def open_review(*, committee: Committee, **fields) -> Review:
    """Open a review under the committee's rules as they stand now: its members, its quorum and whether
    signing needs an authenticator code are copied onto the review, and later changes do not apply to it."""
    reason = fields.pop("reason", "Review opened")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if committee.required_approvals < min_approvals():
        raise InvalidInput(
            f"The {committee} requires {committee.required_approvals} approval(s), below the site minimum of "
            f"{min_approvals()}; an administrator must raise its quorum first."
        )
    members = list(committee.members.filter(is_active=True))
    if len(members) < committee.required_approvals:
        raise InvalidInput(
            f"The {committee} has {len(members)} active member(s) but needs {committee.required_approvals} approvals; "
            "an administrator must add reviewers first."
        )
    review = Review(
        committee=committee,
        quorum=committee.required_approvals,
        needs_authenticator=committee.signing_needs_authenticator,
        **fields,
    )
    save_recorded(review, fields["submitted_by"], reason)
    review.members.set(members)
    return review
