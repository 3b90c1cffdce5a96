"""`export_site`: the public site as files holding the bytes the app serves, never a draft, a withdrawn
sheet's files gone (the app answers 410), `--since` touching only what changed, re-export on publish,
and nginx serving the export."""

import datetime as dt
import gzip
import json
import os
import shutil
import socket
import subprocess
import time
import unittest.mock
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from factsheets.models import Condition, FactSheetRevision
from factsheets.public import answers, site_export
from factsheets.public.site_export import export_site, site_client
from reviews import services
from tests.factories import (
    SPANISH_TEXT,
    FactSheetFactory,
    make_draft,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)
from tests.record_guards import guards_lifted

SECRET = "Zqunsignedword"


@pytest.fixture
def site(author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks):
    gout = Condition.objects.create(name="Gout", slug="gout")
    with django_capture_on_commit_callbacks(execute=True):
        old = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="oldsheet"),
            title="Oldsheet tablets",
            conditions=[gout],
        )
        two = make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="twosheet"),
            title="Twosheet first",
        )
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=two.fact_sheet,
            number=2,
            title="Twosheet second",
        )
    make_draft(author=author, fact_sheet=FactSheetFactory(slug="draftsheet"), title=f"{SECRET} draft")
    make_draft(author=author, fact_sheet=two.fact_sheet, number=3, title=f"{SECRET} next version")
    return {"old": old, "two": two}


def _files(outdir: Path) -> set[str]:
    return {str(p.relative_to(outdir)) for p in outdir.rglob("*") if p.is_file()}


def test_export_writes_every_public_address_as_the_bytes_the_app_serves(site, tmp_path):
    report = export_site(tmp_path)
    client = site_client()  # a reader of SITE_URL (the feed's links name the host asked for)
    expected = {
        "index.html",
        "feed/index.atom",
        "robots.txt",
        "sitemap.xml",
        "sitemaps/factsheets-1.xml",
        "conditions/gout/index.html",
        "es/index.html",  # the Spanish lists exist whether or not a sheet has a Spanish edition
        "es/conditions/gout/index.html",
        "nginx.conf",
        "factsheets/oldsheet/index.html",
        "factsheets/oldsheet/versions/index.html",
        "factsheets/oldsheet/versions/1/index.html",
        "api/v1/factsheets/oldsheet/index.json",
        "api/v1/factsheets/oldsheet/versions/1/index.json",
        "factsheets/twosheet/index.html",
        "factsheets/twosheet/versions/index.html",
        "factsheets/twosheet/versions/1/index.html",
        "factsheets/twosheet/versions/2/index.html",
        "api/v1/factsheets/twosheet/index.json",
        "api/v1/factsheets/twosheet/versions/1/index.json",
        "api/v1/factsheets/twosheet/versions/2/index.json",
    }
    assert _files(tmp_path) == expected and set(report.written) == expected - {"nginx.conf"}
    for relative, url in [
        ("factsheets/twosheet/index.html", "/factsheets/twosheet/"),
        ("api/v1/factsheets/twosheet/index.json", "/api/v1/factsheets/twosheet/"),
        ("factsheets/twosheet/versions/index.html", "/factsheets/twosheet/versions/"),
        ("feed/index.atom", "/feed/"),
        ("sitemaps/factsheets-1.xml", "/sitemaps/factsheets-1.xml"),
    ]:
        assert (tmp_path / relative).read_bytes() == client.get(url).content, relative
    conf = (tmp_path / "nginx.conf").read_text()
    assert f"root {tmp_path.resolve()};" in conf and "proxy_pass http://127.0.0.1:8000;" in conf


