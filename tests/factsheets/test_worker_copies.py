"""A worker's copies of public answers (config.worker_copies, around the Django application in
config.wsgi): a repeat anonymous request is answered before Django with the same bytes and headers, a publish or
withdrawal reaches it at the next request, and nothing the response cache would not answer is ever copied."""

import json
import logging
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from config import worker_copies
from reviews import services
from tests.factsheets.wsgi_app import get

SHEET = "/factsheets/examplumab/"
API = "/api/v1/factsheets/examplumab/"


@pytest.fixture(autouse=True)
def copies_alone(settings):
    """The copies on their own: a sheet's answer stored in the database (test_stored_answers.py) would answer
    the misses these tests count."""
    settings.FACTSHEETS_STORED_ANSWERS = False


@pytest.mark.parametrize("url", [SHEET, API, "/", "/factsheets/examplumab/versions/", "/api/v1/factsheets/"])
def test_a_repeat_is_answered_from_the_copy_with_the_same_bytes_and_headers(
    app, django_app, examplumab, url, django_assert_num_queries
):
    first = get(app, url)
    assert first[0] == 200 and django_app.calls == 1
    with django_assert_num_queries(0):
        again = get(app, url)
    assert django_app.calls == 1
    assert again == first
    assert again[1]["x-frame-options"] == "DENY" and "content-security-policy" in again[1]


def test_a_copy_is_made_of_the_shared_cache_hit_too(app, django_app, examplumab):
    """Another worker stored the answer; this one copies it when it serves it from the shared cache."""
    other_worker = worker_copies.PublicCopies(django_app)
    first = get(other_worker, SHEET)
    assert get(app, SHEET) == first and django_app.calls == 2
    assert get(app, SHEET) == first and django_app.calls == 2


def test_a_withdrawal_reaches_the_copy_at_the_next_request(
    app, django_app, examplumab, editor, django_capture_on_commit_callbacks
):
    get(app, SHEET)
    assert get(app, SHEET)[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=examplumab.fact_sheet, by=editor, reason="Replaced by a newer sheet.")
    status, _, body = get(app, SHEET)
    assert status == 410 and django_app.calls == 2
    assert b"Replaced by a newer sheet." in body
    assert get(app, SHEET)[0] == 410 and django_app.calls == 2  # the 410 is copied as well


def test_a_new_generation_in_the_shared_cache_is_never_answered_from_an_old_copy(app, django_app, examplumab):
    get(app, SHEET)
    cache.clear()  # the generation is gone (a Redis flush or restart): no copy can be vouched for
    get(app, SHEET)
    assert django_app.calls == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_IF_NONE_MATCH": '"x"'},
        {"HTTP_IF_MODIFIED_SINCE": "Wed, 01 Jan 2025 00:00:00 GMT"},
        {"HTTP_IF_MATCH": '"nope"'},
        {"HTTP_IF_UNMODIFIED_SINCE": "Sat, 01 Jan 2000 00:00:00 GMT"},
        {"method": "HEAD"},
    ],
    ids=["signed-in", "if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "head"],
)
def test_requests_a_copy_must_not_answer_go_to_django(app, django_app, examplumab, headers):
    get(app, SHEET)
    get(app, SHEET, **headers)
    get(app, SHEET, **headers)
    assert django_app.calls == 3


def test_staff_pages_and_not_found_are_never_copied(app, django_app, examplumab):
    for url in ("/admin/login/", "/factsheets/no-such-sheet/"):
        statuses = {get(app, url)[0], get(app, url)[0]}
        assert statuses <= {200, 404}
    assert django_app.calls == 4


