"""Small cross-cutting middleware: the request log line and the admin's CSP relaxation; the client address."""

import logging
import time
from json.encoder import encode_basestring_ascii as _json_string

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from factsheets.public.http_cache import INTERNAL_REQUEST

request_log = logging.getLogger("factsheets.requests")


def client_ip(request) -> str | None:
    """The client's address. Behind a trusted proxy (SECURE_PROXY_SSL_HEADER set) it is the last address the
    proxy appended to X-Forwarded-For; earlier entries are whatever the client sent and can't be trusted."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    # None when unknown (e.g. force_login's bare request): axes stores it in a nullable inet column.
    return request.META.get("REMOTE_ADDR") or None


class RequestLogMiddleware:
    """One JSON line per request on stdout: method, path, status, duration in ms. Cheap: no queries, no body.
    The app's own requests (the export, building stored answers: http_cache.INTERNAL_REQUEST) are not logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if INTERNAL_REQUEST not in request.environ:
            log_request(request.method, request.path, response.status_code, started)
        return response


def log_request(method: str, path: str, status: int, started: float) -> None:
    """The request's log line (`started`: its time.perf_counter() on arrival); also for answers served before
    Django (config.worker_copies). The JSON is written out here rather than by json.dumps (the same text, in a
    third less time: this runs for every request)."""
    if request_log.isEnabledFor(logging.INFO):
        duration = round((time.perf_counter() - started) * 1000, 1)
        request_log.info(
            f'{{"event":"request","method":{_json_string(method)},"path":{_json_string(path)},'
            f'"status":{int(status)},"duration_ms":{duration!r}}}'
        )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with one relaxation: the Django admin may use inline `style` attributes (its widgets set
    some). Scripts stay 'self'-only everywhere, and public pages get the strict policy unchanged."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(settings.CSP_ADMIN_PATH_PREFIX):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
