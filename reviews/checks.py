"""System check: the site minimum quorum cannot be set below two (nobody publishes alone)."""

from django.conf import settings
from django.core import checks

from .models import QUORUM_FLOOR


@checks.register(checks.Tags.compatibility)
def min_approvals_check(app_configs, **kwargs):
    value = getattr(settings, "REVIEWS_MIN_APPROVALS", QUORUM_FLOOR)
    if not isinstance(value, int) or value < QUORUM_FLOOR:
        return [
            checks.Error(
                f"REVIEWS_MIN_APPROVALS is {value!r}; it must be a whole number of at least {QUORUM_FLOOR}.",
                id="reviews.E001",
            )
        ]
    return []
