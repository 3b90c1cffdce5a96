"""Stored answers (factsheets.public.answers, served by config.worker_copies before Django): a fresh worker with an
empty cache answers a sheet's address with one indexed read of what Django answered, and never with an answer a
publish, reaffirmation, withdrawal or deploy has made stale, whatever the cache holds or has lost."""

import io
import logging

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext

from config import worker_copies
from factsheets.models import AnswerGeneration, StoredAnswer
from factsheets.public import answers
from factsheets.public import cache as sheet_cache
from reviews import services
from tests.factories import (
    SPANISH_TEXT,
    make_published,
    make_published_translation,
    make_translation,
    make_translation_committee,
)
from tests.factsheets.wsgi_app import get

SHEET = "/factsheets/examplumab/"
API = "/api/v1/factsheets/examplumab/"


def fresh_worker(django_app):
    """A worker that has just started, beside an emptied Redis: no copy of its own, nothing in the shared cache."""
    cache.clear()
    return worker_copies.PublicCopies(django_app)


@pytest.mark.parametrize("url", [SHEET, API, "/factsheets/examplumab/versions/", "/factsheets/examplumab/versions/1/"])
def test_a_fresh_worker_answers_from_the_stored_answer_in_one_query(
    app, django_app, examplumab, url, django_assert_num_queries
):
    first = get(app, url)
    assert first[0] == 200 and django_app.calls == 1
    assert StoredAnswer.objects.filter(path=url).count() == 1
    worker = fresh_worker(django_app)
    with django_assert_num_queries(1):
        again = get(worker, url)
    assert django_app.calls == 1
    assert again == first
    assert again[1]["x-frame-options"] == "DENY" and "content-security-policy" in again[1]


def test_the_stored_answer_is_what_django_answers(app, django_app, examplumab):
    get(app, SHEET)
    stored = get(fresh_worker(django_app), SHEET)
    cache.clear()
    assert get(django_app, SHEET) == stored  # Django itself, with nothing cached


def test_publishing_builds_the_sheets_answers(
    author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        revision = make_published(
            author=author, reviewers=[reviewer1, reviewer2], committee=committee, title="Built at publish"
        )
    slug = revision.fact_sheet.slug
    # Every address of the sheet: its page, versions page and version page, the API's detail as negotiated for each
    # language and its version document; no Spanish edition, so no /es/ page.
    paths = sorted(StoredAnswer.objects.filter(status=200).values_list("path", flat=True))
    page, api = f"/factsheets/{slug}/", f"/api/v1/factsheets/{slug}/"
    assert paths == sorted([page, f"{page}versions/", f"{page}versions/1/", api, api, f"{api}versions/1/"])
    assert b"Built at publish" in bytes(StoredAnswer.objects.get(path=page).body)


def test_a_publish_builds_the_superseded_versions_pages_so_no_reader_of_them_runs_django(
    app, django_app, examplumab, publish_version_two, django_capture_on_commit_callbacks
):
    """Each publish renews every address of the sheet (an older version's page then says a newer one is live):
    all of them are built again, so the export and a fresh worker copy them."""
    get(app, "/factsheets/examplumab/versions/1/")
    with django_capture_on_commit_callbacks(execute=True):
        publish_version_two()
    worker, calls = fresh_worker(django_app), django_app.calls
    old = get(worker, "/factsheets/examplumab/versions/1/")
    versions = get(worker, "/factsheets/examplumab/versions/")
    document = get(worker, "/api/v1/factsheets/examplumab/versions/2/")
    assert django_app.calls == calls  # all three stored by the publish
    assert (old, versions, document) == tuple(
        get(django_app, path)
        for path in (
            "/factsheets/examplumab/versions/1/",
            "/factsheets/examplumab/versions/",
            "/api/v1/factsheets/examplumab/versions/2/",
        )
    )
    assert b"/factsheets/examplumab/versions/2/" in versions[2] and b"Examplumab version two" in document[2]


def test_a_new_version_is_never_answered_from_the_old_stored_answer(app, django_app, examplumab, publish_version_two):
    """Renewed inside the publish's own transaction: even with no on_commit work run and the cache emptied."""
    assert b"Examplumab version one" in get(app, SHEET)[2]
    publish_version_two()
    status, _, body = get(fresh_worker(django_app), SHEET)
    assert status == 200 and django_app.calls == 2
    assert b"Examplumab version two" in body and b"Examplumab version one" not in body


def test_a_publish_that_rolls_back_leaves_the_stored_answers_standing(app, django_app, examplumab):
    get(app, SHEET)
    with pytest.raises(RuntimeError), transaction.atomic():
        sheet_cache.changing("examplumab")
        raise RuntimeError("the publish failed")
    get(fresh_worker(django_app), SHEET)
    assert django_app.calls == 1


def test_a_withdrawal_is_answered_at_once_and_its_410_is_stored(
    app, django_app, examplumab, editor, django_capture_on_commit_callbacks
):
    get(app, SHEET)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=examplumab.fact_sheet, by=editor, reason="Replaced by a newer sheet.")
    status, _, body = get(fresh_worker(django_app), SHEET)
    assert status == 410 and b"Replaced by a newer sheet." in body
    assert django_app.calls == 1  # built when the withdrawal committed


