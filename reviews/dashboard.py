"""The task-first dashboard: for each person, the things waiting on them, each with its next action.

Read-only and bounded (every list is cut at LIMIT rows). Who may sign what is decided by
`signing.review_sign_refusal`, the same check the sign form uses, so the dashboard never offers a
review that would then refuse the signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from factsheets.content import languages, selectors
from factsheets.models import FactSheetRevision

from . import errors, services, signing
from .models import Decision, Review

LIMIT = 10
# Reviews looked at to fill the reviewer's list: the cheap filters below leave few that the full check
# then refuses, so twice the list's length is plenty and keeps the work bounded.
CANDIDATES = 2 * LIMIT

Status = FactSheetRevision.Status


@dataclass
class Task:
    """One row: what it is about, and the single thing to do next."""

    title: str
    detail: str
    action_label: str
    action_url: str
    obj: object = None
    quote: str = ""


def signable_reviews(user) -> list[Review]:
    """Open reviews `user` may sign now, oldest first, with `approvals` counted on each."""
    candidates = (
        Review.objects.awaiting(user)
        # Their own submissions would be refused anyway; dropping them here only saves the full check.
        .exclude(submitted_by=user)
        .exclude(revision__created_by=user)
        .select_related("revision__fact_sheet", "committee")
        .annotate(approvals=Count("decisions", filter=Q(decisions__verdict=Decision.Verdict.APPROVE)))
        .order_by("submitted_at", "pk")[:CANDIDATES]
    )
    signable = []
    for review in candidates:
        refusal = signing.review_sign_refusal(review=review, by=user)
        # A signing lock after wrong passwords is temporary: the task is still theirs.
        if refusal is None or isinstance(refusal, errors.SigningLocked):
            signable.append(review)
        if len(signable) == LIMIT:
            break
    return signable


def _review_tasks(user, now) -> list[Task]:
    tasks = []
    for review in signable_reviews(user):
        revision = review.revision
        age = (now - review.submitted_at).days
        tasks.append(
            Task(
                title=f"{revision.title}, {revision.version_name}",
                detail=f"{review.get_kind_display()}",
                action_label="Review and sign",
                action_url=reverse("reviews:review", args=[review.pk]),
                obj={
                    "review": review,
                    "committee": review.committee.name,
                    "submitted": review.submitted_at,
                    "age": "today" if age == 0 else f"{age} day{'s' if age != 1 else ''}",
                    "approvals": f"{review.approvals} of {services.review_quorum(review)}",
                },
            )
        )
    return tasks


def _author_tasks(user) -> list[Task]:
    """The author's versions not yet live: drafts to finish, versions sent back (with the comment), and
    versions waiting for the committee."""
    returned = (
        Review.objects.filter(status=Review.Status.CHANGES_REQUESTED)
        .order_by("-closed_at")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(verdict=Decision.Verdict.REQUEST_CHANGES).order_by("signed_at"),
                to_attr="requests",
            )
        )
    )
    open_reviews = Review.objects.filter(status=Review.Status.OPEN)
    revisions = (
        FactSheetRevision.objects.filter(
            created_by=user, status__in=[Status.DRAFT, Status.CHANGES_REQUESTED, Status.IN_REVIEW]
        )
        .select_related("fact_sheet")
        .prefetch_related(
            Prefetch("reviews", queryset=returned, to_attr="returned"),
            Prefetch("reviews", queryset=open_reviews, to_attr="open_reviews"),
        )
        # changes_requested < draft < in_review: alphabetical is also the order of urgency.
        .order_by("status", "-created_at")[:LIMIT]
    )
    tasks = []
    for revision in revisions:
        title = f"{revision.title}, {revision.version_name}"
        edit_url = reverse("admin:factsheets_factsheetrevision_change", args=[revision.pk])
        if revision.status in (Status.CHANGES_REQUESTED, Status.DRAFT):
            # A returned version quotes the reviewer's request for changes; a plain draft quotes nothing.
            request = None
            if revision.status == Status.CHANGES_REQUESTED and revision.returned and revision.returned[0].requests:
                request = revision.returned[0].requests[0]
            tasks.append(
                Task(
                    title=title,
                    detail=revision.get_status_display(),
                    action_label="Edit draft",
                    action_url=edit_url,
                    obj=revision,
                    quote=request.comment if request else "",
                )
            )
        else:
            review = revision.open_reviews[0] if revision.open_reviews else None
            url = (
                reverse("reviews:review", args=[review.pk])
                if review
                else reverse("factsheets:preview", args=[revision.pk])
            )
            tasks.append(
                Task(
                    title=title,
                    detail=revision.get_status_display(),
                    action_label="See its review",
                    action_url=url,
                    obj=revision,
                )
            )
    return tasks


def _translation_tasks() -> list[Task]:
    """Live translations based on an earlier English version than the live one, each with the step that
    brings it up to date: start the update draft, or open the one already being worked on (two queries)."""
    stale = list(selectors.stale_translations()[:LIMIT])
    pending = {}
    in_progress = (
        FactSheetRevision.objects.filter(fact_sheet_id__in={r.fact_sheet_id for r in stale})
        .exclude(language=languages.SOURCE)
        .exclude(status__in=FactSheetRevision.PUBLIC_STATUSES)
        .order_by("number")
    )
    for revision in in_progress:
        pending[(revision.fact_sheet_id, revision.language)] = revision  # the highest number wins
    tasks = []
    for revision in stale:
        name = revision.get_language_display()
        draft = pending.get((revision.fact_sheet_id, revision.language))
        if draft is None:
            label = "Start the update"
            url = reverse(
                "admin:factsheets_factsheet_start_translation", args=[revision.fact_sheet_id, revision.language]
            )
        else:
            label = (
                f"Continue {name} version {draft.number}"
                if draft.is_editable
                else f"Open {name} version {draft.number}"
            )
            url = reverse("admin:factsheets_factsheetrevision_change", args=[draft.pk])
        tasks.append(
            Task(
                title=f"{revision.title}, {revision.version_name}",
                detail=f"Translates English version {revision.translation_of.number}; English version "
                f"{revision.fact_sheet.live_revision.number} is live.",
                action_label=label,
                action_url=url,
                obj={"revision": revision, "pending": draft, "starts": draft is None},
            )
        )
    return tasks


def _overdue_tasks(user, today) -> list[Task]:
    may_reaffirm = user.has_perm("reviews.start_reaffirmation")
    tasks = []
    overdue = (
        FactSheetRevision.objects.live(None)  # every edition: a Spanish version falls due like an English one
        .filter(next_review_due__lt=today)
        .select_related("fact_sheet")
        .order_by("next_review_due")[:LIMIT]
    )
    for revision in overdue:
        sheet_id = revision.fact_sheet_id
        url = reverse("reviews:reaffirm" if may_reaffirm else "reviews:sheet_versions", args=[sheet_id])
        if may_reaffirm and revision.is_translation:
            url += f"?language={revision.language}"
        tasks.append(
            Task(
                title=f"{revision.title}, {revision.version_name}" if revision.is_translation else revision.title,
                detail=f"was due {revision.next_review_due:%Y-%m-%d}",
                action_label="Ask for reaffirmation" if may_reaffirm else "See versions",
                action_url=url,
                obj=revision,
            )
        )
    return tasks


def dashboard_for(user) -> dict:
    now = timezone.now()
    can_sign = user.has_perm("reviews.view_review")
    return {
        "awaiting": _review_tasks(user, now) if can_sign else [],
        "can_sign": can_sign,
        "my_drafts": _author_tasks(user) if services.can_author(user) else [],
        "can_author": services.can_author(user),
        "translations_to_update": _translation_tasks() if services.can_author(user) else [],
        "overdue": _overdue_tasks(user, now.date()),
        "recent": list(
            FactSheetRevision.objects.filter(status__in=FactSheetRevision.PUBLIC_STATUSES, published_at__isnull=False)
            .select_related("fact_sheet")
            .order_by("-published_at")[:LIMIT]
        ),
    }