def test_a_second_export_copies_the_sheets_stored_answers_without_django(site, tmp_path, monkeypatch):
    """The first export stores what Django answered for every sheet address; the next one copies those bytes, and
    asks Django only for the lists (which every publish changes)."""
    first = tmp_path / "first"
    export_site(first)
    asked = []
    get = Client.get

    def counting_get(self, path, *args, **kwargs):
        asked.append(path)
        return get(self, path, *args, **kwargs)

    monkeypatch.setattr(Client, "get", counting_get)
    second = tmp_path / "second"
    export_site(second)
    assert asked and not [path for path in asked if answers.SHEET_ADDRESS.match(path)]
    assert _files(second) == _files(first)
    for relative in _files(first) - {"nginx.conf"}:
        assert (second / relative).read_bytes() == (first / relative).read_bytes(), relative


def _left_by_a_killed_write(path: Path, *, seconds_ago: float) -> Path:
    path.write_text("what a write had written when it was killed")
    os.utime(path, (time.time() - seconds_ago, time.time() - seconds_ago))
    return path


def test_every_file_is_written_in_the_exports_temporary_directory_and_renamed_into_place(site, tmp_path, monkeypatch):
    renamed = []
    replace = os.replace

    def recording_replace(source, target):
        renamed.append((Path(source).parent, Path(target)))
        replace(source, target)

    monkeypatch.setattr(os, "replace", recording_replace)
    export_site(tmp_path)
    assert {str(target.relative_to(tmp_path)) for _, target in renamed} == _files(tmp_path)
    assert {source for source, _ in renamed} == {tmp_path / site_export.TEMPORARY_DIR}


def test_a_full_export_removes_the_temporary_files_killed_writes_left(site, tmp_path):
    """Writes go through .export-tmp/ (refused by the server block, as every hidden name at the root); releases
    before that wrote beside the target, where nginx now serves any name. A file younger than a minute may be
    another process's write in flight."""
    export_site(tmp_path)
    beside = _left_by_a_killed_write(tmp_path / "factsheets/oldsheet/.export-k1ll3d", seconds_ago=120)
    in_the_api = _left_by_a_killed_write(tmp_path / "api/v1/factsheets/oldsheet/.export-k1ll3d", seconds_ago=120)
    in_temporaries = _left_by_a_killed_write(tmp_path / ".export-tmp/.export-k1ll3d", seconds_ago=120)
    in_flight = _left_by_a_killed_write(tmp_path / ".export-tmp/.export-1nfl1ght", seconds_ago=1)
    in_flight_beside = _left_by_a_killed_write(tmp_path / "factsheets/twosheet/.export-1nfl1ght", seconds_ago=1)
    lock = _left_by_a_killed_write(tmp_path / site_export.LOCK_NAME, seconds_ago=120)
    export_site(tmp_path, slugs=["oldsheet"])
    assert beside.exists()  # a re-export of one sheet does not walk the export
    export_site(tmp_path)
    assert not beside.exists() and not in_the_api.exists() and not in_temporaries.exists()
    assert in_flight.exists() and in_flight_beside.exists() and lock.exists()
    assert (tmp_path / "factsheets/oldsheet/index.html").exists()


def test_the_first_publish_after_the_upgrade_removes_what_killed_writes_of_earlier_releases_left(
    settings, site, tmp_path
):
    from factsheets.public.site_export import export_on_change

    export_site(tmp_path)
    shutil.rmtree(tmp_path / site_export.TEMPORARY_DIR)  # as a directory written by earlier releases
    beside = _left_by_a_killed_write(tmp_path / "factsheets/twosheet/.export-k1ll3d", seconds_ago=120)
    note = _left_by_a_killed_write(tmp_path / site_export.PENDING_NAME, seconds_ago=120)
    note.write_text('["twosheet"]')  # a failed re-export's, older than a minute: still to do
    os.utime(note, (time.time() - 120, time.time() - 120))
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    with unittest.mock.patch.object(site_export, "export_site", side_effect=RuntimeError("no database")):
        export_on_change("oldsheet")  # what the first publish after the upgrade runs; its re-export fails here
    assert not beside.exists()
    assert set(json.loads(note.read_text())) == {"twosheet", "oldsheet"}  # the old note kept, the failed change added


