"""Workers hear of renewals (factsheets.public.renewals, PostgreSQL LISTEN/NOTIFY): a repeat of a sheet whose copy
is current costs no query, and a publish or withdrawal reaches the copy as soon as PostgreSQL delivers the
notification of its committed transaction. Committed transactions (the notifications of a test's own transaction
are never delivered), so PostgreSQL only."""

import logging
import time

import pytest

from factsheets.public import renewals
from reviews import services
from tests.factsheets.wsgi_app import get

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHEET = "/factsheets/examplumab/"


def until(predicate, seconds=2.0):
    """The first answer `predicate` accepts, polling for at most `seconds` (a notification is delivered after
    the commit, usually at once)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = predicate()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.01)


def test_a_repeat_of_a_current_copy_costs_no_query(listening, app, django_app, examplumab, django_assert_num_queries):
    first = get(app, SHEET)
    get(app, SHEET)  # reads the generations once, after listening started
    with django_assert_num_queries(0):
        assert get(app, SHEET) == first
    assert django_app.calls == 0  # the publish built the stored answer


def test_a_publish_reaches_the_copy_when_postgresql_announces_it(
    listening, app, django_app, examplumab, publish_version_two
):
    get(app, SHEET)
    get(app, SHEET)
    publish_version_two()

    def second_version():
        body = get(app, SHEET)[2]
        return body if b"Examplumab version two" in body else None

    body = until(second_version)
    assert body and b"Examplumab version one" not in body


def test_a_withdrawal_reaches_the_copy_when_postgresql_announces_it(listening, app, django_app, examplumab, editor):
    get(app, SHEET)
    get(app, SHEET)
    services.factsheet_withdraw(fact_sheet=examplumab.fact_sheet, by=editor, reason="Replaced by a newer sheet.")
    assert until(lambda: get(app, SHEET)[0] == 410)


def test_a_rolled_back_renewal_announces_nothing_and_changes_nothing(listening, app, django_app, examplumab):
    from django.db import transaction

    from factsheets.public import answers

    first = get(app, SHEET)
    get(app, SHEET)
    with pytest.raises(RuntimeError), transaction.atomic():
        answers.renew("examplumab")
        raise RuntimeError("the publish failed")
    assert get(app, SHEET) == first and listening.known(answers.scope_of("examplumab"))[0] is not None


def test_a_lost_listening_connection_is_logged_and_every_request_reads_again(
    listening, app, django_app, examplumab, monkeypatch, caplog, django_assert_num_queries
):
    get(app, SHEET)
    get(app, SHEET)
    monkeypatch.setattr(renewals, "RETRY_AFTER", 60.0)
    listening._listener.close()  # as a PostgreSQL restart would leave it
    with caplog.at_level(logging.ERROR, logger="factsheets.public.renewals"):
        with django_assert_num_queries(1):  # the generations, read again
            get(app, SHEET)
    assert "Stopped listening for renewed answers" in caplog.text
    with django_assert_num_queries(1):
        get(app, SHEET)


def test_a_forked_worker_listens_on_its_own_connection(listening, app, django_app, examplumab, monkeypatch):
    get(app, SHEET)
    parents = listening._listener
    monkeypatch.setattr(renewals.os, "getpid", lambda: -1)
    get(app, SHEET)
    assert listening._listener is not None and listening._listener is not parents
    assert not parents.closed  # never closed from the child: that would end the parent's session
    assert listening._inherited == [parents]
    parents.close()
