"""The one cache of public responses, and the one function that says "what patients see changed".

factsheets.middleware stores whole anonymous public responses (pages, lists, search, API) tagged with
the site-wide generation `site-gen` read before the view ran. A published version never changes, so
nothing else needs caching: a cache miss reads the stored rendition in one query.

`forget_sheet(slug)` renews the generation; the workflow calls it after a publish, reaffirmation or
withdrawal commits (`transaction.on_commit`), and the admin after a condition's own page changes. A
request that read the database just before the commit can only store its response under the old
generation, which nobody reads any more.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache

SITE_GEN_KEY = "site-gen"


def site_generation() -> str:
    """The site-wide cache generation: part of every cached public response (factsheets.middleware)."""
    gen = cache.get(SITE_GEN_KEY)
    if gen is None:
        gen = new_site_generation_if_missing()
    return gen


def new_site_generation_if_missing() -> str:
    token = uuid.uuid4().hex
    return token if cache.add(SITE_GEN_KEY, token, timeout=None) else (cache.get(SITE_GEN_KEY) or token)


def forget_site() -> None:
    """Drop every cached public response (lists, search, pages, API JSON) at once: a new site generation."""
    cache.set(SITE_GEN_KEY, uuid.uuid4().hex, timeout=None)


def forget_sheet(slug: str) -> None:
    """What patients see of this sheet changed (publish, reaffirmation, withdrawal): its pages and every list
    that shows it are answered afresh from the next request on. Call after the change commits."""
    forget_site()