def test_a_stray_temporary_file_that_cannot_be_removed_is_logged_and_the_export_completes(
    site, tmp_path, monkeypatch, caplog
):
    export_site(tmp_path)
    beside = _left_by_a_killed_write(tmp_path / "factsheets/oldsheet/.export-k1ll3d", seconds_ago=120)
    unlink = Path.unlink

    def refusing_unlink(self, *args, **kwargs):
        if self == beside:
            raise PermissionError(13, "Permission denied")
        return unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", refusing_unlink)
    (tmp_path / site_export.PENDING_NAME).write_text('["oldsheet"]')
    export_site(tmp_path)
    assert beside.exists() and "could not remove the stray temporary file" in caplog.text
    assert not (tmp_path / site_export.PENDING_NAME).exists()  # the export went on to its end


def test_drafts_and_unapproved_versions_are_never_exported(site, tmp_path):
    export_site(tmp_path)
    assert (
        not (tmp_path / "factsheets/draftsheet").exists() and not (tmp_path / "factsheets/twosheet/versions/3").exists()
    )
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.lower() not in path.read_text().lower(), path


def test_a_withdrawn_sheets_files_are_removed_so_the_app_answers_410(
    client, site, tmp_path, editor, django_capture_on_commit_callbacks
):
    export_site(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=site["two"].fact_sheet, by=editor, reason="Merged into another.")
    report = export_site(tmp_path, since=timezone.now() - dt.timedelta(minutes=1))
    assert set(report.removed) == {"factsheets/twosheet", "api/v1/factsheets/twosheet"}
    assert not any("twosheet" in f for f in _files(tmp_path) if f.startswith(("factsheets/", "api/")))
    assert "twosheet" not in (tmp_path / "index.html").read_text()
    assert client.get("/factsheets/twosheet/").status_code == 410


def test_since_re_exports_only_changed_sheets_and_the_lists(site, tmp_path):
    with guards_lifted():  # oldsheet went live and was last reviewed long ago
        FactSheetRevision.objects.filter(pk=site["old"].pk).update(
            published_at=timezone.now() - dt.timedelta(days=400), last_reviewed_on=dt.date(2020, 1, 1)
        )
    call_command("export_site", str(tmp_path))
    before = {f: (tmp_path / f).stat().st_mtime_ns for f in _files(tmp_path)}
    time.sleep(0.01)
    call_command("export_site", str(tmp_path), "--since", (timezone.now() - dt.timedelta(days=1)).date().isoformat())
    touched = {f for f in _files(tmp_path) if (tmp_path / f).stat().st_mtime_ns != before[f]}
    assert not any("oldsheet" in f for f in touched)
    assert {
        "factsheets/twosheet/index.html",
        "api/v1/factsheets/twosheet/versions/2/index.json",
        "index.html",
        "sitemap.xml",
        "conditions/gout/index.html",
    } <= touched


def test_a_malformed_since_is_refused_with_nothing_written(site, tmp_path):
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("export_site", str(tmp_path / "out"), "--since", "yesterday")
    assert not (tmp_path / "out").exists()


# Worker processes (--jobs) --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # committed: the workers read the site through their own connections
def test_jobs_share_the_sheets_among_worker_processes_writing_the_same_bytes(spanish_site, tmp_path, forks):
    one, two = tmp_path / "one", tmp_path / "two"
    call_command("export_site", str(one))
    assert forks == []
    call_command("export_site", str(two), "--jobs", "2")
    assert len(forks) == 2
    assert _files(one) == _files(two) and "es/factsheets/oldsheet/index.html" in _files(two)
    for relative in _files(one) - {"nginx.conf"}:
        assert (one / relative).read_bytes() == (two / relative).read_bytes(), relative
    conf = (two / "nginx.conf").read_text().replace(str(two.resolve()), str(one.resolve()))
    assert conf == (one / "nginx.conf").read_text()