def test_a_site_wide_change_makes_every_stored_answer_stale(app, django_app, examplumab):
    get(app, SHEET)
    answers.renew(None)
    get(fresh_worker(django_app), SHEET)
    assert django_app.calls == 2


def test_an_answer_built_while_a_publish_renewed_the_generation_is_never_served(app, django_app, examplumab):
    """A request read the generation, then a publish committed, then the request stored what it had built."""
    key, scope = answers.request_key(_environ(SHEET))
    generations, _ = answers.find(key, scope)
    answers.renew("examplumab")
    answers.keep(key, SHEET, scope, generations, 200, [("Content-Type", "text/html")], b"the old words")
    status, _, body = get(fresh_worker(django_app), SHEET)
    assert body != b"the old words" and django_app.calls == 1


def test_an_answer_of_another_build_is_never_served(app, django_app, examplumab, monkeypatch):
    """After a deploy the templates and code differ: what the old build stored is built afresh."""
    get(app, SHEET)
    monkeypatch.setattr(answers, "build_stamp", lambda: "anotherbuild")
    get(fresh_worker(django_app), SHEET)
    assert django_app.calls == 2


def test_the_build_stamp_names_the_release_when_set(settings):
    answers.build_stamp.cache_clear()
    try:
        settings.FACTSHEETS_ANSWER_BUILD = "release-1"
        first = answers.build_stamp()
        answers.build_stamp.cache_clear()
        settings.FACTSHEETS_ANSWER_BUILD = "release-2"
        assert answers.build_stamp() != first
    finally:
        answers.build_stamp.cache_clear()