def test_an_answer_with_cors_headers_is_kept_apart_from_one_without(app, django_app, examplumab):
    plain = get(app, API)
    partner = get(app, API, HTTP_ORIGIN="https://partner.example")
    assert "access-control-allow-origin" not in plain[1]
    assert partner[1]["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in get(app, API)[1]
    assert django_app.calls == 2


def test_the_api_language_asked_for_is_part_of_the_key(app, django_app, examplumab):
    english = get(app, API, HTTP_ACCEPT_LANGUAGE="en")
    spanish_wanted = get(app, API, HTTP_ACCEPT_LANGUAGE="es")  # the view negotiates it: not the English copy
    assert django_app.calls == 2
    assert get(app, API, HTTP_ACCEPT_LANGUAGE="en") == english
    assert get(app, API, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9") == spanish_wanted
    assert django_app.calls == 2


def test_a_rate_limited_address_always_reaches_django_and_is_counted(app, django_app, examplumab, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    statuses = [get(app, API)[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert django_app.calls == 4
    get(app, SHEET)
    get(app, SHEET)
    assert django_app.calls == 5  # the pages have no rate limit: copied


def test_copies_stay_within_their_byte_budget(app, django_app, examplumab, settings):
    size = len(get(app, SHEET)[2])
    settings.FACTSHEETS_WORKER_COPY_BYTES = size * 8 + 100  # room for one sheet page, not for two answers
    app.copies = worker_copies._Copies()
    get(app, SHEET)
    get(app, "/factsheets/examplumab/versions/")
    assert app.copies.size <= settings.FACTSHEETS_WORKER_COPY_BYTES
    settings.FACTSHEETS_WORKER_COPY_BYTES = size * 4  # a body over an eighth is not copied at all
    app.copies = worker_copies._Copies()
    get(app, SHEET)
    assert app.copies.size == 0


def test_no_copies_when_turned_off(app, django_app, examplumab, settings):
    settings.FACTSHEETS_WORKER_COPY_BYTES = 0
    get(app, SHEET)
    get(app, SHEET)
    assert django_app.calls == 2


def test_an_expired_copy_is_not_answered(app, django_app, examplumab, monkeypatch):
    get(app, SHEET)
    clock = worker_copies.time.time
    monkeypatch.setattr(worker_copies.time, "time", lambda: clock() + 3600)
    get(app, SHEET)
    assert django_app.calls == 2


def test_a_copy_never_outlives_the_shared_entry_it_was_made_from(django_app, examplumab, settings, monkeypatch):
    """Worker B copies, late in its life, an entry worker A stored: B's copy expires with that entry."""
    worker_a, worker_b = worker_copies.PublicCopies(django_app), worker_copies.PublicCopies(django_app)
    clock, offset = worker_copies.time.time, {"seconds": 0}
    monkeypatch.setattr(worker_copies.time, "time", lambda: clock() + offset["seconds"])
    get(worker_a, SHEET)  # stored in the shared cache at t
    offset["seconds"] = settings.FACTSHEETS_CACHE_SECONDS - 10
    get(worker_b, SHEET)  # a shared hit at t + 290: copied until t + 300 only
    assert django_app.calls == 2
    get(worker_b, SHEET)
    assert django_app.calls == 2
    offset["seconds"] = settings.FACTSHEETS_CACHE_SECONDS + 1
    get(worker_b, SHEET)
    assert django_app.calls == 3


def test_a_server_editing_the_headers_it_is_given_does_not_change_the_copy(app, examplumab):
    get(app, SHEET)
    environ = RequestFactory().get(SHEET).environ
    app(environ, lambda status, headers, exc_info=None: headers.append(("Connection", "close")))
    assert "connection" not in get(app, SHEET)[1]


def test_an_answer_from_the_copy_logs_its_request_line(app, examplumab, caplog):
    get(app, SHEET)
    logger = logging.getLogger("factsheets.requests")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="factsheets.requests"):
            caplog.clear()
            get(app, SHEET)
    finally:
        logger.removeHandler(caplog.handler)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "factsheets.requests"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [("GET", SHEET, 200)]


@pytest.mark.parametrize(
    "header, reaching_django",
    [
        (("Set-Cookie", "csrftoken=abc; Path=/"), 2),
        (("Vary", "Accept-Language, Cookie"), 2),
        (("Vary", "User-Agent"), 2),
        (("Vary", "Accept-Language, Origin"), 1),  # both in the key: copied
    ],
)
def test_an_answer_that_sets_a_cookie_or_varies_on_unkeyed_headers_is_never_copied(header, reaching_django):
    calls = []

    def marked_answer(environ, start_response):  # an answer the response cache (wrongly) marked as stored
        calls.append(1)
        environ[worker_copies.STORED_UNDER] = ("the-generation", worker_copies.time.time() + 60)
        start_response("200 OK", [("Content-Type", "text/html"), header])
        return [b"page"]

    app = worker_copies.PublicCopies(marked_answer)
    with mock.patch.object(worker_copies.sheet_cache, "current_generation", return_value="the-generation"):
        assert get(app, SHEET)[2] == b"page" and get(app, SHEET)[2] == b"page"
    assert len(calls) == reaching_django


def test_the_served_application_is_wrapped():
    from config import wsgi

    assert isinstance(wsgi.application, worker_copies.PublicCopies)