@pytest.mark.django_db(transaction=True)
def test_a_failing_worker_fails_the_export_with_a_clear_error(site, tmp_path, monkeypatch, forks):
    """With the reason: the workers' connections are their own (a connection still open in the parent, shared by
    two workers, once failed a worker with "server closed the connection unexpectedly" first)."""
    addresses = answers.sheet_addresses

    def with_a_missing_page(slug, numbers, live):  # inherited by the workers: twosheet's is one of them
        missing = [("/factsheets/twosheet/versions/9/", "")] if slug == "twosheet" else []
        return [*addresses(slug, numbers, live), *missing]

    monkeypatch.setattr(answers, "sheet_addresses", with_a_missing_page)
    with pytest.raises(
        CommandError,
        match=r"incomplete: worker \d+ \(exit code 1\): ExportFailed: /factsheets/twosheet/versions/9/ answered 404",
    ):
        call_command("export_site", str(tmp_path), "--jobs", "2")
    assert len(forks) == 2 and not (tmp_path / "nginx.conf").exists()


def test_inside_a_transaction_the_export_stays_in_this_process(site, tmp_path, forks):
    """A worker's own connection would not see what is not committed yet (here, the whole site)."""
    report = export_site(tmp_path, jobs=2)
    assert forks == [] and "factsheets/twosheet/versions/2/index.html" in report.written


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_are_refused_with_nothing_written(site, tmp_path, jobs):
    with pytest.raises(CommandError, match=f"--jobs {jobs}: give the number of worker processes, 1 or more"):
        call_command("export_site", str(tmp_path / "out"), "--jobs", jobs)
    assert not (tmp_path / "out").exists()


@pytest.fixture
def publish_version(author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks):
    """Publish a version (by default the first of a new sheet, newsheet) and run what its commit runs."""

    def publish(fact_sheet=None, title="Newsheet capsules", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return make_published(
                author=author,
                reviewers=[reviewer1, reviewer2],
                committee=committee,
                fact_sheet=fact_sheet or FactSheetFactory(slug="newsheet"),
                title=title,
                **fields,
            )

    return publish


def test_publishing_re_exports_the_sheet_when_an_export_dir_is_set(settings, site, tmp_path, publish_version):
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    publish_version()
    assert "Newsheet capsules" in (tmp_path / "factsheets/newsheet/index.html").read_text()
    assert "Newsheet capsules" in (tmp_path / "index.html").read_text()
    assert not (tmp_path / "factsheets/oldsheet").exists()  # only what the publish changed


def test_a_publish_re_exports_the_pages_of_the_conditions_its_sheet_is_or_was_on_and_no_other(
    settings, site, tmp_path, publish_version
):
    lupus = Condition.objects.create(name="Lupus", slug="lupus")
    vasculitis = Condition.objects.create(name="Vasculitis", slug="vasculitis")
    first = publish_version(conditions=[lupus])
    export_site(tmp_path)
    assert "Newsheet capsules" in (tmp_path / "conditions/lupus/index.html").read_text()
    pages = ("conditions/lupus/index.html", "es/conditions/lupus/index.html", "conditions/gout/index.html")
    before = {page: (tmp_path / page).stat().st_ino for page in pages}  # each write renames a new file over it
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    publish_version(first.fact_sheet, "Newsheet second wording", number=2, conditions=[vasculitis])
    assert "Newsheet second wording" in (tmp_path / "conditions/vasculitis/index.html").read_text()
    assert "Newsheet" not in (tmp_path / "conditions/lupus/index.html").read_text()  # the condition it left
    rewritten = {page for page in pages if (tmp_path / page).stat().st_ino != before[page]}
    assert rewritten == {"conditions/lupus/index.html", "es/conditions/lupus/index.html"}  # not gout's: never on it
    assert "Newsheet second wording" in (tmp_path / "index.html").read_text()


def test_a_withdrawal_removes_the_sheets_files_and_re_exports_the_lists_it_was_on(
    settings, client, site, tmp_path, editor, django_capture_on_commit_callbacks
):
    export_site(tmp_path)
    assert "Oldsheet tablets" in (tmp_path / "conditions/gout/index.html").read_text()
    kept = (tmp_path / "factsheets/twosheet/index.html").stat().st_ino
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=site["old"].fact_sheet, by=editor, reason="No longer sold here.")
    assert not (tmp_path / "factsheets/oldsheet").exists() and not (tmp_path / "api/v1/factsheets/oldsheet").exists()
    for page in ("index.html", "conditions/gout/index.html", "sitemaps/factsheets-1.xml"):
        assert "oldsheet" not in (tmp_path / page).read_text().lower(), page
    assert (tmp_path / "factsheets/twosheet/index.html").stat().st_ino == kept  # another sheet's page: as exported
    assert client.get("/factsheets/oldsheet/").status_code == 410