@pytest.mark.parametrize(
    "url, headers",
    [
        (SHEET + "?utm=1", {}),
        (SHEET, {"HTTP_ORIGIN": "https://partner.example"}),
        (SHEET, {"HTTP_HOST": "evil.example"}),
        (SHEET, {"wsgi.url_scheme": "https"}),
        (API, {"HTTP_ACCEPT_LANGUAGE": "es"}),
        (SHEET, {"HTTP_IF_NONE_MATCH": '"x"'}),
    ],
)
def test_requests_of_another_shape_are_not_answered_from_it(app, django_app, examplumab, url, headers, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    get(app, SHEET)
    get(app, API)
    worker = fresh_worker(django_app)
    answered = get(worker, url, **headers)
    assert django_app.calls == 3
    if headers.get("HTTP_HOST") == "evil.example":
        assert answered[0] == 400  # Django's own answer to a Host it does not serve


@pytest.mark.parametrize(
    "headers, forwarded_host, refused",
    [
        ({"HTTP_ORIGIN": ""}, False, False),  # an empty Origin header: not the request without one
        ({"SERVER_NAME": "evil.example"}, False, True),  # no Host header: Django takes SERVER_NAME
        ({"HTTP_X_FORWARDED_HOST": "evil.example"}, True, True),
        ({"HTTP_X_FORWARDED_HOST": ""}, True, True),  # Django takes the empty header, and refuses it
        ({"HTTP_HOST": ""}, False, True),  # an empty Host header is not SERVER_NAME's
        ({"HTTP_X_FORWARDED_PROTO": ""}, False, False),  # an empty proxy header: not https, whatever the scheme
    ],
)
def test_a_sheets_copy_answers_only_requests_of_its_own_shape(
    app, django_app, examplumab, headers, forwarded_host, refused, settings
):
    """A repeat takes the stored answer's key from the worker's copy (it is not worked out again), so the copy's key
    must tell apart every request that request_key would tell apart."""
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.USE_X_FORWARDED_HOST = forwarded_host
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = False
    first = get(app, SHEET, **{"wsgi.url_scheme": "https"})
    assert get(app, SHEET, **{"wsgi.url_scheme": "https"}) == first and django_app.calls == 1
    cache.clear()  # Django's own answer, not the response cache's
    answered = get(app, SHEET, **{"wsgi.url_scheme": "https", **headers})
    assert django_app.calls == 2
    assert answered[0] == (400 if refused else 200)  # 400: a Host Django does not serve


def test_a_host_no_longer_allowed_is_no_longer_answered_from_a_stored_answer(settings):
    """Whether a host is served is kept per host and per ALLOWED_HOSTS: a changed setting is read anew."""
    environ = RequestFactory().get(SHEET, HTTP_HOST="factsheets.example").environ
    settings.ALLOWED_HOSTS = ["factsheets.example"]
    assert answers.request_key(environ) is not None
    settings.ALLOWED_HOSTS = ["other.example"]
    assert answers.request_key(environ) is None


def test_a_repeat_does_not_work_out_the_stored_answers_key_again(app, django_app, examplumab, monkeypatch):
    first = get(app, SHEET)

    def again(environ):
        raise AssertionError("request_key was called for a repeat")

    monkeypatch.setattr(answers, "request_key", again)
    assert get(app, SHEET) == first and django_app.calls == 1


def test_a_database_failure_while_looking_sends_the_request_to_django(app, django_app, examplumab, monkeypatch, caplog):
    get(app, SHEET)

    def fail(*args):
        raise OperationalError("the database went away")

    monkeypatch.setattr(answers, "find", fail)
    worker = fresh_worker(django_app)
    with caplog.at_level(logging.ERROR, logger="config.worker_copies"):
        status, _, _ = get(worker, SHEET)
    assert status == 200 and django_app.calls == 2
    assert "the database went away" in caplog.text
    monkeypatch.setattr(answers, "find", lambda *args: pytest.fail("looked up again within the pause"))
    assert get(worker, SHEET)[0] == 200 and django_app.calls == 3


def test_a_failure_to_store_still_answers_and_is_logged(app, django_app, examplumab, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("disk full")

    monkeypatch.setattr(StoredAnswer.objects, "bulk_create", refuse)
    with caplog.at_level(logging.ERROR, logger="factsheets.public.answers"):
        status, _, body = get(app, SHEET)
    assert status == 200 and b"Examplumab version one" in body
    assert "could not store the answer for /factsheets/examplumab/" in caplog.text


def test_the_build_stamp_follows_templates_and_the_settings_that_reach_a_page(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>{{ words }}</p>")
    settings.BASE_DIR = tmp_path
    stamps = []
    try:
        for change in (
            lambda: None,
            lambda: template.write_text("<p>{{ other_words }}</p>"),
            lambda: setattr(settings, "FACTSHEETS_DISCLAIMER", "Another disclaimer."),
            lambda: setattr(settings, "SECURE_HSTS_SECONDS", 1),
        ):
            change()
            answers.build_stamp.cache_clear()
            stamps.append(answers.build_stamp())
    finally:
        answers.build_stamp.cache_clear()
    assert len(set(stamps)) == 4


def test_nothing_is_stored_of_a_missing_sheet(app, django_app, examplumab):
    assert get(app, "/factsheets/no-such-sheet/")[0] == 404
    assert not StoredAnswer.objects.exists()


def test_none_when_turned_off(app, django_app, examplumab, settings):
    settings.FACTSHEETS_STORED_ANSWERS = False
    get(app, SHEET)
    get(fresh_worker(django_app), SHEET)
    assert django_app.calls == 2 and not StoredAnswer.objects.exists()


def test_build_answers_builds_every_published_sheet_and_drops_other_builds(examplumab):
    StoredAnswer.objects.all().delete()
    old = dict(path=SHEET, scope="sheet-examplumab", generation="g", everything="e", status=200, headers="[]")
    StoredAnswer.objects.create(key="k", build="an old build", body=b"old words", **old)
    call_command("build_answers", stdout=io.StringIO())
    versions = {f"{SHEET}versions/", f"{SHEET}versions/1/", f"{API}versions/1/"}
    assert set(StoredAnswer.objects.values_list("path", flat=True)) == {SHEET, API, *versions}
    assert not StoredAnswer.objects.filter(build="an old build").exists()


@pytest.mark.django_db(transaction=True)  # committed: forked workers read and write through their own connections
def test_build_answers_jobs_share_the_sheets_among_worker_processes(author, reviewer1, reviewer2, committee, forks):
    titles = ("Alphamab shared", "Betamab shared", "Gammamab shared")
    for title in titles:
        make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee, title=title)
    StoredAnswer.objects.all().delete()
    cache.clear()  # as after a deploy: nothing the response cache holds is this build's
    out = io.StringIO()
    call_command("build_answers", "--jobs", "2", stdout=out)
    # On an in-memory SQLite database a forked worker would write to its own copy: the command stays in this process.
    assert len(forks) == (2 if connection.vendor == "postgresql" else 0)
    stored = StoredAnswer.objects.filter(status=200)
    assert stored.values("scope").distinct().count() == 3 and "Stored 18 answers for 3 sheets" in out.getvalue()
    pages = [bytes(a.body) for a in stored.filter(path__regex=r"^/factsheets/[-\w]+/$")]
    assert sorted(title for title in titles for body in pages if title.encode() in body) == list(titles)


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_build_answers_refuses_jobs_below_one_and_builds_nothing(examplumab, jobs):
    StoredAnswer.objects.all().delete()
    with pytest.raises(CommandError, match="--jobs"):
        call_command("build_answers", "--jobs", jobs)
    assert not StoredAnswer.objects.exists()


def test_build_answers_refuses_an_unknown_sheet_and_builds_nothing(examplumab):
    with pytest.raises(CommandError, match="no-such-sheet"):
        call_command("build_answers", "examplumab", "no-such-sheet")
    assert not StoredAnswer.objects.exists()


def test_made_up_addresses_add_no_rows(app, django_app, examplumab):
    before = AnswerGeneration.objects.count()
    for number in range(5):
        assert get(app, f"/factsheets/no-such-sheet-{number}/")[0] == 404
    assert AnswerGeneration.objects.count() == before and not StoredAnswer.objects.exists()


def _environ(path, **headers):
    return RequestFactory().get(path, **headers).environ


@pytest.mark.postgres
def test_on_postgresql_the_lookup_is_a_prepared_statement(examplumab):
    """Planned once per connection, not on every cold request."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    key, scope = answers.request_key(_environ(SHEET))
    for _ in range(6):
        answers.find(key, scope)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%storedanswer%"])
        assert cursor.fetchone()[0] == 1


def test_an_answer_served_from_the_response_cache_is_never_stored(app, django_app, examplumab, publish_version_two):
    """Between a publish's commit and its cache renewal the response cache may still serve the old page; that
    answer must not be stored under the database's new generation, where it would outlive the renewal."""
    get(django_app, SHEET)  # Django alone: the response cache holds version one, nothing is stored
    # committed, its on_commit work (the cache renewal) not run yet
    publish_version_two()
    assert b"Examplumab version one" in get(app, SHEET)[2]  # the window the renewal closes
    assert not StoredAnswer.objects.filter(path=SHEET).exists()
    sheet_cache.content_changed("examplumab")
    assert b"Examplumab version two" in get(fresh_worker(django_app), SHEET)[2]


def test_after_a_deploy_the_response_cache_serves_nothing_of_the_old_build(
    client, examplumab, monkeypatch, django_assert_max_num_queries
):
    client.get(SHEET)
    with django_assert_max_num_queries(0):
        client.get(SHEET)
    monkeypatch.setattr(answers, "build_stamp", lambda: "anotherbuild")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SHEET).status_code == 200
    assert len(queries) > 0  # built afresh


def test_publishing_a_translation_builds_its_page_and_a_draft_is_never_stored(
    app, django_app, examplumab, author, reviewer1, reviewer2, reviewer3, django_capture_on_commit_callbacks
):
    translators = make_translation_committee(reviewer1, reviewer2, reviewer3)
    with django_capture_on_commit_callbacks(execute=True):
        make_published_translation(
            author=author, english=examplumab, reviewers=[reviewer1, reviewer2], committee=translators
        )
    spanish = StoredAnswer.objects.get(path="/es/factsheets/examplumab/")
    assert spanish.status == 200 and SPANISH_TEXT["title"].encode() in bytes(spanish.body)
    make_translation(author=author, english=examplumab, text={**SPANISH_TEXT, "title": "Zqborrador sin firmar"})
    assert not [answer.path for answer in StoredAnswer.objects.all() if b"Zqborrador" in bytes(answer.body)]
    assert b"Zqborrador" not in get(fresh_worker(django_app), "/es/factsheets/examplumab/")[2]


def test_a_repeat_of_a_sheet_is_answered_from_the_copy_with_one_query_and_no_cache_read(
    app, django_app, examplumab, monkeypatch, django_assert_num_queries
):
    first = get(app, SHEET)

    def no_cache(*args, **kwargs):
        raise AssertionError("the shared cache was read")

    monkeypatch.setattr(cache, "get_many", no_cache)
    monkeypatch.setattr(cache, "get", no_cache)
    with django_assert_num_queries(1):  # the generations; the stored bytes are not sent again
        again = get(app, SHEET)
    assert again == first and django_app.calls == 1


def test_a_publish_reaches_this_workers_copy_at_the_next_request_before_any_cache_renewal(
    app, django_app, examplumab, publish_version_two
):
    get(app, SHEET)
    assert b"Examplumab version one" in get(app, SHEET)[2] and django_app.calls == 1
    # committed; its on_commit work (cache renewal, building) not run
    publish_version_two()
    cache.clear()  # and the response cache lost its entry, so Django renders the new version
    body = get(app, SHEET)[2]
    assert b"Examplumab version two" in body and b"Examplumab version one" not in body


def test_a_withdrawal_reaches_this_workers_copy_at_the_next_request(
    app, django_app, examplumab, editor, django_capture_on_commit_callbacks
):
    get(app, SHEET)
    get(app, SHEET)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=examplumab.fact_sheet, by=editor, reason="Replaced by a newer sheet.")
    status, _, body = get(app, SHEET)
    assert status == 410 and b"Replaced by a newer sheet." in body


