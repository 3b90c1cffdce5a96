"""Work shared among forked processes (`manage.py export_site --jobs`, `manage.py build_answers --jobs`).

`run(parts, task)` forks one process per part; each runs `task(part)` with database connections of its own and
sends back what it returns (JSON) through a pipe. Only from outside a transaction: a worker's connection would not
see what the transaction has not committed.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable

from django.core.cache import caches
from django.db import connections


class WorkerFailed(RuntimeError):
    """A worker process raised or died; the message names each failed worker, its exit code and its error."""


def run(parts: list[list], task: Callable[[list], dict]) -> list[dict]:
    """`task(part)` in a forked process for each of `parts`, all at once; their answers in the order of `parts`.
    Raises WorkerFailed, once every worker has ended, if any of them failed."""
    # Forked after closing: no database or cache connection is shared, each worker opens its own.
    connections.close_all()
    caches.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    workers = [_fork(part, task) for part in parts]
    answers, failures = [], []
    for pid, pipe in workers:
        answer, code = _result_of(pid, pipe)
        if code == 0 and "answer" in answer:
            answers.append(answer["answer"])
        else:
            failures.append(f"worker {pid} (exit code {code}): {answer.get('error', 'no report')}")
    if failures:
        raise WorkerFailed("; ".join(failures))
    return answers


def _fork(part: list, task: Callable[[list], dict]) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        os.close(read)
        _work(part, task, write)
    os.close(write)
    return pid, read


def _work(part: list, task: Callable[[list], dict], pipe: int) -> None:
    """A worker's life: run its task, send its answer (or its error) as JSON, and exit without running the
    parent's exit handlers."""
    code = 1
    try:
        _forget_inherited_connections()
        answer = {"answer": task(part)}
        code = 0
    except BaseException as error:  # reported to the parent, which fails the whole run
        traceback.print_exc()
        answer = {"error": f"{type(error).__name__}: {error}"}
    try:
        with os.fdopen(pipe, "w") as handle:
            json.dump(answer, handle)
        connections.close_all()
    finally:
        os._exit(code)


_INHERITED = []  # kept referenced until os._exit: closing or freeing one would end the session it shares


def _forget_inherited_connections() -> None:
    """A worker opens its own database connections. One still open in the parent (its close is skipped when it was
    closed once inside a transaction, e.g. by a test) is shared by every worker forked from it: two workers on one
    socket break each other's session ("server closed the connection unexpectedly"). So the worker forgets it
    without closing it (a close would send the server a Terminate for the parent's session too)."""
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None
            wrapper.closed_in_transaction = False


def _result_of(pid: int, pipe: int) -> tuple[dict, int]:
    """A worker's answer (read to its end before waiting, so a long report cannot block it) and its exit code."""
    with os.fdopen(pipe) as handle:
        text = handle.read()
    _, status = os.waitpid(pid, 0)
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {}
    return answer, os.waitstatus_to_exitcode(status)