def test_a_change_of_a_condition_re_exports_every_condition_page(
    settings, site, tmp_path, django_capture_on_commit_callbacks
):
    from factsheets.public.cache import changing

    export_site(tmp_path)
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        Condition.objects.filter(slug="gout").update(name="Gouty arthritis")
        changing(None)  # what the condition's admin does
    assert "Gouty arthritis" in (tmp_path / "conditions/gout/index.html").read_text()
    assert "Gouty arthritis" in (tmp_path / "es/conditions/gout/index.html").read_text()


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed (apt-get install nginx)")
def test_nginx_serves_the_export(client, spanish_site, tmp_path):
    port = _spare_port()
    out = tmp_path / "site"
    export_site(out, listen=f"127.0.0.1:{port}", upstream=f"127.0.0.1:{_spare_port()}")
    main = tmp_path / "main.conf"
    main.write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s;\n"
        # gzip as Debian's nginx.conf has it (`gzip on`), with the JSON type an operator would add; slashes kept
        # as they come (nginx merges them by default), so that //.name is asked for as it is written
        f"gzip on; gzip_types application/json; merge_slashes off; include {out}/nginx.conf; }}\n"
    )
    server = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(main), "-g", "user root;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(50):
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/factsheets/twosheet/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"nginx did not answer: {server.stderr.read1().decode() if server.poll() is not None else ''}")
        assert answer.status == 200 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert answer.read() == client.get("/factsheets/twosheet/").content
        document = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/factsheets/twosheet/", timeout=2)
        assert document.headers["Content-Type"] == "application/json; charset=utf-8"
        assert "s-maxage=" in document.headers["Cache-Control"]
        assert document.headers["Vary"] == "Accept-Language"  # shared caches keep the languages apart
        assert json.loads(document.read()) == client.get("/api/v1/factsheets/twosheet/").json()
        spanish = urllib.request.urlopen(f"http://127.0.0.1:{port}/es/factsheets/oldsheet/", timeout=2)
        assert spanish.read() == client.get("/es/factsheets/oldsheet/").content
        # Every kind of exported name answers its address: a directory's index (.html, .atom, .json) or a file.
        for address, name, kind in [
            ("/", "index.html", "text/html"),
            ("/es/", "es/index.html", "text/html"),
            ("/feed/", "feed/index.atom", "application/atom+xml"),
            ("/robots.txt", "robots.txt", "text/plain"),
            ("/sitemap.xml", "sitemap.xml", "application/xml"),
            ("/sitemaps/factsheets-1.xml", "sitemaps/factsheets-1.xml", "application/xml"),
            ("/factsheets/twosheet/versions/2/", "factsheets/twosheet/versions/2/index.html", "text/html"),
            (
                "/api/v1/factsheets/twosheet/versions/2/",
                "api/v1/factsheets/twosheet/versions/2/index.json",
                "application/json",
            ),
        ]:
            served = urllib.request.urlopen(f"http://127.0.0.1:{port}{address}", timeout=2)
            assert served.headers["Content-Type"] == f"{kind}; charset=utf-8", address
            assert served.read() == (out / name).read_bytes(), address
        # The operator's gzip still applies to exported files: it matches their bare MIME types.
        for address, name in [
            ("/factsheets/twosheet/", "factsheets/twosheet/index.html"),
            ("/api/v1/factsheets/twosheet/", "api/v1/factsheets/twosheet/index.json"),
        ]:
            asking = urllib.request.Request(f"http://127.0.0.1:{port}{address}", headers={"Accept-Encoding": "gzip"})
            served = urllib.request.urlopen(asking, timeout=2)
            assert served.headers["Content-Encoding"] == "gzip", address
            assert gzip.decompress(served.read()) == (out / name).read_bytes(), address
        (out / ".export-pending.json").write_text('["oldsheet"]')
        (out / ".export-tmp/.export-abc").write_text("half a document")
        (out / ".export-lock").touch()
        hidden_names = ["/.export-pending.json", "/.export-tmp/.export-abc", "/.export-lock", "/%2Eexport-pending.json"]
        roundabout = [
            "//.export-pending.json",
            "//nginx.conf",
            "/api/../.export-lock",
            "/factsheets/../.export-tmp/.export-abc",
        ]
        for hidden in [*hidden_names, *roundabout]:
            with pytest.raises(urllib.error.HTTPError) as refused:  # the re-exports' note and lock, a write in flight
                urllib.request.urlopen(f"http://127.0.0.1:{port}{hidden}", timeout=5)
            assert refused.value.code == 404, hidden
        # Query strings, search and admin go to gunicorn (not running here: nginx answers 502 Bad Gateway).
        passed_on = ["/?letter=B", "/search/?q=two", "/admin/", "/factsheets/draftsheet/"]
        for passed in [*passed_on, "/es/search/?q=dos", "/es/search/", "/es/factsheets/twosheet/"]:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{passed}", timeout=5)
            assert refused.value.code == 502, passed
        # The exported API document is English: a client stating its languages is negotiated by the app.
        for accept in ["es", "en-US,en;q=0.9"]:
            asking = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/factsheets/oldsheet/", headers={"Accept-Language": accept}
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(asking, timeout=5)
            assert refused.value.code == 502, accept
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_re_export_inside_an_editors_request_leaves_its_history_user(settings, site, tmp_path):
    from simple_history.models import HistoricalRecords

    from factsheets.public.site_export import export_on_change

    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    editors_request = object()
    HistoricalRecords.context.request = editors_request
    try:
        export_on_change("oldsheet")
        assert HistoricalRecords.context.request is editors_request
    finally:
        del HistoricalRecords.context.request
    assert (tmp_path / "factsheets/oldsheet/index.html").exists()


