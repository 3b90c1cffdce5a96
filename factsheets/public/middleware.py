"""A lean path for anonymous GETs of public pages and API responses: whole responses from the cache.

Placed after SecurityMiddleware, WhiteNoise and CorsMiddleware (so a cached response still gets their
headers on the way out) and before the session, CSRF, auth, messages and history middleware, which a
cache hit skips entirely.

- Only GET/HEAD of the public URLs below, and only for requests without a session cookie (a signed-in
  author or reviewer always goes through the whole stack; staff-only pages are not on the list anyway).
- Stored: a GET answered 200 or 410 whose Cache-Control says `public` (or that the view marked
  `response.public_cacheable = True`, as the API lists do without changing their headers), that sets no cookie and does not
  vary on Cookie. The entry is (status, headers, body) plus the generation read *before* the view ran
  (factsheets.public.cache.generation_keys: everything's and the sheet's, or the lists'). A publish,
  reaffirmation or withdrawal renews the sheet's and the lists' when it commits
  (factsheets.public.cache.content_changed), so that sheet's pages and every list show the change at once; an
  entry built from a read that raced the commit carries the old generation and is never served.
- Entries also expire after FACTSHEETS_CACHE_SECONDS (a bound on memory; nothing a patient reads changes
  outside the workflow, which renews the generation).
- Rate limits still apply to hits: the API's (`anon`) on /api/ and the search page's (`search`) on /search/,
  counted by the same function and counters as the views (factsheets.public.throttling.retry_after); a request
  over its limit goes through the whole stack and gets the view's own 429.
- Languages: a Spanish page has its own address (/es/...), so its own key; an API answer without `?language=`
  is negotiated by Accept-Language, and its key holds the preferred language. `cache_key` is the one place
  that says what a stored answer depends on besides its address.
- Conditional requests: a hit answers If-None-Match / If-Modified-Since with 304 from the stored ETag and
  Last-Modified through the views' own path (factsheets.public.http_cache.conditional).
- Each worker may keep a copy of what this cache served or stored (config.worker_copies): the request
  is marked with the entry's generation (`STORED_UNDER`), which is the only way a copy is ever made.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from factsheets.content import languages

from factsheets.public import answers, throttling
from factsheets.public import cache as sheet_cache
from factsheets.public import http_cache

PUBLIC_PATHS = re.compile(
    r"^/(?:(?:es/)?(?:$|search/$|conditions/[-\w]+/$|factsheets/[-\w]+/(?:versions/(?:\d+/)?)?$)"
    r"|api/v1/(?:factsheets/(?:[-\w]+/(?:versions/(?:\d+/)?)?)?|conditions/)$)"
)
MAX_KEY_PATH = 512  # longer URLs (odd query strings) are served normally and not stored
STORED_STATUSES = {200, 410}
KEY_PREFIX = "public-response:"
STORED_UNDER = http_cache.STORED_UNDER  # the mark left on a request this cache served or stored


def cache_key(request) -> str:
    """The key of a stored public answer: its full address, which carries a page's language (/es/...) and an API
    answer's `?language=`; without that parameter an API answer is negotiated by Accept-Language
    (factsheets.api.views), so its key also holds the language the header prefers, and an English and a Spanish
    answer at one address are never served for each other."""
    address = request.get_full_path()
    if request.path_info.startswith("/api/") and "language" not in request.GET:
        address += "\n" + languages.preferred(request.headers.get("Accept-Language", ""))
    # The build is part of the key: after a deploy nothing rendered by the old code or templates is served.
    return f"{KEY_PREFIX}{answers.build_stamp()[:12]}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


def _throttle_for(path: str):
    """The rate limit the view behind `path` applies, so a stored answer counts against it too."""
    if path.startswith("/api/"):
        return throttling.ClientRateThrottle
    if path in ("/search/", "/es/search/"):
        return throttling.SearchRateThrottle
    return None


def limited_path(path: str) -> bool:
    """Whether requests for `path` are counted against a rate limit that is on (each must reach Django)."""
    throttle = _throttle_for(path)
    return throttle is not None and throttle.THROTTLE_RATES.get(throttle.scope) is not None


class PublicResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        key = cache_key(request)
        generation_keys = sheet_cache.generation_keys(request.path_info)
        found = cache.get_many([key, *generation_keys])
        generation = sheet_cache.generation_of(found, generation_keys)
        entry = found.get(key)
        if entry is not None and entry["gen"] == generation:
            throttle = _throttle_for(request.path_info)
            if throttle is not None and throttling.retry_after(request, throttle) is not None:
                return self.get_response(request)  # the view answers 429 with its usual body and Retry-After
            # An entry stored before entries had an expiry time: copied for no longer than a new one would be.
            expires = entry.get("expires", time.time() + settings.FACTSHEETS_CACHE_SECONDS)
            request.environ[STORED_UNDER] = (generation, expires)
            return self._from_entry(request, entry)
        response = self.get_response(request)
        if request.method == "GET" and self._storable(response):
            entry = {
                "gen": generation,
                "status": response.status_code,
                "headers": list(response.headers.items()),
                "body": response.content,
                "expires": time.time() + settings.FACTSHEETS_CACHE_SECONDS,
            }
            cache.set(key, entry, settings.FACTSHEETS_CACHE_SECONDS)
            request.environ[STORED_UNDER] = (generation, entry["expires"])
            request.environ[http_cache.RENDERED_NOW] = True
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
        return http_cache.conditional(request, response)


class PathLanguageMiddleware:
    """The language of a request comes from its address alone: a translation's prefix (/es/...) activates that
    language, every other address (English pages, admin, API, feed) the site's default, LANGUAGE_CODE, as before
    there were editions. No Accept-Language or cookie negotiation and no `Vary: Accept-Language`, unlike
    LocaleMiddleware; whatever was active before the request is restored after it. (A view may still switch
    language inside its own answer, e.g. an API negotiating `?language=`.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = path_language(request.path_info)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return self.get_response(request)


def path_language(path: str) -> str:
    """The translation whose prefix `path` starts with (`/es/...` -> "es"), else LANGUAGE_CODE."""
    language = translation.get_language_from_path(path)
    if language in languages.TRANSLATIONS and (path == f"/{language}" or path.startswith(f"/{language}/")):
        return language
    return settings.LANGUAGE_CODE
