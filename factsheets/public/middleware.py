"""A lean path for anonymous GETs of public pages and API responses: whole responses from the cache.

Placed after SecurityMiddleware, WhiteNoise and CorsMiddleware (so a cached response still gets their
headers on the way out) and before the session, CSRF, auth, messages and history middleware, which a
cache hit skips entirely.

- Only GET/HEAD of the public URLs below, and only for requests without a session cookie (a signed-in
  author or reviewer always goes through the whole stack; staff-only pages are not on the list anyway).
- Stored: a GET answered 200 or 410 whose Cache-Control says `public` (or that the view marked
  `response.public_cacheable = True`, as the API lists do without changing their headers), that sets no cookie and does not
  vary on Cookie. The entry is (status, headers, body) plus the site-wide cache generation read *before*
  the view ran (factsheets.public.cache.site_generation). A publish, reaffirmation or withdrawal renews that
  generation when it commits (factsheets.public.cache.content_changed), so every cached page and list shows the change at once; an
  entry built from a read that raced the commit carries the old generation and is never served.
- Entries also expire after FACTSHEETS_CACHE_SECONDS (a bound on memory; nothing a patient reads changes
  outside the workflow, which renews the generation).
- The API's anonymous rate limit still applies to hits on /api/ (DRF's AnonRateThrottle, same counter);
  a request over the limit goes through the whole stack and gets DRF's 429.
- Conditional requests: a hit answers If-None-Match / If-Modified-Since with 304 from the stored ETag and
  Last-Modified, as the views do.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from factsheets.public import cache as sheet_cache

PUBLIC_PATHS = re.compile(
    r"^/(?:$|search/$|conditions/[-\w]+/$|factsheets/[-\w]+/(?:versions/(?:\d+/)?)?$"
    r"|api/v1/(?:factsheets/(?:[-\w]+/(?:versions/(?:\d+/)?)?)?|conditions/)$)"
)
MAX_KEY_PATH = 512  # longer URLs (odd query strings) are served normally and not stored
STORED_STATUSES = {200, 410}
KEY_PREFIX = "public-response:"
CONDITIONAL_HEADERS = frozenset(
    ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"]
)


def _key(request) -> str:
    return KEY_PREFIX + hashlib.sha256(request.get_full_path().encode()).hexdigest()[:40]


@functools.cache
def _lean_throttle_class():
    from rest_framework.throttling import AnonRateThrottle

    class LeanAnonThrottle(AnonRateThrottle):
        def get_cache_key(self, request, view):  # no request.user yet: every request here is anonymous
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    return LeanAnonThrottle


def _api_throttle_allows(request) -> bool:
    """The API's anonymous rate limit also counts cached answers (same cache key as DRF's throttle)."""
    throttle = _lean_throttle_class()()
    return throttle.rate is None or throttle.allow_request(request, None)


class PublicResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        key = _key(request)
        found = cache.get_many([key, sheet_cache.SITE_GEN_KEY])
        generation = found.get(sheet_cache.SITE_GEN_KEY) or sheet_cache.new_site_generation_if_missing()
        entry = found.get(key)
        if entry is not None and entry["gen"] == generation:
            if request.path_info.startswith("/api/") and not _api_throttle_allows(request):
                return self.get_response(request)  # DRF answers 429 with its usual body and Retry-After
            return self._from_entry(request, entry)
        response = self.get_response(request)
        if request.method == "GET" and self._storable(response):
            entry = {
                "gen": generation,
                "status": response.status_code,
                "headers": list(response.headers.items()),
                "body": response.content,
            }
            cache.set(key, entry, settings.FACTSHEETS_CACHE_SECONDS)
        return response

    @staticmethod
    def _eligible(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and len(request.get_full_path()) <= MAX_KEY_PATH
            and PUBLIC_PATHS.match(request.path_info) is not None
        )

    @staticmethod
    def _storable(response) -> bool:
        if response.status_code not in STORED_STATUSES or response.streaming or response.cookies:
            return False
        if "public" not in response.get("Cache-Control", "") and not getattr(response, "public_cacheable", False):
            return False
        vary = response.get("Vary", "").lower()
        return "cookie" not in vary

    @staticmethod
    def _from_entry(request, entry) -> HttpResponse:
        response = HttpResponse(entry["body"], status=entry["status"], headers=dict(entry["headers"]))
        if entry["status"] == 200 and not CONDITIONAL_HEADERS.isdisjoint(request.META):
            last_modified = (
                parse_http_date_safe(response.get("Last-Modified", ""))
                if response.has_header("Last-Modified")
                else None
            )
            conditional = get_conditional_response(
                request, etag=response.get("ETag"), last_modified=last_modified, response=response
            )
            if conditional is not response:
                return conditional
        return response
