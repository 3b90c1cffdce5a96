"""Each app worker keeps a copy of the public answers it took from the one response cache, and serves a repeat
request from that copy before Django starts (config.wsgi wraps the Django application in `PublicCopies`).

Why: a cached page still costs Django's request and response objects, four middlewares and a read of the whole
entry from Redis; the copy costs one read of its small cache generation. What a copy may be and when it is served
is decided by the response cache itself (factsheets.public.middleware), never here:

- A copy is made only of an answer that middleware served from, or stored in, the shared cache: it marks the
  request with the generation and expiry of that entry (`STORED_UNDER`). The copy is the whole answer as it left Django
  (status, every header the outer middleware added, body), under that generation.
- It is served only while the shared cache's generation for it is still that one (read on every request, so a publish,
  reaffirmation or withdrawal reaches every worker at the next request, as it does the shared cache), and never
  after the shared entry it was made from expires (a sheet's address: see below).
- Only for what the response cache would answer anyway: an anonymous GET of a public address (no session
  cookie, `PUBLIC_PATHS`), and not a conditional request (Django answers 304 from the stored validators), nor a
  HEAD, nor an address whose rate limit is on (the limit is counted in Django for every request), nor a long or
  non-ASCII address. Everything else goes to Django unchanged.
- The copy's key holds everything the answer can depend on besides the address: the host, the scheme (and the
  proxy's scheme header), the Origin (CORS headers) and, for the API, the language Accept-Language prefers. It also
  holds all that decides a sheet's stored answer for the request (factsheets.public.answers.request_key), so a
  sheet's copy keeps that answer's key and a repeat does not work it out again.
- A sheet's own addresses (its pages, versions pages and API documents, in the request shapes
  factsheets.public.answers stores) go by the database instead: one query reads the sheet's generations there
  and brings the stored answer when this worker's copy is not current; a miss goes to Django and what the view
  rendered is stored and copied. Those generations are renewed inside the publish's own transaction, so no
  cache is read for a sheet, and a fresh worker or an emptied Redis answers from the stored bytes. Such a copy
  lasts as long as those generations. After a failed lookup, sheets go to Django for DATABASE_RETRY_AFTER. On
  PostgreSQL the worker also listens for renewals (factsheets.public.renewals): while none of a sheet was
  announced since its generations were read, a current copy is answered with no query at all. With
  FACTSHEETS_ANSWER_FILES (factsheets.public.answer_files) it reads every sheet's generations in one query, at
  most once a minute, and answers a sheet it has no copy of from the file kept under those generations: a
  fresh worker's first request for a sheet needs no query either.
- Bounded: at most FACTSHEETS_WORKER_COPY_BYTES per worker, counting bodies, keys and headers (least recently
  used dropped first); an answer over an eighth of that is not copied.

A served copy logs its request line as Django would (config.middleware.log_request).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db import Error as DatabaseError  # InterfaceError too
from django.http import QueryDict

from config.middleware import log_request
from factsheets.content import languages
from factsheets.public import answer_files, answers, renewals
from factsheets.public import cache as sheet_cache
from factsheets.public.http_cache import CONDITIONAL_HEADERS
from factsheets.public.middleware import MAX_KEY_PATH, PUBLIC_PATHS, STORED_UNDER, limited_path

_STATUS_LINES = {200: "200 OK", 410: "410 Gone"}
# After a failed lookup of a stored answer, sheets go straight to Django (which has its own answer to a database
# outage) for this long: an unreachable database costs one connection attempt per worker now and then.
DATABASE_RETRY_AFTER = 5.0

logger = logging.getLogger("config.worker_copies")


def _proxy_scheme_header() -> str:
    header = settings.SECURE_PROXY_SSL_HEADER
    return header[0] if header else ""


class _Copies:
    """Answers by key, least recently used dropped first once their sizes (body, key, headers) pass `budget`."""

    def __init__(self):
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # gunicorn may run threads (GUNICORN_THREADS)

    def get(self, key: str):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: str, item: tuple, size: int, budget: int) -> None:
        if size > budget // 8:
            return
        with self._lock:
            self._drop(key)
            self._items[key] = (item, size)
            self._bytes += size
            while self._bytes > budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def drop(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]

    @property
    def size(self) -> int:
        return self._bytes


class PublicCopies:
    """WSGI middleware around the Django application (see the module's docstring)."""

    def __init__(self, application):
        self.application = application
        self.copies = _Copies()
        self.database_paused_until = 0.0

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.application(environ, start_response)
        started = time.perf_counter()
        item = self.copies.get(key)
        if not settings.FACTSHEETS_STORED_ANSWERS:
            stored = None
        elif item is not None and item[5] is not None:
            stored = item[5]  # a sheet's copy: what request_key reads of a request is all in the copy's key
        else:
            stored = answers.request_key(environ)
        if stored is not None:
            return self._sheet(key, stored, item, environ, start_response, started)
        generation = sheet_cache.current_generation(environ.get("PATH_INFO", ""))
        if item is not None:
            if item[0] == generation and time.time() < item[1]:
                return self._serve(item, environ, start_response, started)
            self.copies.drop(key)
        result, status, headers, body = self._django(environ, start_response)
        if body is not None:
            generation, expires = environ[STORED_UNDER]
            self._put(key, (generation, expires, status, body, headers, None))
        return result

    def _sheet(self, key: str, stored: tuple[str, str], item, environ, start_response, started):
        """A sheet's address: this worker's copy and the database's stored answer are both checked against the
        sheet's generations in the database, read by the one query that also brings the stored answer when the
        copy is not current. No cache read: a publish renews them inside its own transaction."""
        stored_key, scope = stored
        held = item[0] if item is not None and isinstance(item[0], tuple) else None
        known, token = renewals.RENEWALS.known(scope)  # no query while PostgreSQL has announced no renewal
        if held is not None and known == held:
            return self._serve(item, environ, start_response, started)
        if time.monotonic() < self.database_paused_until:
            return self.application(environ, start_response)  # Django answers as it can; nothing is copied
        files = bool(settings.FACTSHEETS_ANSWER_FILES)
        try:
            if files and known is None and token is not None and renewals.RENEWALS.all_stale():
                renewals.RENEWALS.learn_all(answers.all_generations(), token)  # every sheet's, in one query
                known, token = renewals.RENEWALS.known(scope)
            answer = (
                answer_files.read(stored_key, answers.build_stamp(), known) if files and known is not None else None
            )
            if answer is not None:
                generations = known  # the file's own, checked: current without a query
            else:
                generations, answer = answers.find(stored_key, scope, held)
                renewals.RENEWALS.learn(scope, generations, token)
                if files and token is not None and answer is not None:  # read by this server's next fresh worker
                    answer_files.write(stored_key, answers.build_stamp(), generations, *answer)
        except DatabaseError as error:
            self.database_paused_until = time.monotonic() + DATABASE_RETRY_AFTER
            logger.error("Stored answers unavailable (%s); sheets go to Django for %.0f s", error, DATABASE_RETRY_AFTER)
            return self.application(environ, start_response)
        if held is not None and held == generations:
            return self._serve(item, environ, start_response, started)
        if item is not None:
            self.copies.drop(key)
        if answer is not None:
            status, headers, body = answer
            item = (generations, math.inf, status, body, headers, stored)
            self._put(key, item)
            return self._serve(item, environ, start_response, started)
        result, status, headers, body = self._django(environ, start_response)
        if body is not None and answers.keep_answered(environ, stored_key, scope, generations, status, headers, body):
            self._put(key, (generations, math.inf, status, body, headers, stored))
        return result

    @staticmethod
    def _serve(item: tuple, environ, start_response, started: float):
        status, body, headers = item[2:5]
        start_response(_STATUS_LINES[status], list(headers))  # a server may edit the list it is given
        log_request("GET", environ.get("PATH_INFO", ""), status, started)
        return [body]

    def _put(self, key: str, item: tuple) -> None:
        body, headers = item[3:5]
        size = len(body) + len(key) + sum(len(name) + len(value) for name, value in headers)
        self.copies.put(key, item, size, settings.FACTSHEETS_WORKER_COPY_BYTES)

    def _django(self, environ, start_response):
        """Django's answer: (what to hand the server, status, headers, body); headers and body None when no copy
        may be made of it (the response cache neither served nor stored it, a status never copied, a cookie or
        a Vary on a header the key does not hold)."""
        answered = {}

        def keep_start(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.application(environ, keep_start)
        status = int(answered.get("status", "0")[:3] or 0)
        if (
            environ.get(STORED_UNDER) is None
            or status not in _STATUS_LINES
            or not answers.copyable(answered["headers"])
        ):
            return chunks, status, None, None
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return [body], status, list(answered["headers"]), body

    @staticmethod
    def _key(environ) -> str | None:
        """The copy's key for a request a copy may answer, else None (the request goes to Django as it is)."""
        if environ.get("REQUEST_METHOD") != "GET" or settings.FACTSHEETS_WORKER_COPY_BYTES <= 0:
            return None
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        if not (path.isascii() and query.isascii()) or len(path) + len(query) >= MAX_KEY_PATH:
            return None
        if not CONDITIONAL_HEADERS.isdisjoint(environ):
            return None
        if settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
            return None
        if PUBLIC_PATHS.match(path) is None or limited_path(path):
            return None
        parts = [
            path,
            query,
            answers.raw_host(environ),
            # A header that is absent is "\0" (which no header can hold), never the same as one that is empty:
            # Django tells them apart.
            environ.get("HTTP_X_FORWARDED_HOST", "\0"),
            environ.get("wsgi.url_scheme", ""),
            environ.get(_proxy_scheme_header(), "\0"),
            environ.get("HTTP_ORIGIN", "\0"),
        ]
        if path.startswith("/api/") and (not query or "language" not in QueryDict(query)):
            parts.append(languages.preferred(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        return "\n".join(parts)
