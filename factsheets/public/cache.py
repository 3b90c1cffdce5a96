"""The one cache of public responses, and the one function that says "what patients see changed".

factsheets.public.middleware stores whole anonymous public responses (pages, lists, search, API) tagged with
the site-wide generation `site-gen` read before the view ran. A published version never changes, so
nothing else needs caching: a cache miss reads the stored rendition in one query.

`content_changed(slug)` is the one function that says so, for every layer at once: it renews the
generation, asks the shared caches in front of the app to drop the sheet's pages and every list
(factsheets.public.purge) and, when FACTSHEETS_EXPORT_DIR is set, re-exports the static copy of what changed
(factsheets.public.site_export). The workflow calls it after a publish, reaffirmation or withdrawal commits
(`transaction.on_commit`), the admin after a condition's own page changes (slug None). A request that
read the database just before the commit can only store its response under the old generation, which
nobody reads any more.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache

SITE_GEN_KEY = "site-gen"


def site_generation() -> str:
    """The site-wide cache generation: part of every cached public response (factsheets.public.middleware)."""
    gen = cache.get(SITE_GEN_KEY)
    if gen is None:
        gen = new_site_generation_if_missing()
    return gen


def new_site_generation_if_missing() -> str:
    token = uuid.uuid4().hex
    return token if cache.add(SITE_GEN_KEY, token, timeout=None) else (cache.get(SITE_GEN_KEY) or token)


def _renew_generation() -> None:
    """Drop every cached public response (lists, search, pages, API JSON) at once: a new site generation."""
    cache.set(SITE_GEN_KEY, uuid.uuid4().hex, timeout=None)


def content_changed(slug: str | None) -> None:
    """What patients see of this sheet (None: of the site's lists) changed: its pages and every list that shows
    it are answered afresh from the next request on, here and in shared caches. Call after the change commits."""
    from factsheets.public import http_cache, purge, site_export  # purge and export read settings at call time

    _renew_generation()
    purge.purge(http_cache.tags_for_change(slug))
    site_export.export_on_change(slug)
