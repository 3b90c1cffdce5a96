"""Read-only selections for the admin index dashboard; each list is bounded."""

from django.utils import timezone

from factsheets.models import FactSheetRevision

from .models import Review

LIMIT = 10


def dashboard_for(user) -> dict:
    today = timezone.now().date()
    return {
        "awaiting": list(
            Review.objects.awaiting(user).select_related("revision", "committee").order_by("submitted_at")[:LIMIT]
        ),
        "my_drafts": list(
            FactSheetRevision.objects.filter(created_by=user)
            .exclude(status__in=FactSheetRevision.PUBLIC_STATUSES)
            .select_related("fact_sheet")
            .order_by("-created_at")[:LIMIT]
        ),
        "overdue": list(
            FactSheetRevision.objects.live().filter(next_review_due__lt=today).select_related("fact_sheet")
            .order_by("next_review_due")[:LIMIT]
        ),
        "recent": list(
            FactSheetRevision.objects.filter(status__in=FactSheetRevision.PUBLIC_STATUSES, published_at__isnull=False)
            .select_related("fact_sheet")
            .order_by("-published_at")[:LIMIT]
        ),
    }
