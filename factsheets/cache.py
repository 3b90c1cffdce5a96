"""Cache keys for published sheets that must change when a sheet is published, reaffirmed or withdrawn.

The content of a published revision never changes, so its rendered forms (HTML page, API JSON) are cached
under keys that include the revision and are never cleared. What does change is which revision a slug
shows; that small *pointer* is cached per slug under a key that includes the sheet's cache generation:

- `sheet-gen:<slug>`: a random token. `forget_sheet(slug)` replaces it; reviews/services.py calls it in
  `transaction.on_commit` after every publish, reaffirmation and withdrawal.
- `api-ptr:<slug>:<gen>` (`live_pointer_key`): the API's pointer, written by factsheets/api/views.py.

Because the generation is part of the key, a request that read the database just before the commit can
only write its stale pointer under the old generation, which nobody reads any more.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache


def _gen_key(slug: str) -> str:
    return f"sheet-gen:{slug}"


def _generation(slug: str) -> str:
    key = _gen_key(slug)
    gen = cache.get(key)
    if gen is None:
        token = uuid.uuid4().hex
        gen = token if cache.add(key, token, timeout=None) else (cache.get(key) or token)
    return gen


def live_pointer_key(slug: str) -> str:
    """Key of the API's slug -> live revision pointer, in the sheet's current generation."""
    return f"api-ptr:{slug}:{_generation(slug)}"


def forget_sheet(slug: str) -> None:
    """Make the next request for this sheet read the database again (call after the change commits)."""
    cache.set(_gen_key(slug), uuid.uuid4().hex, timeout=None)
