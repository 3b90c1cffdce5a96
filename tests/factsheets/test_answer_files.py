"""Answers kept on this server's disk (factsheets.public.answer_files, FACTSHEETS_ANSWER_FILES): a fresh worker that
listens for renewals answers a sheet's first requests from their files, with no query beyond one read of every
sheet's generations, and never from a file kept under older generations than the database's."""

import io
import logging
import os

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from config import worker_copies
from factsheets.models import StoredAnswer
from factsheets.public import answer_files, answers, renewals
from tests.factsheets.test_renewals import until
from tests.factsheets.wsgi_app import get

SHEET = "/factsheets/examplumab/"
API = "/api/v1/factsheets/examplumab/"
GENERATIONS = ("site-generation", "sheet-generation")
BUILD = "a-build"
committed = pytest.mark.django_db(transaction=True)  # PostgreSQL delivers notifications of committed transactions


@pytest.fixture
def files(settings, tmp_path):
    """Answer files on, in a directory of the test's (before the sheet is published: its build writes them)."""
    settings.FACTSHEETS_ANSWER_FILES = str(tmp_path / "answers")
    return tmp_path / "answers"


def _file_of(path: str):
    key, _ = answers.request_key(RequestFactory().get(path).environ)
    return Path(answer_files._path(key, answers.build_stamp()))


@pytest.fixture
def fresh_worker(django_app, monkeypatch):
    """A worker that has just started: no copy, and knowing no generation (a listener of its own)."""
    heard = renewals.Renewals()
    monkeypatch.setattr(renewals, "RENEWALS", heard)
    yield worker_copies.PublicCopies(django_app)
    heard._close()


@pytest.mark.postgres
@committed
def test_a_fresh_worker_answers_a_sheets_addresses_from_their_files_after_one_read_of_the_generations(
    listening, files, examplumab, fresh_worker, django_app, django_assert_num_queries
):
    built = StoredAnswer.objects.filter(build=answers.build_stamp())
    assert built.count() == sum(1 for path in files.rglob("*") if path.is_file()) > 0  # one file per stored answer
    with django_assert_num_queries(1):  # every sheet's generations
        page = get(fresh_worker, SHEET)
    with django_assert_num_queries(0):
        document = get(fresh_worker, API)
        versions = get(fresh_worker, f"{SHEET}versions/")
    assert django_app.calls == 0
    assert page[0] == 200 and b"Examplumab version one" in page[2]
    assert (page, document, versions) == tuple(get(django_app, path) for path in (SHEET, API, f"{SHEET}versions/"))


@pytest.mark.postgres
@committed
def test_a_file_of_older_generations_is_never_served(
    listening, files, examplumab, publish_version_two, django_app, monkeypatch
):
    older = _file_of(SHEET).read_bytes()
    publish_version_two()
    assert b"Examplumab version two" in _file_of(SHEET).read_bytes()  # the publish's build rewrote it
    _file_of(SHEET).write_bytes(older)  # as if that write were lost, or an older writer landed last
    heard = renewals.Renewals()
    monkeypatch.setattr(renewals, "RENEWALS", heard)
    try:
        status, _, body = get(worker_copies.PublicCopies(django_app), SHEET)
    finally:
        heard._close()
    assert status == 200 and b"Examplumab version two" in body and b"Examplumab version one" not in body
    assert django_app.calls == 0  # the database's stored answer, which is written to the file again
    assert b"Examplumab version two" in _file_of(SHEET).read_bytes()


@pytest.mark.postgres
@committed
@pytest.mark.parametrize("renewal", ["a publish of the sheet", "a site-wide renewal"])
def test_a_worker_that_knows_every_generation_hears_a_renewal_before_it_reads_a_file_again(
    renewal, listening, files, examplumab, publish_version_two, app, django_app
):
    """A worker read every sheet's generations (its first sheet request), then a renewal commits: once PostgreSQL
    has delivered its notification, the worker never answers from the file it knew current, even one left under the
    old generations."""
    older = _file_of(SHEET).read_bytes()
    assert get(app, API)[0] == 200  # every sheet's generations, read in one query; no copy of SHEET
    if renewal == "a site-wide renewal":
        with transaction.atomic():
            answers.renew(None)
    else:
        publish_version_two()
    _file_of(SHEET).write_bytes(older)  # the old generations' file still there

    calls = django_app.calls

    def not_the_old_file():
        body = get(worker_copies.PublicCopies(django_app), SHEET)[2]  # no copy: a file, else the database
        if renewal == "a site-wide renewal":  # every stored answer stale: Django renders the page again
            return django_app.calls > calls
        return b"Examplumab version two" in body  # the publish's stored answer, read from the database

    assert until(not_the_old_file)


