"""PostgreSQL restarted (every connection dropped): the app recovers by itself. A persistent connection is
health-checked before a request reuses it (CONN_HEALTH_CHECKS), so the first request after the drop is
answered too; without the check that request fails."""

import io
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def call(app, path: str) -> int:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    status = []
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return int(status[0].split()[0])


def drop_every_connection() -> None:
    """What a PostgreSQL restart does to the app's connections: terminated from another session."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [s["NAME"]],
        )


@pytest.fixture
def persistent_connection():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    saved = {key: connection.settings_dict.get(key) for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=60)
    yield connection.settings_dict
    connection.close()
    connection.settings_dict.update(saved)


def test_requests_after_every_connection_was_dropped_are_answered(persistent_connection):
    persistent_connection["CONN_HEALTH_CHECKS"] = True
    app = get_wsgi_application()
    assert call(app, "/healthz") == 200
    drop_every_connection()
    assert [call(app, "/healthz") for _ in range(3)] == [200, 200, 200]


def test_without_the_health_check_the_first_request_after_the_drop_fails(persistent_connection):
    persistent_connection["CONN_HEALTH_CHECKS"] = False
    app = get_wsgi_application()
    assert call(app, "/healthz") == 200
    drop_every_connection()
    statuses = [call(app, "/healthz") for _ in range(3)]
    assert statuses[0] != 200 and statuses[1:] == [200, 200]


def test_the_settings_turn_the_health_check_on():
    from config.settings import base

    assert base.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
