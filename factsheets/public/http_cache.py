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
"""

from __future__ import annotations

from django.conf import settings

SITE_TAG = "site"


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


def shared_document(tags: list[str]):
    """Decorator for a public document view (feed, sitemap): shared-cache headers on its 200 answers."""

    def decorate(view):
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            return make_shared(response, tags=tags) if response.status_code == 200 else response

        wrapped.__name__ = getattr(view, "__name__", "shared_document")
        return wrapped

    return decorate
