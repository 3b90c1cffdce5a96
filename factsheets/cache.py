"""The shared (Redis) cache of public sheet pages.

Three keys per sheet, nothing kept in process memory (several app servers share one cache):

- `sheet-gen:<slug>`: a random token, the sheet's cache generation. `forget_sheet(slug)` replaces it.
- `sheet-ptr:<slug>:<gen>`: the pointer, what `/factsheets/<slug>/` shows now: the live revision's pk
  and a fingerprint of everything on the page (content hash, review dates, names, ...), plus the
  Last-Modified date; or "gone" with the withdrawal reason. Expires after FACTSHEETS_CACHE_SECONDS.
- `sheet-page:<revision pk>:<fingerprint>`: the rendered HTML. A published revision never changes, so
  this key never needs clearing: a new publication has a new pk and therefore a new key.
- `api-ptr:<slug>:<gen>` (`live_pointer_key`): the JSON API's pointer (factsheets/api/views.py), whose
  JSON of a revision is cached under `factsheets:api:v1:...:<revision pk>:<content hash>:...` likewise.

- `site-gen`: the site-wide generation; `public-response:<hash of path>` holds a whole anonymous public
  response (status, headers, body) tagged with the site generation it was built under
  (factsheets/middleware.py). `forget_sheet` renews the site generation as well.

The workflow services call `forget_sheet` after a publish, reaffirmation or withdrawal commits
(`transaction.on_commit`), so the change shows on the next request. Because the pointer key includes
the generation, a request that read the database just before the commit can only write its stale
pointer under the old generation, which nobody reads any more.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache

PAGE_TIMEOUT = 60 * 60 * 24  # rendered HTML of an immutable revision: a day, then it is re-rendered


def _gen_key(slug: str) -> str:
    return f"sheet-gen:{slug}"


def _generation(slug: str) -> str:
    key = _gen_key(slug)
    gen = cache.get(key)
    if gen is None:
        token = uuid.uuid4().hex
        gen = token if cache.add(key, token, timeout=None) else (cache.get(key) or token)
    return gen


def pointer_key(slug: str) -> str:
    return f"sheet-ptr:{slug}:{_generation(slug)}"


def live_pointer_key(slug: str) -> str:
    """Key of the API's slug -> live revision pointer, in the sheet's current generation."""
    return f"api-ptr:{slug}:{_generation(slug)}"


def page_key(revision_pk: int, fingerprint: str) -> str:
    return f"sheet-page:{revision_pk}:{fingerprint}"


def pointer_timeout() -> int:
    return settings.FACTSHEETS_CACHE_SECONDS


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
    """Make the next request for this sheet read the database again (call after the change commits).

    A publish, reaffirmation or withdrawal also changes the lists (index, conditions, search, API list),
    so the site-wide generation is renewed too.
    """
    cache.set(_gen_key(slug), uuid.uuid4().hex, timeout=None)
    forget_site()