def test_a_failed_re_export_is_logged_and_never_raised(settings, site, tmp_path, caplog):
    from factsheets.public.site_export import export_on_change

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.FACTSHEETS_EXPORT_DIR = str(blocker)
    export_on_change("oldsheet")
    assert "re-export of oldsheet" in caplog.text


def test_what_a_failed_re_export_left_undone_is_re_exported_by_the_next_change(
    settings, site, tmp_path, monkeypatch, caplog, publish_version
):
    from factsheets.public import site_export

    export_site(tmp_path)
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    real_fetch = site_export._fetch

    def disk_full(client, path, outdir, report):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_export, "_fetch", disk_full)
    gout = Condition.objects.get(slug="gout")
    publish_version(site["old"].fact_sheet, "Oldsheet second wording", number=2, conditions=[gout])
    assert "re-export of oldsheet" in caplog.text and "No space left on device" in caplog.text
    assert "Oldsheet second wording" not in (tmp_path / "factsheets/oldsheet/index.html").read_text()
    assert (tmp_path / site_export.PENDING_NAME).exists()
    monkeypatch.setattr(site_export, "_fetch", real_fetch)
    publish_version()  # another sheet's publish, once the disk has room
    for page in ("factsheets/oldsheet/index.html", "conditions/gout/index.html", "index.html"):
        assert "Oldsheet second wording" in (tmp_path / page).read_text(), page
    assert "Newsheet capsules" in (tmp_path / "factsheets/newsheet/index.html").read_text()
    assert not (tmp_path / site_export.PENDING_NAME).exists()


