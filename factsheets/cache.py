"""Cache keys for published content that must be forgotten when a sheet is published, reaffirmed or withdrawn.

The content of a published revision never changes, so its rendered forms are cached under keys that
include the revision (pk and content hash) and never need invalidating. What does change is which
revision a slug points to: that small "live pointer" is cached per slug and forgotten here, called by
reviews/services.py in `transaction.on_commit` after every publish, reaffirmation and withdrawal.

Pointer payload written by factsheets/api/views.py (dict): {"state": "live" | "withdrawn" |
"unpublished", "sheet_id", ...}; see `SheetPointer` there. It also expires after
settings.FACTSHEETS_LIVE_POINTER_TIMEOUT seconds, which bounds how long an edit of the sheet's own
fields (generic name, brand names, conditions) takes to show.
"""

from django.core.cache import cache


def live_pointer_key(slug: str) -> str:
    return f"factsheets:live-pointer:v1:{slug}"


def forget_sheet(slug: str) -> None:
    """Drop everything cached about which revision `slug` shows (call after publish/withdraw commits)."""
    cache.delete(live_pointer_key(slug))
