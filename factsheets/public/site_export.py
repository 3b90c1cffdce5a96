"""A static copy of the public site, for nginx or any static host in front of the app.

`export_site(outdir)` writes every public sheet page, version page and versions page, the index, every
condition page (each in every language it exists in: /es/factsheets/<slug>/ for a live Spanish edition, /es/ and
/es/conditions/<slug>/ always), the feed, the sitemap (index and pages), robots.txt and the API's detail and version JSON
documents as files, and `nginx.conf`, a server block that serves them and passes everything else (search,
admin, previews, the API's lists and queries, static assets, any query string) to gunicorn. Each file holds
the bytes the app answers for that address: a sheet's stored answer while it stands (factsheets.public.answers,
built when it was published or by the previous export), else what the whole Django stack answers the test client
as an anonymous reader of SITE_URL (then stored), so nothing here builds a page of its own.

Files: `<path>/index.html` for an HTML page at `<path>/`, `index.json` for an API document, `index.atom` for
the feed; an address with an extension (`/sitemap.xml`, `/robots.txt`) is a file of that name. Drafts and
unapproved versions are never fetched (only published versions have addresses here), and a withdrawn sheet's
files are removed, so nginx passes its addresses to the app, which answers 410 with the reason.

`export_site(outdir, since=...)` re-exports only the sheets whose live version was published or
reaffirmed, or that were withdrawn, since then, plus every list; `export_on_change(slug)` re-exports one
sheet and the lists it can be on (`list_paths`) after each publish, reaffirmation or withdrawal when
FACTSHEETS_EXPORT_DIR is set (factsheets.public.cache.content_changed), and every list after a condition's change.

Re-exports run one at a time per directory (a lock file); each change is noted in the directory
(`.export-pending.json`: the sheets, or every list, still to re-export) until its re-export is done, so one that
fails is taken up by the next change's, and a full export clears what was noted before it began. Files are written
in `.export-tmp/` and renamed into place: every hidden name is at the root, where the server block refuses them.

`export_site(outdir, jobs=N)` shares the sheets among N forked worker processes (each every N-th sheet, its own
database connection, its report sent back through a pipe); this process then writes the lists and nginx.conf.
Inside a transaction (a publish's export_on_change, a test) it stays in this process: a worker's connection would
not see what the transaction has not committed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.test import Client

from factsheets.content import languages
from factsheets.public import answers, forked, nginx, sitemaps
from factsheets.public.answers import outer_request_kept, site_client, unthrottled
from factsheets.models import Condition, FactSheet, FactSheetRevision

logger = logging.getLogger(__name__)

FILE_FOR_TYPE = {"text/html": "index.html", "application/json": "index.json", "application/atom+xml": "index.atom"}


class ExportFailed(RuntimeError):
    """An address did not answer 200, or a worker process failed: the export is incomplete."""


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        self.written += other.written
        self.removed += other.removed


def file_for(path: str, content_type: str) -> str:
    """Where the answer for `path` goes, relative to the export directory."""
    relative = path.lstrip("/")
    if not path.endswith("/"):
        return relative
    return relative + FILE_FOR_TYPE[content_type.split(";")[0].strip()]


TEMPORARY_DIR = ".export-tmp"  # where files are written before they are renamed into place


def _write(outdir: Path, relative: str, content: bytes) -> None:
    target = outdir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written in the export's own temporary directory and renamed over the target: nginx never serves half a file.
    # Every hidden name of the export (that directory, the re-exports' note and lock) is at its root, so nginx
    # refuses them all with a prefix location, with no regular expression run on every request.
    temporaries = outdir / TEMPORARY_DIR
    temporaries.mkdir(exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=temporaries, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)  # a full disk leaves no half-written file behind
        raise


def list_paths(slugs: list[str] | None = None) -> list[str]:
    """The lists and documents a change can alter: the feed, robots.txt, the sitemap (index and pages) and, in every
    language, the index and the condition pages: of every condition, or (`slugs`, a change of those sheets alone)
    of those any version of theirs patients could read was filed under, all such a change can add a sheet to or take
    it from (a condition page lists only its own sheets)."""
    paths = ["/feed/", "/robots.txt", "/sitemap.xml", *sitemaps.page_paths()]
    conditions = Condition.objects.order_by("slug")
    if slugs:
        conditions = conditions.filter(
            revisions__fact_sheet__slug__in=slugs, revisions__status__in=FactSheetRevision.PUBLIC_STATUSES
        ).distinct()
    conditions = list(conditions.values_list("slug", flat=True))
    for language in languages.Language.values:
        prefix = answers.prefix(language)
        paths += [f"{prefix}/", *[f"{prefix}/conditions/{slug}/" for slug in conditions]]
    return paths


def _sheet_dirs(slug: str) -> list[str]:
    return [
        *[f"{answers.prefix(code)}/factsheets/{slug}".lstrip("/") for code in languages.Language.values],
        f"api/v1/factsheets/{slug}",
    ]


def changed_since(since: dt.datetime) -> Q:
    """Sheets whose public answers changed at or after `since`: a version of any edition published or reaffirmed,
    or the sheet withdrawn."""
    return (
        Q(live_revision__published_at__gte=since)
        | Q(live_revision__last_reviewed_on__gte=since.date())
        | Q(withdrawn_at__gte=since)
        | Q(
            pk__in=FactSheetRevision.objects.live(None)
            .filter(Q(published_at__gte=since) | Q(last_reviewed_on__gte=since.date()))
            .values("fact_sheet_id")
        )
    )


def export_site(
    outdir,
    *,
    since: dt.datetime | None = None,
    slugs: list[str] | None = None,
    listen: str = "80",
    upstream: str = "127.0.0.1:8000",
    jobs: int = 1,
) -> Report:
    """Export the public site to `outdir` (all of it; or sheets changed `since`, or the `slugs`), the sheets in `jobs`
    worker processes (in this one inside a transaction); the lists always: all of them, but for `slugs` only the
    condition pages those sheets are on or were on (`list_paths`)."""
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    everything = since is None and slugs is None
    _tidy(outdir, everything=everything)
    left = _pending_locked(outdir) if everything else set()  # what failed re-exports left before this began
    plan = _sheet_plan(since, slugs)
    jobs = 1 if connection.in_atomic_block else max(1, min(jobs, len(plan)))
    with unthrottled():
        report = _in_workers(plan, outdir, jobs) if jobs > 1 else _export_sheets(plan, outdir)
        client = site_client()
        for path in list_paths(slugs if since is None else None):
            _fetch(client, path, outdir, report)
    _write(outdir, nginx.CONF_NAME, nginx.server_block(root=outdir, listen=listen, upstream=upstream).encode())
    if everything and (outdir / PENDING_NAME).exists():
        with _locked(outdir):  # done by this export; a re-export that failed while it ran keeps its note
            _note(outdir, _pending(outdir) - left)
    return report


STRAY_AFTER_SECONDS = 60  # a write's temporary file lives for milliseconds; one older was left by a killed write


def _tidy(outdir: Path, *, everything: bool) -> None:
    """Before an export writes anything: remove stray temporary files if it exports everything, or if it is the first
    export into a directory of earlier releases (no TEMPORARY_DIR yet: they wrote beside their targets)."""
    if everything or not (outdir / TEMPORARY_DIR).exists():
        _remove_stray_temporaries(outdir)
        (outdir / TEMPORARY_DIR).mkdir(exist_ok=True)


def _remove_stray_temporaries(outdir: Path) -> None:
    """Remove the temporary files killed writes left: in TEMPORARY_DIR, and beside their targets, where earlier
    releases wrote them and where the server block no longer refuses hidden names. A file younger than STRAY_AFTER_SECONDS may be a write in
    flight (another process's re-export) and stays. Never fails the export: what it cannot remove is logged."""
    kept = {outdir / PENDING_NAME, outdir / LOCK_NAME}
    old_enough = time.time() - STRAY_AFTER_SECONDS
    for directory, _, names in os.walk(outdir):
        for name in names:
            if not name.startswith(".export-") or (path := Path(directory, name)) in kept:
                continue
            try:
                if path.lstat().st_mtime < old_enough:
                    path.unlink()
            except FileNotFoundError:
                pass  # renamed into place or removed since the walk listed it
            except OSError as error:
                logger.error("could not remove the stray temporary file %s (%s)", path, error)


@dataclass
class _Sheet:
    """What exporting one sheet needs, read before any worker starts."""

    slug: str
    withdrawn: bool
    numbers: dict[str, list[int]]  # language -> its published version numbers
    live: set[str]  # the languages it is live in


def _sheet_plan(since: dt.datetime | None, slugs: list[str] | None) -> list[_Sheet]:
    """The sheets to export (or remove), A-Z by slug, with their published version numbers (two queries)."""
    sheets = FactSheet.objects.filter(live_revision__isnull=False)
    if since is not None:
        sheets = sheets.filter(changed_since(since))
    if slugs is not None:
        sheets = sheets.filter(slug__in=slugs)
    sheets = list(sheets.order_by("slug").values_list("pk", "slug", "withdrawn_at"))
    editions = answers.editions([pk for pk, _, _ in sheets])
    return [_Sheet(slug, withdrawn_at is not None, *editions.get(pk, ({}, set()))) for pk, slug, withdrawn_at in sheets]


def _export_sheets(plan: list[_Sheet], outdir: Path) -> Report:
    report = Report()
    client = site_client()
    for sheet in plan:
        if sheet.withdrawn:
            for directory in _sheet_dirs(sheet.slug):
                if (outdir / directory).exists():
                    shutil.rmtree(outdir / directory)
                    report.removed.append(directory)
            continue
        for path, accept_language in answers.sheet_addresses(sheet.slug, sheet.numbers, sheet.live):
            if not accept_language:  # a file per address: the API's document in its default language
                _fetch(client, path, outdir, report)
    return report


def _in_workers(plan: list[_Sheet], outdir: Path, jobs: int) -> Report:
    """`plan` exported by `jobs` forked processes, worker i taking every jobs-th sheet from the i-th; their reports
    merged. Raises ExportFailed, once every worker has ended, if any of them failed."""
    report = Report()
    try:
        for answer in forked.run([plan[index::jobs] for index in range(jobs)], partial(_export_part, outdir=outdir)):
            report.add(Report(**answer))
    except forked.WorkerFailed as error:
        raise ExportFailed(str(error)) from error
    return report


def _export_part(plan: list[_Sheet], outdir: Path) -> dict:
    return dataclasses.asdict(_export_sheets(plan, outdir))


def _fetch(client: Client, path: str, outdir: Path, report: Report) -> None:
    """Write the answer for `path`: a sheet's stored answer while it stands (factsheets.public.answers), else
    Django's, which is then stored for the next export and for readers."""
    status, headers, body = answers.answer_for(client, path)
    if status != 200:  # never expected for an address taken from published content
        raise ExportFailed(f"{path} answered {status}; nothing written for it")
    content_type = next(value for name, value in headers if name.lower() == "content-type")
    relative = file_for(path, content_type)
    _write(outdir, relative, body)
    report.written.append(relative)


PENDING_NAME = ".export-pending.json"  # what failed re-exports left to do: nginx refuses hidden names at the root
LOCK_NAME = ".export-lock"


def export_on_change(slug: str | None) -> None:
    """After a publish, reaffirmation or withdrawal (slug) or a condition's change (None): re-export what changed
    into FACTSHEETS_EXPORT_DIR, if set. Logged, never raised: the change has committed either way.

    One re-export at a time per directory (a lock file): two workers' re-exports never interleave their lists, nor
    their notes. The change is noted (PENDING_NAME) before its re-export starts and its note dropped once it is
    done, so a re-export that fails, or a worker killed in the middle of one, leaves it noted; the next change's
    re-export then takes up each noted change, apart from its own (one that keeps failing holds up no other), and
    a full export clears what was noted before it began."""
    if not settings.FACTSHEETS_EXPORT_DIR:
        return
    try:
        outdir = Path(settings.FACTSHEETS_EXPORT_DIR).resolve()
        outdir.mkdir(parents=True, exist_ok=True)
        _tidy(outdir, everything=False)  # before its note is written there
        with _locked(outdir):
            left = _pending(outdir) | {slug}
            _note(outdir, left)
            for change in [slug, *sorted(left - {slug}, key=str)]:
                try:
                    with outer_request_kept():
                        export_site(outdir, slugs=[change] if change is not None else [])
                except Exception:
                    logger.exception(
                        "re-export of %s into %s failed; noted in %s for the next change's re-export",
                        change or "the lists",
                        outdir,
                        PENDING_NAME,
                    )
                else:
                    left.discard(change)
            _note(outdir, left)
    except Exception:
        logger.exception("re-export of %s into %s failed", slug or "the lists", settings.FACTSHEETS_EXPORT_DIR)


@contextlib.contextmanager
def _locked(outdir: Path):
    with open(outdir / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pending_locked(outdir: Path) -> set[str | None]:
    if not (outdir / PENDING_NAME).exists():
        return set()  # a note written from now on is one this export must keep
    with _locked(outdir):
        return _pending(outdir)


def _pending(outdir: Path) -> set[str | None]:
    """The changes (a sheet's slug; None: every list) failed re-exports left to do."""
    try:
        noted = json.loads((outdir / PENDING_NAME).read_text())
    except FileNotFoundError:
        return set()
    except (OSError, ValueError) as error:
        logger.error("unreadable %s in %s (%s): every list re-exported", PENDING_NAME, outdir, error)
        return {None}
    if not isinstance(noted, list) or not all(item is None or isinstance(item, str) for item in noted):
        logger.error("%s in %s is not a list of sheets: every list re-exported", PENDING_NAME, outdir)
        return {None}
    return set(noted)


def _note(outdir: Path, changes: set[str | None]) -> None:
    """Keep `changes` as what is left to re-export (none: no note). A note that cannot be written is logged."""
    try:
        if changes:
            _write(outdir, PENDING_NAME, json.dumps(sorted(changes, key=str)).encode())
        else:
            (outdir / PENDING_NAME).unlink(missing_ok=True)
    except OSError:
        logger.exception("could not note the re-exports left to do in %s: %s", outdir, sorted(changes, key=str))