@pytest.mark.postgres
@committed
def test_an_unwritable_directory_is_logged_and_the_database_answers(
    listening, settings, tmp_path, examplumab, fresh_worker, caplog
):
    (tmp_path / "a-file").write_text("not a directory")
    settings.FACTSHEETS_ANSWER_FILES = str(tmp_path / "a-file" / "answers")
    with caplog.at_level(logging.ERROR, logger="factsheets.public.answer_files"):
        status, _, body = get(fresh_worker, SHEET)
    assert status == 200 and b"Examplumab version one" in body
    assert "Could not write the answer file" in caplog.text


def test_a_stored_answer_is_written_to_its_file(files, app, examplumab):
    StoredAnswer.objects.all().delete()
    first = get(app, SHEET)
    stored = StoredAnswer.objects.get(path=SHEET)
    kept = answer_files.read(stored.key, stored.build, (stored.everything, stored.generation))
    assert kept is not None and kept[0] == 200 and kept[2] == first[2] == bytes(stored.body)
    assert dict((name.lower(), value) for name, value in kept[1]) == first[1]


def test_a_file_answers_only_under_the_build_and_generations_it_was_written_under(files):
    headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Frame-Options", "DENY")]
    answer_files.write("k" * 64, BUILD, GENERATIONS, 200, headers, b"<p>Take it once a week.</p>\n\nwith new lines")
    assert answer_files.read("k" * 64, BUILD, GENERATIONS) == (
        200,
        headers,
        b"<p>Take it once a week.</p>\n\nwith new lines",
    )
    assert answer_files.read("k" * 64, BUILD, ("site-generation", "a newer one")) is None
    assert answer_files.read("k" * 64, BUILD, ("a newer one", "sheet-generation")) is None
    assert answer_files.read("m" * 64, BUILD, GENERATIONS) is None
    assert answer_files.read("k" * 64, "another build", GENERATIONS) is None  # a deploy's: its own directory


def test_a_file_this_server_did_not_write_is_never_served(files, caplog):
    answer_files.write("k" * 64, BUILD, GENERATIONS, 200, [], b"body")
    path = Path(answer_files._path("k" * 64, BUILD))
    whole = path.read_bytes()
    for foreign in (
        b"site-generation sheet-generation\nbody",  # no status nor length
        whole[:-1],  # cut short, as by a crash while writing
        whole.replace(b" 200 ", b" 302 "),  # a status never stored
        whole.replace(b"\n[]\n", b'\n{"Set-Cookie": 1}\n'),  # headers that are not pairs
    ):
        path.write_bytes(foreign)
        with caplog.at_level(logging.ERROR, logger="factsheets.public.answer_files"):
            assert answer_files.read("k" * 64, BUILD, GENERATIONS) is None, foreign
    assert caplog.text.count("is not one this server wrote whole") == 4


def test_a_file_that_cannot_be_read_is_logged_and_not_served(files, caplog):
    answer_files.write("k" * 64, BUILD, GENERATIONS, 200, [], b"body")
    path = Path(answer_files._path("k" * 64, BUILD))
    path.unlink()
    path.mkdir()  # opens, but does not read (EISDIR)
    open_before = len(os.listdir("/proc/self/fd"))
    with caplog.at_level(logging.ERROR, logger="factsheets.public.answer_files"):
        for _ in range(20):
            assert answer_files.read("k" * 64, BUILD, GENERATIONS) is None
    assert "Could not read the answer file" in caplog.text and str(path) in caplog.text
    assert len(os.listdir("/proc/self/fd")) == open_before  # each read closed what it opened


def test_none_are_kept_or_read_when_turned_off(settings, tmp_path):
    settings.FACTSHEETS_ANSWER_FILES = ""
    answer_files.write("k" * 64, BUILD, GENERATIONS, 200, [], b"body")
    assert answer_files.read("k" * 64, BUILD, GENERATIONS) is None and not any(tmp_path.iterdir())


def test_build_answers_deletes_other_builds_files(files, examplumab):
    other = files / ("0" * 32) / "ab"
    other.mkdir(parents=True)
    (other / "ab-key").write_bytes(b"old words")
    (files / "notes").mkdir()  # not a build's: never deleted
    call_command("build_answers", stdout=io.StringIO())
    assert sorted(path.name for path in files.iterdir()) == sorted([answers.build_stamp(), "notes"])
    assert any(path.is_file() for path in (files / answers.build_stamp()).rglob("*"))  # written by the build


def test_servers_that_differ_only_in_their_directories_are_one_build(settings):
    """Else a build_answers run on one server would delete the answers every other server stored."""
    answers.build_stamp.cache_clear()
    try:
        before = answers.build_stamp()
        settings.FACTSHEETS_ANSWER_FILES, settings.FACTSHEETS_EXPORT_DIR = "/srv/one/answers", "/srv/one/export"
        answers.build_stamp.cache_clear()
        assert answers.build_stamp() == before
    finally:
        answers.build_stamp.cache_clear()
