"""Past one machine: two app server processes (gunicorn, production settings) share PostgreSQL and Redis.
A publish done in this process is served by both at once; a withdrawal makes both answer 410.

Runs only on PostgreSQL with Redis reachable (skipped on SQLite runs): `DATABASE_URL=postgres://... pytest`.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import override_settings

from factsheets.content.services import revision_start_draft
from reviews import services
from tests.factories import PASSWORD, FactSheetFactory, make_published

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def on_postgres() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."),
    pytest.mark.skipif(on_postgres() and not redis_answers(), reason=f"needs Redis at {REDIS_URL}"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict  # the test database pytest-django created (test_<name>)
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=uuid.uuid4().hex * 2,
        DJANGO_STATIC_ROOT=str(root),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    return root


@pytest.fixture
def shared_cache():
    prefix = f"hardening-test-{uuid.uuid4().hex[:8]}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        yield prefix
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def two_servers(static_root, shared_cache, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=uuid.uuid4().hex * 2,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_CACHE_PREFIX=shared_cache,
        DJANGO_CONN_MAX_AGE="0",
        DATABASE_URL=database_url(),
        REDIS_URL=REDIS_URL,
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESSLOG="",
    )
    servers = []
    for _ in range(2):
        port = free_port()
        log = open(tmp_path / f"server-{port}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append((port, process, log))
    try:
        deadline = time.monotonic() + 60
        for port, process, log in servers:
            while True:
                assert process.poll() is None, (tmp_path / f"server-{port}.log").read_text()
                try:
                    if get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / f"server-{port}.log").read_text()
                time.sleep(0.2)
        yield [port for port, _, _ in servers]
    finally:
        for _, process, log in servers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_serve_a_publish_and_a_withdrawal_at_once(
    author, reviewer1, reviewer2, committee, editor, two_servers, monkeypatch
):
    # Committed transactions run the e-mail hooks; mail is not what this test is about.
    for hook in ("review_opened", "decision_recorded", "revision_published"):
        monkeypatch.setattr(services.notifications, hook, lambda *args, **kwargs: None)
    sheet = FactSheetFactory(slug="sharedumab")
    v1 = make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=sheet,
        title="Sharedumab, first words",
    )
    for port in two_servers:  # both servers have read (and may have cached) version 1
        for _ in range(2):
            status, body = get(port, "/factsheets/sharedumab/")
            assert status == 200 and "Sharedumab, first words" in body

    draft = revision_start_draft(fact_sheet=sheet, by=author)
    draft.title = "Sharedumab, better words"
    draft._history_user = author
    draft.save()
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    for reviewer in (reviewer1, reviewer2):
        services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == "published" and v1.number == 1

    for port in two_servers:  # no waiting: the very next request on either server shows version 2
        status, body = get(port, "/factsheets/sharedumab/")
        assert status == 200
        assert "Sharedumab, better words" in body
        assert "Sharedumab, first words" not in body

    services.factsheet_withdraw(fact_sheet=sheet, by=editor, reason="Taken off the market by its maker.")
    for port in two_servers:
        status, body = get(port, "/factsheets/sharedumab/")
        assert status == 410
        assert "Taken off the market by its maker." in body
        assert "Paragraph 1 about this medicine" not in body  # the content itself is gone
