"""`/healthz` for load balancers: 503 when the database fails (the app cannot serve), 200 otherwise.

A cache that fails is reported (`"status": "degraded"`, `"failed": ["cache"]`) but keeps the 200: the app
serves without it (config.cache), and a 503 from every server at once would make the load balancer take
the whole site down over an outage the site survives."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer to SELECT 1")


def check_cache() -> None:
    # A round trip through the shared cache: a value written must be read back.
    key, token = "healthz:probe", uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return the value just written")


CHECKS = {"database": check_database, "cache": check_cache}
DEGRADABLE = {"cache"}


@never_cache
@require_GET
def healthz(request):
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not healthy"; the reason goes to the log, not the body
            log.warning("healthz: %s check failed: %s", name, exc)
            results[name] = "failed"
            failed.append(name)
    fatal = [name for name in failed if name not in DEGRADABLE]
    body = {"status": "failed" if fatal else "degraded" if failed else "ok", "checks": results, "failed": failed}
    return JsonResponse(body, status=503 if fatal else 200)
