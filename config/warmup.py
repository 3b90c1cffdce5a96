"""Warming a fresh gunicorn worker (gunicorn.conf.py `post_worker_init`) before it serves anyone.

It asks itself for the index, the first live sheet's page and its API document through the whole Django
stack, as a reader of SITE_URL: the worker's database connection opens, the templates it needs compile,
the URL resolver and DRF's settings load. Answers land in the shared cache as any reader's would. A
failure (database down at boot) is logged and the worker serves anyway: warming is a speed-up only.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def warm_paths() -> list[str]:
    from factsheets.content import selectors

    paths = ["/", "/api/v1/factsheets/?page_size=1"]
    first = selectors.live_sheets().values_list("slug", flat=True).first()
    if first:
        paths += [f"/factsheets/{first}/", f"/api/v1/factsheets/{first}/", f"/factsheets/{first}/versions/"]
    return paths


def warm(log=logger) -> dict[str, int]:
    """Fetch the warm-up pages; returns their statuses (empty when warming failed or the app is not Django)."""
    from django.apps import apps

    if not apps.ready:  # gunicorn serving another WSGI app with this config (the benchmark's floor)
        return {}
    started = time.monotonic()
    try:
        from factsheets.public.site_export import site_client

        client = site_client()
        statuses = {path: client.get(path).status_code for path in warm_paths()}
    except Exception as error:  # never keep a worker from serving
        log.warning("worker warm-up skipped: %s", error)
        return {}
    log.info("worker warmed in %.0f ms: %s", (time.monotonic() - started) * 1000, statuses)
    return statuses
