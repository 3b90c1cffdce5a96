"""The one cache of public responses, and the one function that says "what patients see changed".

factsheets.public.middleware stores whole anonymous public responses (pages, lists, search, API) tagged with
the generation read before the view ran: that of everything and that of the answer's purge tag (a sheet's own,
or the lists'), `generation_keys`. A published version never changes, so nothing else needs caching: a cache
miss reads the stored rendition in one query.

`content_changed(slug)` is the one function that says so, for every layer at once: it renews the
generations of the sheet and of every list (site-wide: of everything), so other sheets' pages stay cached,
asks the shared caches in front of the app to drop the sheet's pages and every list
(factsheets.public.purge) and, when FACTSHEETS_EXPORT_DIR is set, re-exports the static copy of what changed
(factsheets.public.site_export), and builds the sheet's stored answers afresh (factsheets.public.answers). The
workflow calls `changing(slug)` inside a publish's, reaffirmation's or withdrawal's transaction, the admin
`changing(None)` when a condition's own page changes: that renews the stored answers' generation in the same
transaction and calls `content_changed` when it commits. A request that
read the database just before the commit can only store its response under the old generation, which
nobody reads any more.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from factsheets.public import http_cache

logger = logging.getLogger(__name__)

GENERATION_PREFIX = "gen:"
EVERYTHING = GENERATION_PREFIX + "all"  # renewed by a site-wide change (a condition's page): every answer
# The sheet a public address shows: its pages in every language and its API documents.
SHEET_ADDRESS = re.compile(r"^/(?:[a-z]{2}/)?factsheets/(?P<page>[-\w]+)/|^/api/v1/factsheets/(?P<api>[-\w]+)/")


def generation_keys(path: str) -> list[str]:
    """The generations an answer for `path` depends on: everything's, and that of its purge tag
    (factsheets.public.http_cache): `sheet-<slug>` for a sheet's pages and documents, `site` for every list."""
    match = SHEET_ADDRESS.match(path)
    tag = http_cache.sheet_tag(match["page"] or match["api"]) if match else http_cache.SITE_TAG
    return [EVERYTHING, GENERATION_PREFIX + tag]


def generation_of(found: dict, keys: list[str]) -> str:
    """An answer's generation from the values `found` in the cache for its `keys`; one that is missing (never set,
    or the cache lost it) is started now, so nothing stored before it can match."""
    return "/".join(found.get(key) or _started(key) for key in keys)


def current_generation(path: str) -> str:
    """The generation an answer for `path` must carry to be served (one cache read)."""
    keys = generation_keys(path)
    return generation_of(cache.get_many(keys), keys)


def _started(key: str) -> str:
    token = uuid.uuid4().hex
    return token if cache.add(key, token, timeout=None) else (cache.get(key) or token)


def _renew_generations(slug: str | None) -> None:
    """Drop the cached answers a change of `slug` (None: site-wide) makes stale, at once: that sheet's pages and
    every list, or (site-wide) everything. Other sheets' pages stay cached."""
    keys = [GENERATION_PREFIX + tag for tag in http_cache.tags_for_change(slug)]
    if slug is None:
        keys.append(EVERYTHING)
    # Tried even while this process is pausing its use of a failing Redis (config.cache.DegradingRedisCache).
    write = getattr(cache, "set_many_now", cache.set_many)
    failed = write({key: uuid.uuid4().hex for key in keys}, timeout=None)
    if failed:
        logger.error(
            "Could not renew the cache generations %s after a change to %s: cached public answers may show the "
            "old content for up to %s s (FACTSHEETS_CACHE_SECONDS).",
            ", ".join(failed),
            slug or "the site",
            settings.FACTSHEETS_CACHE_SECONDS,
        )


def changing(slug: str | None) -> None:
    """Call inside the transaction that changes what patients see of `slug` (None: site-wide): the stored answers'
    generation is renewed in that transaction, so the change and the renewal commit together or not at all, and
    `content_changed` runs once it has committed."""
    from factsheets.public import answers

    answers.renew(slug)
    transaction.on_commit(lambda: content_changed(slug))


def content_changed(slug: str | None) -> None:
    """What patients see of this sheet (None: of the site's lists) changed: its pages and every list that shows
    it are answered afresh from the next request on, here and in shared caches. Call after the change commits."""
    from factsheets.public import answers, purge, site_export  # they read settings at call time

    _renew_generations(slug)
    purge.purge(http_cache.tags_for_change(slug))
    if slug and settings.FACTSHEETS_STORED_ANSWERS:
        try:
            answers.build_sheet(slug)
        except Exception:
            logger.exception("could not build the stored answers of %s (they are built on their first request)", slug)
    site_export.export_on_change(slug)
