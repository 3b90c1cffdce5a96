"""Answers ready to send: a sheet's public addresses answered from the database, whole, before Django starts.

A published version never changes, so what an anonymous reader gets at a sheet's address (its page in each
language, its versions pages and the API's documents) is kept as Django sent it: status, every header, body
(`StoredAnswer`). The worker layer (config.worker_copies) reads a sheet's generations here on each request, in
the one query that also brings the stored answer when its own copy is not current, so a fresh worker or an
emptied Redis answers a cold sheet with one indexed read instead of running Django. The export
(factsheets.public.site_export) copies them.

What makes an answer stale is a generation kept in the database: `sheet-<slug>` for that sheet's addresses, and
`all` for everything (`AnswerGeneration`). An answer is served only while both are still the ones read *before*
Django built it, and only by the same build (`build_stamp`: code, templates, the settings that reach an answer and
the installed packages; a deploy or a changed setting makes every answer stale). `renew` runs inside the
transaction of every publish, reaffirmation or withdrawal (factsheets.public.cache.changing), so the change and
the renewal commit together; after the commit `build_sheet` builds the sheet's answers afresh. An answer built
from a read that raced the commit carries the old generation and is never served, whatever order writers land in.

What is kept: only what the view rendered in that request for an anonymous GET and the response cache stored
(factsheets.public.http_cache.RENDERED_NOW: a cached answer may predate a publish whose cache renewal has not run),
answered 200 or 410, setting no cookie and varying on nothing the keys do not hold. Which requests may be
answered from here: those a worker copy may answer (config.worker_copies) that also have no query string and no
Origin header, a Host the site accepts (ALLOWED_HOSTS), and a sheet address. (The API's are reached only with
its anonymous rate limit off: with a limit on, every API request is counted in Django.) The key holds the
address, the scheme and, for the API, the language Accept-Language prefers: nothing else changes the answer
(absolute links come from SITE_URL).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
import uuid
from importlib import metadata
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.http.request import split_domain_port, validate_host
from django.core.signals import setting_changed
from django.test import Client
from django.test.client import ClientHandler

from factsheets.content import languages
from factsheets.models import AnswerGeneration, FactSheet, FactSheetRevision, StoredAnswer
from factsheets.public import answer_files, http_cache, renewals
from factsheets.public.http_cache import INTERNAL_REQUEST, RENDERED_NOW, STORED_UNDER

logger = logging.getLogger(__name__)

EVERYTHING = renewals.EVERYTHING
STORED_STATUSES = {200, 410}
KEYED_VARY = {"origin", "accept-language", ""}  # request headers the keys hold (or that exclude a request)
# A sheet's own addresses: its page in each language, its versions pages, the API's detail and version documents.
SHEET_ADDRESS = re.compile(
    r"^/(?:[a-z]{2}/)?factsheets/(?P<page>[-\w]+)/(?:versions/(?:\d+/)?)?$"
    r"|^/api/v1/factsheets/(?P<api>[-\w]+)/(?:versions/(?:\d+/)?)?$"
)
# What the build stamp reads: the code and templates that make an answer's bytes.
BUILD_DIRS = ("config", "factsheets", "reviews", "templates", "locale", "static")
BUILD_SUFFIXES = {".py", ".html", ".txt", ".mo", ".css", ".js", ".json", ".svg"}


# Settings whose values reach an answer's bytes or headers (the sheet page's disclaimer, cache lifetimes, HSTS,
# the HTTPS redirect, CSP, CORS ...): every setting named with one of these prefixes, and these names.
BUILD_SETTING_PREFIXES = ("FACTSHEETS_", "SECURE_", "CSP", "CONTENT_SECURITY_POLICY", "CORS_", "ADMIN_SITE_")
BUILD_SETTINGS = (  # not SETTINGS_MODULE: override_settings (load_demo's, say) hides it
    "SITE_URL",
    "DEBUG",
    "LANGUAGE_CODE",
    "LANGUAGES",
    "TIME_ZONE",
    "USE_I18N",
    "STATIC_URL",
    "STORAGES",
    "X_FRAME_OPTIONS",
    "REST_FRAMEWORK",
    "SESSION_COOKIE_NAME",
)

# Settings that never reach an answer's bytes: a server's own directory (servers that differ only there are one build).
UNBUILT_SETTINGS = {"FACTSHEETS_ANSWER_FILES", "FACTSHEETS_EXPORT_DIR"}


@functools.cache
def build_stamp() -> str:
    """What this process builds answers with: FACTSHEETS_ANSWER_BUILD if set (a release id), else a digest of
    the project's code, templates, translations and static files, the settings that reach an answer, and the
    installed packages' versions. An answer stored by another build is never served, so neither a deploy nor a
    changed setting (say the disclaimer) can serve what the old one rendered."""
    if settings.FACTSHEETS_ANSWER_BUILD:
        return hashlib.sha256(settings.FACTSHEETS_ANSWER_BUILD.encode()).hexdigest()[:32]
    digest = hashlib.sha256()
    for name in sorted(dir(settings)):
        if name in UNBUILT_SETTINGS:
            continue
        if name.isupper() and (name in BUILD_SETTINGS or name.startswith(BUILD_SETTING_PREFIXES)):
            digest.update(f"{name}={getattr(settings, name)!r}\n".encode())
    for name, version in sorted((dist.metadata["Name"] or "", dist.version) for dist in metadata.distributions()):
        digest.update(f"{name}=={version}\n".encode())
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


def raw_host(environ) -> str:
    """The host Django reads when X-Forwarded-Host is not used: the Host header, even empty (then refused), else
    SERVER_NAME (HttpRequest._get_raw_host)."""
    return environ["HTTP_HOST"] if "HTTP_HOST" in environ else environ.get("SERVER_NAME", "")


def _host_accepted(environ) -> bool:
    """Whether Django would accept the request's Host (HttpRequest.get_host, without X-Forwarded-Host)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return False
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return _allowed(raw_host(environ), tuple(allowed))


