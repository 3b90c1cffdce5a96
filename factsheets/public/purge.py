"""Telling a CDN or reverse proxy what to drop after a publish, reaffirmation or withdrawal.

When FACTSHEETS_PURGE_URL is set, `purge(tags)` POSTs `{"tags": [...]}` (JSON) to it with the extra headers
of FACTSHEETS_PURGE_HEADERS (e.g. an API token), waiting at most FACTSHEETS_PURGE_TIMEOUT seconds. The tags
are those the responses carry (factsheets.public.http_cache). A failed purge is logged and never raised: the
publish has committed, and the shared cache's copies expire after `s-maxage` anyway.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)


def purge(tags: list[str]) -> bool:
    """POST the tags to the purge URL; True when it answered 2xx, False (logged) otherwise or when unset."""
    url = settings.FACTSHEETS_PURGE_URL
    if not url:
        return False
    headers = {"Content-Type": "application/json", **settings.FACTSHEETS_PURGE_HEADERS}
    request = urllib.request.Request(url, data=json.dumps({"tags": tags}).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.FACTSHEETS_PURGE_TIMEOUT) as answer:
            answer.read()
        return True
    except (urllib.error.URLError, OSError, ValueError) as error:  # HTTPError is a URLError
        logger.error("purge of %s at %s failed: %s", ",".join(tags), url, error)
        return False
