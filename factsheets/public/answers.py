"""Answers ready to send: a sheet's public addresses answered from the database, whole, before Django starts.

A published version never changes, so what an anonymous reader gets at a sheet's address (its page in each
language, its versions pages and the API's documents) is kept as Django sent it: status, every header, body
(`StoredAnswer`). A worker that has no copy of its own (config.worker_copies) and finds nothing in the response
cache, a fresh worker after a restart or an emptied Redis included, answers with one indexed read instead of
running Django. The export (factsheets.public.site_export) is a copy of them.

What makes an answer stale is a generation, as for the response cache, but kept in the database so it outlives a
cache: `sheet-<slug>` for that sheet's addresses, and `all` for everything (`AnswerGeneration`). An answer
is served only while both are still the ones read *before* Django built it, and only by code and templates of
the same build (`build_stamp`; a deploy makes every answer stale). factsheets.public.cache.content_changed
renews them first of all after a publish, reaffirmation or withdrawal commits (`renew`), then builds that sheet's
answers afresh (`build_sheet`). An answer built from a read that raced the commit carries the old generation and
is never served, whatever order writers land in.

What is kept: only what the response cache itself served or stored for an anonymous GET (the request is marked,
factsheets.public.middleware.STORED_UNDER), answered 200 or 410. Which requests may be answered from here:
those a worker copy may answer (config.worker_copies) that also have no query string and no Origin header, a
Host the site accepts (ALLOWED_HOSTS), and a sheet address. The key holds the address, the scheme and, for the
API, the language Accept-Language prefers: nothing else changes the answer (absolute links come from SITE_URL).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.http.request import split_domain_port, validate_host
from django.test import Client

from factsheets.content import languages
from factsheets.models import AnswerGeneration, FactSheetRevision, StoredAnswer
from factsheets.public import http_cache
from factsheets.public.http_cache import INTERNAL_REQUEST, RENDERED_NOW, STORED_UNDER

logger = logging.getLogger(__name__)

EVERYTHING = "all"
STORED_STATUSES = {200, 410}
# A sheet's own addresses: its page in each language, its versions pages, the API's detail and version documents.
SHEET_ADDRESS = re.compile(
    r"^/(?:[a-z]{2}/)?factsheets/(?P<page>[-\w]+)/(?:versions/(?:\d+/)?)?$"
    r"|^/api/v1/factsheets/(?P<api>[-\w]+)/(?:versions/(?:\d+/)?)?$"
)
# What the build stamp reads: the code and templates that make an answer's bytes.
BUILD_DIRS = ("config", "factsheets", "reviews", "templates", "locale", "static")
BUILD_SUFFIXES = {".py", ".html", ".txt", ".mo", ".css", ".js", ".json", ".svg"}


@functools.cache
def build_stamp() -> str:
    """What this process builds answers with: FACTSHEETS_ANSWER_BUILD if set (a release id), else a digest of
    the project's code, templates, translations and static files, and of the site's address and settings module.
    An answer stored by another build is never served, so a deploy cannot serve pages in the old templates."""
    if settings.FACTSHEETS_ANSWER_BUILD:
        return hashlib.sha256(settings.FACTSHEETS_ANSWER_BUILD.encode()).hexdigest()[:32]
    digest = hashlib.sha256(f"{settings.SITE_URL}\n{settings.SETTINGS_MODULE}\n".encode())
    base = Path(settings.BASE_DIR)
    for name in BUILD_DIRS:
        for path in sorted((base / name).rglob("*")):
            if path.suffix in BUILD_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                digest.update(f"{path.relative_to(base)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def scope_of(slug: str) -> str:
    return http_cache.sheet_tag(slug)


def _is_secure(environ) -> bool:
    """As Django's HttpRequest.is_secure, from the WSGI environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",")[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _host_accepted(environ) -> bool:
    """Whether Django would accept the request's Host (HttpRequest.get_host, without X-Forwarded-Host)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return False
    domain, _ = split_domain_port(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def _key(path: str, secure: bool, accept_language: str) -> str:
    language = languages.preferred(accept_language) if path.startswith("/api/") else ""
    shape = f"{path}\n{'https' if secure else 'http'}\n{language}"
    return hashlib.sha256(shape.encode()).hexdigest()


def request_key(environ) -> tuple[str, str] | None:
    """(key, scope) of a request an answer kept here may answer, else None. The caller has checked that a worker
    copy may answer it (GET, anonymous, not conditional, public address, no rate limit on)."""
    path = environ.get("PATH_INFO", "")
    match = SHEET_ADDRESS.match(path)
    if match is None or environ.get("QUERY_STRING") or "HTTP_ORIGIN" in environ or not _host_accepted(environ):
        return None
    return _key(path, _is_secure(environ), environ.get("HTTP_ACCEPT_LANGUAGE", "")), scope_of(
        match["page"] or match["api"]
    )


@functools.cache
def _find_sql() -> str:
    quote = connection.ops.quote_name
    generations, answers = quote(AnswerGeneration._meta.db_table), quote(StoredAnswer._meta.db_table)
    return (
        "SELECT e.value, s.value, a.status, CASE WHEN e.value = %s AND s.value = %s THEN NULL ELSE a.headers END, "
        f"CASE WHEN e.value = %s AND s.value = %s THEN NULL ELSE a.body END FROM {generations} e "
        f"LEFT JOIN {generations} s ON s.scope = %s "
        f"LEFT JOIN {answers} a ON a.{quote('key')} = %s AND a.build = %s "
        "AND a.everything = e.value AND a.generation = s.value "
        "WHERE e.scope = %s"
    )


def find(
    key: str, scope: str, held: tuple[str, str] | None = None
) -> tuple[tuple[str, str], tuple[int, list, bytes] | None]:
    """The current generations (everything's, the scope's) and the answer stored under them for `key` by this
    build, if any: one indexed read (a generation never set is started, and nothing can match it). When they are
    still the generations the caller `held` a copy under, no answer is sent (the copy is current)."""
    held_everything, held_generation = held or ("", "")
    params = [held_everything, held_generation] * 2 + [scope, key, build_stamp(), EVERYTHING]
    row = _fetch_one(_find_sql(), params)
    if row is None or row[1] is None:
        return _started([EVERYTHING, scope]), None
    everything, generation, status, headers, body = row
    if status is None or body is None:
        return (everything, generation), None
    return (everything, generation), (status, [tuple(pair) for pair in json.loads(headers)], bytes(body))


def _fetch_one(sql: str, params: list):
    """One row of `sql`. On PostgreSQL as a statement prepared on the connection at its first use: Django's
    cursors bind parameters on the client and Django turns psycopg's preparing off, so the server would plan the
    join again each time, which costs more than running it (about 300 against 130 microseconds here). Only this
    cursor prepares; Django's never do (psycopg's client-side cursors)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 5  # psycopg's default: prepared at the fifth use on a connection
    # Wrapped as Django wraps its own cursors: errors are Django's, and the query is counted and logged.
    with connection._prepare_cursor(psycopg.Cursor(raw)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _started(scopes: list[str]) -> tuple[str, str]:
    AnswerGeneration.objects.bulk_create(
        [AnswerGeneration(scope=scope, value=uuid.uuid4().hex) for scope in scopes], ignore_conflicts=True
    )
    values = dict(AnswerGeneration.objects.filter(scope__in=scopes).values_list("scope", "value"))
    return values[scopes[0]], values[scopes[1]]


def keep(key: str, path: str, scope: str, generations: tuple[str, str], status: int, headers, body: bytes) -> None:
    """Store an answer Django gave under the generations read before it ran (replacing the key's earlier one)."""
    everything, generation = generations
    StoredAnswer.objects.bulk_create(
        [
            StoredAnswer(
                key=key,
                path=path,
                scope=scope,
                generation=generation,
                everything=everything,
                build=build_stamp(),
                status=status,
                headers=json.dumps([list(pair) for pair in headers]),
                body=body,
            )
        ],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["path", "scope", "generation", "everything", "build", "status", "headers", "body", "stored_at"],
    )


def keep_answered(environ, key: str, scope: str, generations: tuple[str, str], status: int, headers, body) -> bool:
    """`keep` an answer Django just gave to `environ`, when the view built it now and the response cache stored it
    (so it is public, anonymous and sets no cookie: an answer served from the cache may predate a publish that
    committed since, whose cache generation is not renewed yet) and its status is one kept. Logged, never raised: the reader has
    their answer either way."""
    if environ.get(STORED_UNDER) is None or not environ.get(RENDERED_NOW) or status not in STORED_STATUSES:
        return False
    if any(name.lower() == "set-cookie" for name, _ in headers):
        return False
    try:
        keep(key, environ.get("PATH_INFO", ""), scope, generations, status, headers, body)
    except DatabaseError:
        logger.exception("could not store the answer for %s", environ.get("PATH_INFO", ""))
        return False
    return True


def renew(slug: str | None) -> None:
    """Make every stored answer of `slug` (None: every answer) stale: its generation is renewed."""
    scope = scope_of(slug) if slug else EVERYTHING
    AnswerGeneration.objects.update_or_create(scope=scope, defaults={"value": uuid.uuid4().hex})


def sheet_paths(slug: str) -> list[tuple[str, str]]:
    """The addresses (and Accept-Language) built after each change of `slug`: its page in English and in each
    translation it has a live edition in (a withdrawn sheet's English page answers 410), and the API's detail in
    every language it negotiates."""
    translated = FactSheetRevision.objects.live(None).filter(fact_sheet__slug=slug).values_list("language", flat=True)
    pages = [(f"/factsheets/{slug}/", "")]
    pages += [(f"/{code}/factsheets/{slug}/", "") for code in sorted(set(translated)) if languages.is_translation(code)]
    documents = [(f"/api/v1/factsheets/{slug}/", code) for code in languages.Language.values]
    return pages + documents


def site_client() -> Client:
    """An anonymous client of SITE_URL (its host and scheme), so answers are those a reader gets there."""
    site = urlsplit(settings.SITE_URL)
    secure = {"wsgi.url_scheme": "https", "SERVER_PORT": "443"} if site.scheme == "https" else {}
    return Client(HTTP_HOST=site.netloc, **secure, **{INTERNAL_REQUEST: True})


@contextlib.contextmanager
def unthrottled():
    """The API's anonymous rate limit is for readers, not for the export reading every document once: lifted
    in this process while it runs (the export or a publish; a gunicorn sync worker serves no one meanwhile)."""
    from rest_framework.throttling import AnonRateThrottle

    with mock.patch.object(AnonRateThrottle, "allow_request", return_value=True):
        yield


@contextlib.contextmanager
def outer_request_kept():
    """The export's requests run inside the editor's (the publish's on_commit): django-simple-history's
    middleware forgets its per-thread request when each of them ends, so the editor's is put back after."""
    from simple_history.models import HistoricalRecords

    outer = getattr(HistoricalRecords.context, "request", None)
    try:
        yield
    finally:
        if outer is not None:
            HistoricalRecords.context.request = outer


def answer_for(client, path: str, accept_language: str = "") -> tuple[int, list, bytes]:
    """(status, headers, body) of an anonymous reader of SITE_URL (`client`, site_export.site_client) at a sheet's
    `path`: the stored answer while it stands, else Django's through `client`, then stored. The export's reads,
    and what a publish builds."""
    match = SHEET_ADDRESS.match(path)
    if match is None or not settings.FACTSHEETS_STORED_ANSWERS:
        response = client.get(path, headers={"Accept-Language": accept_language} if accept_language else {})
        return response.status_code, list(response.items()), response.content
    key = _key(path, urlsplit(settings.SITE_URL).scheme == "https", accept_language)
    scope = scope_of(match["page"] or match["api"])
    generations, stored = find(key, scope)
    if stored is not None:
        return stored
    response = client.get(path, headers={"Accept-Language": accept_language} if accept_language else {})
    headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
    keep_answered(
        response.wsgi_request.environ, key, scope, generations, response.status_code, headers, response.content
    )
    return response.status_code, headers, response.content


def build_sheet(slug: str) -> int:
    """Build and keep the answers of `sheet_paths(slug)` as an anonymous reader of SITE_URL gets them, after a
    change of the sheet renewed its generation; returns how many it stands behind."""
    client = site_client()
    with outer_request_kept(), unthrottled():
        statuses = [answer_for(client, path, accept_language)[0] for path, accept_language in sheet_paths(slug)]
    return sum(status in STORED_STATUSES for status in statuses)