@functools.lru_cache(maxsize=256)  # a site answers to a few hosts; any other is refused by Django anyway
def _allowed(host: str, allowed: tuple[str, ...]) -> bool:
    domain, _ = split_domain_port(host)
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
) -> tuple[tuple[str, str] | None, tuple[int, list, bytes] | None]:
    """The current generations (everything's, the scope's) and the answer stored under them for `key` by this
    build, if any: one indexed read. Generations None: the sheet's was never started (nothing is kept for it).
    When they are still the generations the caller `held` a copy under, no answer is sent (the copy is current)."""
    held_everything, held_generation = held or ("", "")
    params = [held_everything, held_generation] * 2 + [scope, key, build_stamp(), EVERYTHING]
    row = _fetch_one(_find_sql(), params)
    if row is None or row[1] is None:
        # Never renewed (a sheet never published here, a made-up address): nothing stored can stand, and a
        # reader's request creates no row. A publish and `build_sheet` start it.
        return None, None
    everything, generation, status, headers, body = row
    if status is None or body is None:
        return (everything, generation), None
    return (everything, generation), (status, [tuple(pair) for pair in json.loads(headers)], bytes(body))


def _fetch_one(sql: str, params: list):
    """One row of `sql`, for find's query (text, integers, bytes: on PostgreSQL the results come in binary, where
    Django's own loaders for json, inet and timestamps do not apply). On PostgreSQL as a statement prepared on the
    connection at its first use: Django's cursors bind parameters on the client and Django turns psycopg's preparing off, so the server would plan the
    join again each time, which costs more than running it (about 300 against 130 microseconds here). Only this
    cursor prepares; Django's never do (psycopg's client-side cursors). FACTSHEETS_PREPARED_LOOKUP off: as Django."""
    if connection.vendor != "postgresql" or not settings.FACTSHEETS_PREPARED_LOOKUP:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 5  # psycopg's default: prepared at the fifth use on a connection
    cursor = psycopg.Cursor(raw)
    # Results in binary: the body arrives as its bytes, neither hex-encoded by the server nor decoded here (220
    # against 194 microseconds a lookup of a 12 KB page, measured in one process).
    cursor.format = psycopg.pq.Format.BINARY
    # Wrapped as Django wraps its own cursors: errors are Django's, and the query is counted and logged.
    with connection._prepare_cursor(cursor) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def all_generations() -> dict[str, tuple[str, str]]:
    """Every sheet's current generations (everything's, the sheet's) by scope, in one query; none before the site's
    generation was started."""
    values = dict(AnswerGeneration.objects.values_list("scope", "value"))
    everything = values.pop(EVERYTHING, None)
    return {scope: (everything, value) for scope, value in values.items()} if everything is not None else {}


def start(slug: str) -> None:
    """Start the generations of `slug` and of everything if they were never set (a sheet published before
    stored answers existed); ones already set stay as they are."""
    AnswerGeneration.objects.bulk_create(
        [AnswerGeneration(scope=scope, value=uuid.uuid4().hex) for scope in (EVERYTHING, scope_of(slug))],
        ignore_conflicts=True,
    )


def keep(key: str, path: str, scope: str, generations: tuple[str, str], status: int, headers, body: bytes) -> None:
    """Store an answer Django gave under the generations read before it ran (replacing the key's earlier one of
    this build; another build's, say the servers not yet restarted in a rolling deploy, stays theirs)."""
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
        unique_fields=["key", "build"],
        update_fields=["path", "scope", "generation", "everything", "status", "headers", "body", "stored_at"],
    )
    answer_files.write(key, build_stamp(), generations, status, headers, body)


def copyable(headers) -> bool:
    """Checked whatever the response cache decided: an answer that sets a cookie, or that varies on a request
    header the keys do not hold, is never stored or copied (config.worker_copies)."""
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie":
            return False
        if name == "vary" and not {part.strip().lower() for part in value.split(",")} <= KEYED_VARY:
            return False
    return True