def test_a_full_export_clears_what_was_noted_before_it_began_and_no_more(site, tmp_path, monkeypatch):
    from factsheets.public import site_export

    note = tmp_path / site_export.PENDING_NAME
    note.write_text('["oldsheet"]')
    export_site(tmp_path, slugs=["twosheet"])  # a part: what was left may still be to do
    assert json.loads(note.read_text()) == ["oldsheet"]
    plan = site_export._sheet_plan

    def a_re_export_fails_meanwhile(since, slugs):
        note.write_text('["oldsheet", "twosheet"]')  # noted by another worker while this export runs
        return plan(since, slugs)

    monkeypatch.setattr(site_export, "_sheet_plan", a_re_export_fails_meanwhile)
    export_site(tmp_path)
    assert json.loads(note.read_text()) == ["twosheet"]


def test_a_noted_change_that_keeps_failing_holds_up_no_other(
    settings, site, tmp_path, monkeypatch, caplog, publish_version
):
    from factsheets.public import site_export

    export_site(tmp_path)
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    (tmp_path / site_export.PENDING_NAME).write_text('["oldsheet"]')
    fetch = site_export._fetch

    def oldsheet_fails(client, path, outdir, report):
        if "oldsheet" in path:
            raise site_export.ExportFailed(f"{path} answered 500; nothing written for it")
        fetch(client, path, outdir, report)

    monkeypatch.setattr(site_export, "_fetch", oldsheet_fails)
    publish_version()
    assert "Newsheet capsules" in (tmp_path / "factsheets/newsheet/index.html").read_text()
    assert "Newsheet capsules" in (tmp_path / "index.html").read_text()
    assert "re-export of oldsheet" in caplog.text
    assert json.loads((tmp_path / site_export.PENDING_NAME).read_text()) == ["oldsheet"]  # still to do


@pytest.mark.parametrize("note", ["[1]", '{"oldsheet": 1}', "not json"])
def test_a_note_that_is_not_a_list_of_sheets_re_exports_every_list(settings, site, tmp_path, caplog, note):
    from factsheets.public import site_export
    from factsheets.public.site_export import export_on_change

    export_site(tmp_path)
    Condition.objects.filter(slug="gout").update(name="Gouty arthritis")  # seen only by a re-export of every list
    cache.clear()  # the response cache's pages (a condition's admin renews their generation)
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    (tmp_path / site_export.PENDING_NAME).write_text(note)
    export_on_change("twosheet")
    assert "Gouty arthritis" in (tmp_path / "conditions/gout/index.html").read_text()
    assert "every list re-exported" in caplog.text
    assert not (tmp_path / site_export.PENDING_NAME).exists()


def test_one_re_export_at_a_time_per_directory(settings, tmp_path, monkeypatch):
    import threading

    from factsheets.public import site_export

    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    exported = []
    monkeypatch.setattr(site_export, "export_site", lambda outdir, slugs: exported.append(slugs))
    with site_export._locked(tmp_path):  # another worker's re-export, still running
        waiting = threading.Thread(target=site_export.export_on_change, args=("oldsheet",))
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive() and exported == []
    waiting.join(5)
    assert exported == [["oldsheet"]] and not (tmp_path / site_export.PENDING_NAME).exists()


