"""A copy of the stored answers on this server's disk, so that a worker's first request for a sheet needs no
database round trip (FACTSHEETS_ANSWER_FILES: a directory; empty, the default: none).

One file per stored answer's key and build, `<dir>/<build>/<key[:2]>/<key>`: a first line with the generations it
was stored under (the site's, the sheet's), its status and its body's length, a second with its headers (JSON), then its body. The
worker layer (config.worker_copies) reads one only under generations it knows to be current without a query
(factsheets.public.renewals: read after the notifications were read, none of that sheet heard since), and it is
served only when the generations in the file are exactly those: a file written under older generations is never
served, whatever order writers land in. So a file can be missing or out of date, never wrong: the database
answers then, as without this module.

Written whenever an answer is stored (factsheets.public.answers.keep: a publish's build, a reader's first render)
and when a worker read one from the database that had no file here; beside its target, then renamed over it, so
no one reads half a file. A failure to read or write is logged and changes nothing else. Each server has its own
directory (a second server fills its own from the database), written by the app's user only (a file another
user wrote may be unreadable here: run `build_answers` as the app's user). `build_answers` deletes other builds'
directories (32 hex digits) of the server it runs on. After restoring the database from a backup, empty the
directory: a restore sends no notification.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

STATUSES = {200, 410}  # those stored (factsheets.public.answers.STORED_STATUSES)
BUILD_NAME = re.compile(r"^[0-9a-f]{32}$")  # a build's directory (answers.build_stamp): nothing else is deleted


def _build_dir(build: str) -> Path | None:
    root = settings.FACTSHEETS_ANSWER_FILES
    return Path(root) / build if root else None


def _path(key: str, build: str) -> str | None:
    """The file of `key` (a string: built for every first hit, where pathlib took a third of a cached read)."""
    root = settings.FACTSHEETS_ANSWER_FILES
    return os.path.join(root, build, key[:2], key) if root else None


def read(key: str, build: str, generations: tuple[str, str]) -> tuple[int, list, bytes] | None:
    """(status, headers, body) of the answer `build` (answers.build_stamp) kept for `key` under exactly
    `generations`, else None."""
    path = _path(key, build)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.error("Could not read the answer file %s (%s); the database answers", path, error)
        return None
    try:
        # One read of the file's size, without a buffered file object (11 against 15 microseconds a cached file). A
        # file is never written in place (see write), so its size stays; a short read fails the length check below.
        content = os.read(fd, os.fstat(fd).st_size)
    except OSError as error:
        logger.error("Could not read the answer file %s (%s); the database answers", path, error)
        return None
    finally:
        with contextlib.suppress(OSError):  # a read-only descriptor: nothing is lost if closing it fails
            os.close(fd)
    try:
        first, headers, body = content.split(b"\n", 2)
        everything, generation, status, length = first.decode().split(" ")
        if (everything, generation) != generations:
            return None
        pairs = [(str(name), str(value)) for name, value in json.loads(headers)]
        if int(status) not in STATUSES or int(length) != len(body):  # cut short (a crash mid-write) or foreign
            raise ValueError(f"status {status}, {len(body)} of {length} bytes")
        return int(status), pairs, body
    except (ValueError, TypeError) as error:  # not whole, or not a file this module wrote: never served
        logger.error("The answer file %s is not one this server wrote whole (%s); the database answers", path, error)
        return None


def write(key: str, build: str, generations: tuple[str, str], status: int, headers, body: bytes) -> None:
    """Keep the answer `build` stored for `key` under `generations` (replacing the file of any earlier one)."""
    path = _path(key, build)
    if path is None:
        return
    everything, generation = generations
    first = f"{everything} {generation} {status} {len(body)}"
    header = f"{first}\n{json.dumps([list(pair) for pair in headers])}\n".encode()
    try:
        directory = os.path.dirname(path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".answer-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + body)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        logger.error("Could not write the answer file %s (%s); the database still has the answer", path, error)


def drop_other_builds(build: str) -> int:
    """Delete the directories of other builds than `build` (after a deploy); returns how many."""
    kept = _build_dir(build)
    if kept is None or not kept.parent.is_dir():
        return 0
    others = [path for path in kept.parent.iterdir() if BUILD_NAME.match(path.name) and path != kept]
    for path in others:
        shutil.rmtree(path, ignore_errors=True)
    return len(others)