def keep_answered(environ, key: str, scope: str, generations: tuple[str, str], status: int, headers, body) -> bool:
    """`keep` an answer Django just gave to `environ`, when the view built it now and the response cache stored it
    (so it is public, anonymous and sets no cookie: an answer served from the cache may predate a publish that
    committed since, whose cache generation is not renewed yet) and its status is one kept. Logged, never raised: the reader has
    their answer either way."""
    if generations is None or environ.get(STORED_UNDER) is None or not environ.get(RENDERED_NOW):
        return False
    if status not in STORED_STATUSES or not copyable(headers):
        return False
    try:
        keep(key, environ.get("PATH_INFO", ""), scope, generations, status, headers, body)
    except DatabaseError:
        logger.exception("could not store the answer for %s", environ.get("PATH_INFO", ""))
        return False
    return True


def renew(slug: str | None) -> None:
    """Make every stored answer of `slug` (None: every answer) stale: its generation is renewed."""
    if slug:
        start(slug)  # everything's generation too, the first time
    scope = scope_of(slug) if slug else EVERYTHING
    AnswerGeneration.objects.update_or_create(scope=scope, defaults={"value": uuid.uuid4().hex})
    if connection.vendor == "postgresql":  # every worker hears of it when this transaction commits (renewals)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [renewals.CHANNEL, scope])


def drop_other_builds() -> int:
    """Delete the answers stored by other builds than this one (after a deploy); returns how many."""
    deleted, _ = StoredAnswer.objects.exclude(build=build_stamp()).delete()
    answer_files.drop_other_builds(build_stamp())
    return deleted


def prefix(language: str) -> str:
    """The address prefix of the pages in `language`: "" for English, "/es" for Spanish (factsheets.urls)."""
    return f"/{language}" if languages.is_translation(language) else ""


def editions(sheet_ids: list[int]) -> dict[int, tuple[dict[str, list[int]], set[str]]]:
    """For each of the sheets that has published versions: those versions' numbers by language, in order, and the
    languages it is live in (one query; a withdrawn sheet has none)."""
    found: dict[int, tuple[dict[str, list[int]], set[str]]] = {}
    published = FactSheetRevision.objects.published(None).filter(fact_sheet_id__in=sheet_ids)
    rows = published.order_by("language", "number").values_list("fact_sheet_id", "language", "number", "status")
    for sheet_id, language, number, status in rows:
        numbers, live = found.setdefault(sheet_id, ({}, set()))
        numbers.setdefault(language, []).append(number)
        if status == FactSheetRevision.Status.PUBLISHED:
            live.add(language)
    return found


def sheet_addresses(slug: str, numbers: dict[str, list[int]], live: set[str]) -> list[tuple[str, str]]:
    """Every public address of a sheet, each with the Accept-Language it is asked with ("": none): the API's detail
    in every language it negotiates and the API's document of each published English version; in English and in
    each other language the sheet is live in, its page, its versions page and the page of each version published
    in that language (`numbers`, `live`: `editions`). A withdrawn sheet's (no numbers) answer 410."""
    api = f"/api/v1/factsheets/{slug}/"
    addresses = [(api, "" if code == languages.SOURCE else code) for code in languages.Language.values]
    addresses += [(f"{api}versions/{number}/", "") for number in numbers.get(languages.SOURCE, [])]
    for language in languages.Language.values:
        if language == languages.SOURCE or language in live:
            pages = f"{prefix(language)}/factsheets/{slug}/"
            addresses += [(pages, ""), (f"{pages}versions/", "")]
            addresses += [(f"{pages}versions/{number}/", "") for number in numbers.get(language, [])]
    return addresses


@functools.cache
def _shared_handler() -> ClientHandler:
    """The app's own requests' handler, one per process: a new one loads the middleware again on its first request,
    and WhiteNoise's then reads every static file's metadata (95 of a sheet build's 150 ms, measured)."""
    handler = ClientHandler(enforce_csrf_checks=False)
    handler.load_middleware()  # now: loaded at a thread's first request, it could be reset under another's
    return handler


def _forget_handler(**kwargs) -> None:
    _shared_handler.cache_clear()  # a changed setting (a test's override) may change the middleware


setting_changed.connect(_forget_handler)


def site_client() -> Client:
    """An anonymous client of SITE_URL (its host and scheme), so answers are those a reader gets there. Its own
    cookie jar, the process's one handler."""
    site = urlsplit(settings.SITE_URL)
    secure = {"wsgi.url_scheme": "https", "SERVER_PORT": "443"} if site.scheme == "https" else {}
    client = Client(HTTP_HOST=site.netloc, **secure, **{INTERNAL_REQUEST: True})
    client.handler = _shared_handler()
    return client


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
    """Build and keep the answers at every address of `slug` (`sheet_addresses`) as an anonymous reader of SITE_URL
    gets them, after a change of the sheet renewed its generation; returns how many it stands behind."""
    start(slug)
    sheet_id = FactSheet.objects.filter(slug=slug).values_list("pk", flat=True).first()
    numbers, live = editions([sheet_id]).get(sheet_id, ({}, set()))
    client = site_client()
    with outer_request_kept(), unthrottled():
        statuses = [answer_for(client, path, language)[0] for path, language in sheet_addresses(slug, numbers, live)]
    return sum(status in STORED_STATUSES for status in statuses)
