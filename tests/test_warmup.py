"""A fresh gunicorn worker warms itself on the public pages before serving; a failure never stops it."""

import gc
import importlib.util
from pathlib import Path

from django.db import DatabaseError

from config import warmup
from tests.factories import FactSheetFactory, make_published


def test_warm_answers_the_index_a_sheet_and_its_api_document(
    author, reviewer1, reviewer2, committee, client, django_assert_num_queries
):
    make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
    )
    statuses = warmup.warm()
    assert statuses == {
        "/": 200,
        "/api/v1/factsheets/?page_size=1": 200,
        "/factsheets/examplumab/": 200,
        "/api/v1/factsheets/examplumab/": 200,
        "/factsheets/examplumab/versions/": 200,
    }
    with django_assert_num_queries(0):  # the first reader is served from what the warm-up stored
        assert client.get("/factsheets/examplumab/").status_code == 200


def test_a_failed_warm_up_is_logged_not_raised(db, monkeypatch, caplog):
    def down():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(warmup, "warm_paths", down)
    assert warmup.warm() == {}
    assert "worker warm-up skipped: connection refused" in caplog.text


def test_gunicorn_recycles_rarely_with_jitter_and_warms_each_worker(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.max_requests >= 100_000 and conf.max_requests_jitter >= conf.max_requests // 20
    called = []
    monkeypatch.setattr(warmup, "warm", lambda log: called.append(log))
    try:
        conf.post_worker_init(type("Worker", (), {"log": "worker-log"})())
        assert called == ["worker-log"]
        # What the warmed worker holds is out of the collector's reach: a full collection walks only what came after.
        assert gc.get_freeze_count() > 10_000
        gc.unfreeze()
        conf.pre_fork(None, None)  # in the master, before each worker is forked
        assert gc.get_freeze_count() > 10_000
        gc.collect()  # what survives it lands in the oldest generation, beside the frozen objects
        assert len(gc.get_objects(2)) < gc.get_freeze_count() // 10
    finally:
        gc.unfreeze()


def test_nothing_is_warmed_for_an_app_that_is_not_django(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(apps, "ready", False)
    assert warmup.warm() == {}
