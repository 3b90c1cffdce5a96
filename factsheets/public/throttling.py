"""Rate limits per client address, one mechanism for every public path that has one: DRF's throttles.

Rates live in one place, `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`: `anon` for the API and the Infobutton
(the default throttle class of every DRF view), `search` for the search page. Counts are kept in the
default cache (Redis in production, so a limit holds across app servers) under DRF's own keys, and the
client address is DRF's (`NUM_PROXIES` says how many proxies' X-Forwarded-For entries to trust).

`retry_after` is the one way to ask outside a DRF view: the search view asks it for `SearchRateThrottle`,
and the response cache (factsheets.public.middleware) asks it before serving a stored API or search answer,
so cached answers count against the same allowance as fresh ones.
"""

from __future__ import annotations

import math

from rest_framework.throttling import AnonRateThrottle


class ClientRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (scope `anon`), keyed by the client address alone. It needs no `request.user`,
    so the response cache, which runs before authentication, counts with the same key; the API has no
    authentication, so every request there is anonymous anyway."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SearchRateThrottle(ClientRateThrottle):
    """The search page's allowance (scope `search`), whoever asks: each search is a full-text query."""

    scope = "search"


def retry_after(request, throttle_class: type[ClientRateThrottle]) -> int | None:
    """Count this request against `throttle_class`'s rate: None when it is within the rate, otherwise the
    whole seconds to wait (a `Retry-After` value, rounded up like DRF's own 429)."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    return max(1, math.ceil(wait)) if wait is not None else 1