# Spanish pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def spanish_site(site, author, reviewer1, reviewer2, reviewer3, django_capture_on_commit_callbacks):
    """oldsheet has a live Spanish edition (and a draft of its next version); twosheet a first translation still
    a draft."""
    translators = make_translation_committee(reviewer1, reviewer2, reviewer3)
    with django_capture_on_commit_callbacks(execute=True):
        spanish = make_published_translation(
            author=author, english=site["old"], reviewers=[reviewer1, reviewer2], committee=translators
        )
    make_translation(author=author, english=site["old"], text={**SPANISH_TEXT, "title": f"{SECRET} borrador"})
    make_translation(author=author, english=site["two"], text={**SPANISH_TEXT, "summary": f"{SECRET} resumen"})
    return {**site, "spanish": spanish}


SPANISH_FILES = {
    "es/factsheets/oldsheet/index.html": "/es/factsheets/oldsheet/",
    "es/factsheets/oldsheet/versions/index.html": "/es/factsheets/oldsheet/versions/",
    "es/factsheets/oldsheet/versions/1/index.html": "/es/factsheets/oldsheet/versions/1/",
    "es/index.html": "/es/",
    "es/conditions/gout/index.html": "/es/conditions/gout/",
}


def test_spanish_pages_are_exported_as_the_bytes_the_app_serves(spanish_site, tmp_path):
    report = export_site(tmp_path)
    client = site_client()
    assert set(SPANISH_FILES) <= set(report.written)
    for relative, url in SPANISH_FILES.items():
        served = client.get(url)
        assert served.status_code == 200 and (tmp_path / relative).read_bytes() == served.content, relative
    page = (tmp_path / "es/factsheets/oldsheet/index.html").read_text()
    assert '<html lang="es">' in page and spanish_site["spanish"].rendition.body_html in page
    assert 'href="/es/factsheets/oldsheet/"' in (tmp_path / "es/index.html").read_text()


def test_no_spanish_draft_is_exported(spanish_site, tmp_path):
    export_site(tmp_path)
    assert not (tmp_path / "es/factsheets/twosheet").exists()  # its translation is a draft
    assert not (tmp_path / "es/factsheets/oldsheet/versions/2").exists()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.lower() not in path.read_text().lower(), path


def test_a_withdrawn_sheets_spanish_files_are_removed(
    client, spanish_site, tmp_path, editor, django_capture_on_commit_callbacks
):
    export_site(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=spanish_site["old"].fact_sheet, by=editor, reason="Retirada.")
    report = export_site(tmp_path, since=timezone.now() - dt.timedelta(minutes=1))
    assert "es/factsheets/oldsheet" in report.removed and not (tmp_path / "es/factsheets/oldsheet").exists()
    assert client.get("/es/factsheets/oldsheet/").status_code == 410


def test_since_re_exports_a_sheet_whose_spanish_version_went_live(spanish_site, tmp_path):
    with guards_lifted():  # the English version went live long ago; only the Spanish one is recent
        FactSheetRevision.objects.filter(pk=spanish_site["old"].pk).update(
            published_at=timezone.now() - dt.timedelta(days=400), last_reviewed_on=dt.date(2020, 1, 1)
        )
    report = export_site(tmp_path, since=timezone.now() - dt.timedelta(days=1))
    assert "es/factsheets/oldsheet/index.html" in report.written
    assert "factsheets/oldsheet/index.html" in report.written  # its English page names the Spanish edition


def test_publishing_a_translation_re_exports_its_pages(
    settings, site, tmp_path, author, reviewer1, reviewer2, reviewer3, django_capture_on_commit_callbacks
):
    settings.FACTSHEETS_EXPORT_DIR = str(tmp_path)
    translators = make_translation_committee(reviewer1, reviewer2, reviewer3)
    with django_capture_on_commit_callbacks(execute=True):
        make_published_translation(
            author=author, english=site["two"], reviewers=[reviewer1, reviewer2], committee=translators
        )
    assert '<html lang="es">' in (tmp_path / "es/factsheets/twosheet/index.html").read_text()
    assert 'hreflang="es"' in (tmp_path / "factsheets/twosheet/index.html").read_text()
