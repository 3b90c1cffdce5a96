import os

import pytest
from django.db import connection

from factsheets.models import Condition
from factsheets.public import forked, renewals
from tests.factories import FactSheetFactory, make_published
from tests.factsheets.wsgi_app import app, django_app  # noqa: F401 - fixtures: the WSGI layers around Django


@pytest.fixture
def examplumab(author, reviewer1, reviewer2, committee):
    """One live sheet, /factsheets/examplumab/, for gout (/conditions/gout/), findable as "examplumab"."""
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        generic_name="examplumab",
        conditions=[Condition.objects.create(name="Gout", slug="gout")],
        title="Examplumab version one",
    )


@pytest.fixture
def forks(monkeypatch):
    """The worker processes factsheets.public.forked started (os.fork still forks)."""
    started = []
    fork = os.fork

    def counted():
        pid = fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(forked.os, "fork", counted)
    return started


@pytest.fixture
def listening(settings, monkeypatch):
    """This process listens for renewals (factsheets.public.renewals), as a worker does on PostgreSQL; the test's
    transactions must commit for their notifications to be delivered (django_db(transaction=True))."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    settings.FACTSHEETS_ANSWER_NOTIFY = True
    heard = renewals.Renewals()
    monkeypatch.setattr(renewals, "RENEWALS", heard)
    yield heard
    heard._close()


@pytest.fixture
def publish_version_two(examplumab, author, reviewer1, reviewer2, committee):
    """Publishes version two of examplumab (for the same conditions), as the workflow does (in a test's own transaction its on_commit work
    never runs; in a committed one it does)."""

    def publish():
        return make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=examplumab.fact_sheet,
            number=2,
            title="Examplumab version two",
            conditions=examplumab.conditions.all(),
        )

    return publish