def test_the_build_stamp_is_the_same_under_an_unrelated_override():
    """load_demo publishes under override_settings(EMAIL_BACKEND=...): what it builds is served afterwards."""
    from django.test.utils import override_settings

    answers.build_stamp.cache_clear()
    try:
        outside = answers.build_stamp()
        answers.build_stamp.cache_clear()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            inside = answers.build_stamp()
    finally:
        answers.build_stamp.cache_clear()
    assert inside == outside


def test_the_apps_own_requests_share_one_handler_until_a_setting_changes(examplumab, monkeypatch, settings):
    """A new handler loads the middleware again (WhiteNoise then reads every static file's metadata): a publish's
    builds and an export's reads use the process's one, and a changed setting (a test's override) gets a new one."""
    loaded = []
    load = ClientHandler.load_middleware

    def counted(self, *args, **kwargs):
        loaded.append(self)
        return load(self, *args, **kwargs)

    monkeypatch.setattr(ClientHandler, "load_middleware", counted)
    answers._shared_handler.cache_clear()
    assert [answers.site_client().get(path).status_code for path in (SHEET, API, SHEET)] == [200, 200, 200]
    assert len(loaded) == 1
    settings.FACTSHEETS_DISCLAIMER = "A changed disclaimer."
    assert answers.site_client().get(SHEET).status_code == 200 and len(loaded) == 2
