"""HTTP caching headers for browsers and shared caches (a CDN, nginx, Varnish) in front of the app.

Published pages and API documents are public and change only through the workflow, which purges them
(factsheets.public.purge) as it renews the server's own cache generation (factsheets.public.cache.content_changed). So
shared caches may keep them for `FACTSHEETS_SHARED_MAX_AGE` (`s-maxage`) and go on serving a stale copy for
`FACTSHEETS_STALE_WHILE_REVALIDATE` seconds while they fetch a fresh one, which hides a slow origin from
patients. Browsers keep their own copy only `max-age` seconds, since nobody can purge a browser.

Tags name what a response shows, so a purge can drop exactly that: `sheet-<slug>` on a sheet's pages and
API documents, `site` on lists, condition pages, the feed and the sitemap (every publish changes those).
Both spellings are sent: `Cache-Tag` (comma-separated, e.g. Cloudflare) and `Surrogate-Key` (space-separated,
e.g. Fastly, Varnish). Never used on admin pages, staff previews, or search results (user input).

Conditional requests (If-None-Match, If-Modified-Since, and their If-Match / If-Unmodified-Since twins) are
answered by `conditional`, the one path every public page, document, API detail and the response cache
(factsheets.public.middleware) goes through; behind it is Django's own `get_conditional_response`, the
machinery of `@condition`.
"""

from __future__ import annotations

import datetime as dt
from hashlib import md5

from django.conf import settings
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, quote_etag

SITE_TAG = "site"
TAG_HEADERS = ("Cache-Tag", "Surrogate-Key")
# Kept on a 304 besides what Django keeps (Cache-Control, ETag, Vary ...): the purge tags, and the language of the
# copy the client keeps using.
KEPT_ON_304 = (*TAG_HEADERS, "Content-Language")
CONDITIONAL_HEADERS = frozenset(
    ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"]
)

# The request (WSGI environ) key under which (generation, expiry time) of an answer the response cache served or
# stored is left (factsheets.public.middleware): the only answers a worker copies (config.worker_copies) and the
# database stores (factsheets.public.answers).
STORED_UNDER = "factsheets.stored_under_generation"
# Set beside it when the view built the answer in this request (not served from the cache): the only answers the
# database stores, since a cached one may predate a publish whose cache generation is not renewed yet.
RENDERED_NOW = "factsheets.rendered_now"
# Marks the app's own requests (the export, building stored answers): not logged as a reader's request.
INTERNAL_REQUEST = "factsheets.internal_request"


def sheet_tag(slug: str) -> str:
    return f"sheet-{slug}"


def tags_for_change(slug: str | None) -> list[str]:
    """What a publish, reaffirmation or withdrawal of `slug` (None: a site-wide change) makes stale."""
    return [sheet_tag(slug), SITE_TAG] if slug else [SITE_TAG]


def shared_headers(*, tags: list[str], max_age: int | None = None) -> dict[str, str]:
    """Cache-Control for browsers and shared caches, and the purge tags."""
    max_age = settings.FACTSHEETS_CACHE_SECONDS if max_age is None else max_age
    return {
        "Cache-Control": f"public, max-age={max_age}, s-maxage={settings.FACTSHEETS_SHARED_MAX_AGE}, "
        f"stale-while-revalidate={settings.FACTSHEETS_STALE_WHILE_REVALIDATE}",
        "Cache-Tag": ",".join(tags),
        "Surrogate-Key": " ".join(tags),
    }


def make_shared(response, *, tags: list[str], max_age: int | None = None):
    """`shared_headers` set on a response (a public answer: nothing else in its Cache-Control). Returns it."""
    for name, value in shared_headers(tags=tags, max_age=max_age).items():
        response[name] = value
    return response


def content_etag(response) -> str:
    """A fingerprint of the response's bytes (as Django's `set_response_etag`), for pages whose only version
    is what they show. A template response is rendered first."""
    if hasattr(response, "render"):
        response.render()
    return md5(response.content, usedforsecurity=False).hexdigest()


def conditional(request, response, *, etag: str | None = None, last_modified: dt.datetime | None = None):
    """The one answer to conditional requests: sets the validators given on `response` (`etag` quoted if it is
    not yet; otherwise the ETag / Last-Modified the response already carries count), then returns Django's
    304 (412 for a failed If-Match) when the request's validators say the client has this version, else
    `response`. A 304 keeps the response's cache headers, its purge tags and its Content-Language, so a shared cache revalidating its
    copy keeps the tags too."""
    if etag:
        response["ETag"] = quote_etag(etag)
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if CONDITIONAL_HEADERS.isdisjoint(request.META):  # the common case: no validators sent, nothing to parse
        return response
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    if answer is not response:
        for name in KEPT_ON_304:
            if name in response:
                answer[name] = response[name]
    return answer


def shared_document(tags: list[str]):
    """Decorator for a public document view (feed, sitemap): shared-cache headers on its 200 answers, whose
    bytes are their ETag, and 304s through `conditional`."""

    def decorate(view):
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            make_shared(response, tags=tags)
            return conditional(request, response, etag=content_etag(response))

        wrapped.__name__ = getattr(view, "__name__", "shared_document")
        return wrapped

    return decorate
