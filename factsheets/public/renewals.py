"""What this process knows of the stored answers' generations, kept current by PostgreSQL notifications.

Every renewal of a generation (factsheets.public.answers.renew, inside the publish's, reaffirmation's or
withdrawal's own transaction) also sends `NOTIFY factsheets_answers, '<scope>'`, which PostgreSQL delivers to every
listener when that transaction commits, and never if it rolls back. Each worker process listens on a connection of
its own. Before it trusts what it knows it reads the notifications that have arrived (a non-blocking read of that
socket, about a microsecond) and forgets every scope they name (`all`: everything). So a worker whose copy of a sheet
is current answers a repeat with no query at all, and a publish reaches it as soon as PostgreSQL has told it.

What it knows is only ever what a query read after a read of the notifications, and is kept only if no
notification came in between (`token`), so a renewal that committed after the query is never missed. That query
reads one sheet's generations (`learn`) or, where answers are kept on disk (factsheets.public.answer_files), every
sheet's at once (`learn_all`, at most once every TRUST_SECONDS), so that a worker's first request for a sheet needs
no query either. Knowledge
is not trusted past TRUST_SECONDS either, in case the listening connection dies silently. Whenever the
connection is not up (not PostgreSQL, FACTSHEETS_ANSWER_NOTIFY off, a failed connection, a fork) nothing is
known and every request reads the generations, as without this module.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

CHANNEL = "factsheets_answers"
EVERYTHING = "all"
TRUST_SECONDS = 60.0
RETRY_AFTER = 5.0


class Renewals:
    def __init__(self):
        self._lock = threading.Lock()  # gunicorn may run threads
        self._known: dict[str, tuple[tuple[str, str], float]] = {}
        self._listener = None
        self._pid = None
        self._retry_at = 0.0
        self._seen = 0  # notifications read (and reconnections): a token for `learn`
        self._all_at: float | None = None  # when `learn_all` last kept every sheet's generations
        self._inherited = []  # a parent's listener, kept referenced: freeing it would end the parent's session

    def known(self, scope: str) -> tuple[tuple[str, str] | None, int | None]:
        """(The generations of `scope` as last read, or None when they must be read; the token to `learn` what is
        read now with, None when nothing can be learnt)."""
        with self._lock:
            if not self._listening():
                return None, None
            entry = self._known.get(scope)
            if entry is not None and time.monotonic() - entry[1] > TRUST_SECONDS:
                entry = None
            return (entry[0] if entry else None), self._seen

    def learn(self, scope: str, generations: tuple[str, str] | None, token: int | None) -> None:
        """Keep the generations a query read after `known` gave `token`, unless a notification came since."""
        if token is None or generations is None:
            return
        with self._lock:
            if token == self._seen and self._listener is not None:
                self._known[scope] = (generations, time.monotonic())

    def all_stale(self) -> bool:
        """Whether every sheet's generations should be read again (`learn_all`): never read, or not since the last
        TRUST_SECONDS or since a notification of a site-wide renewal."""
        with self._lock:
            return self._all_at is None or time.monotonic() - self._all_at > TRUST_SECONDS

    def learn_all(self, generations: dict[str, tuple[str, str]], token: int | None) -> None:
        """Keep every scope's generations, as `learn` keeps one's (read by one query after `known` gave `token`)."""
        if token is None:
            return
        with self._lock:
            if token == self._seen and self._listener is not None:
                now = time.monotonic()
                self._known.update((scope, (pair, now)) for scope, pair in generations.items())
                self._all_at = now

    def _listening(self) -> bool:
        """Read the notifications that have arrived; False when no connection listens (nothing is known)."""
        if self._pid != os.getpid():  # a new process (fork): the parent's connection is not ours to use
            if self._listener is not None:
                self._inherited.append(self._listener)
            self._listener, self._pid, self._retry_at = None, os.getpid(), 0.0
            self._forget()
        if self._listener is None and not self._connect():
            return False
        try:
            pgconn = self._listener.pgconn
            pgconn.consume_input()
            while (notice := pgconn.notifies()) is not None:
                scope = notice.extra.decode()
                self._seen += 1
                if scope == EVERYTHING:
                    self._known.clear()
                    self._all_at = None
                else:
                    self._known.pop(scope, None)
        except Exception as error:  # the connection broke: what it would have said is lost
            logger.error("Stopped listening for renewed answers (%s); reading generations on every request", error)
            self._close()
            return False
        return True

    def _connect(self) -> bool:
        if not settings.FACTSHEETS_ANSWER_NOTIFY or connection.vendor != "postgresql":
            return False
        if time.monotonic() < self._retry_at:
            return False
        import psycopg

        try:
            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            self._listener = psycopg.connect(**params, autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")
        except Exception as error:
            logger.error("Could not listen for renewed answers (%s); reading generations on every request", error)
            self._close()
            return False
        self._forget()  # nothing heard before this connection listened
        return True

    def _close(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:
                pass
        self._listener = None
        self._retry_at = time.monotonic() + RETRY_AFTER
        self._forget()

    def _forget(self) -> None:
        self._known.clear()
        self._all_at = None
        self._seen += 1


RENEWALS = Renewals()
