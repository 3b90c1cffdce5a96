"""Production settings and serving: deploy checks, security headers, CSP, login lockout, /healthz, request log,
request limits and the search throttle."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def production_env(**extra):
    return {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **extra}


def test_check_deploy_reports_nothing_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_stays_quiet_when_the_proxy_does_the_https_redirect():
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_flags_a_weak_secret_key():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_local_development_stays_on_plain_http():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_DEBUG="1")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0"]


def test_production_settings_are_secure_by_default():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        **production_env(DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https"),
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True True True True DENY ('HTTP_X_FORWARDED_PROTO', 'https')"


# Headers ------------------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_public_pages_send_security_headers(client):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_public_csp_allows_no_inline_script_or_style(client):
    directives = csp_directives(client.get("/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(sum(directives.values(), []))


@pytest.mark.django_db
def test_admin_csp_relaxes_inline_styles_only(client):
    directives = csp_directives(client.get(reverse("admin:login")))
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_healthz_is_served_over_http_even_when_https_is_enforced(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301


# Login rate limiting ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(client, editor):
    url = reverse("admin:login")
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        for _ in range(3):
            response = client.post(url, {"username": "editor", "password": "wrong password"})
        assert response.status_code == 429
        response = client.post(url, {"username": "editor", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.content.decode()
        assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_admin_login_works_below_the_failure_limit(client, editor):
    url = reverse("admin:login")
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        client.post(url, {"username": "editor", "password": "wrong password"})
        response = client.post(url, {"username": "editor", "password": PASSWORD})
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(editor.pk)


# /healthz -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}, "failed": []}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    from django.db.utils import OperationalError

    broken = mock.MagicMock(side_effect=OperationalError("connection refused"))
    with mock.patch("config.health.connection.cursor", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"] == {"database": "failed", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_failed_cache_as_degraded_but_stays_in_service(client):
    with mock.patch("config.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["failed"] == ["cache"]


@pytest.mark.django_db
def test_healthz_reports_a_cache_that_loses_writes_as_degraded(client):
    with mock.patch("config.health.cache.get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["failed"] == ["cache"]


# Request log --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_logs_one_json_line(client, caplog):
    logger = logging.getLogger("factsheets.requests")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="factsheets.requests"):
            client.get("/factsheets/no-such-sheet/?q=1")
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "factsheets.requests"]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["method"] == "GET"
    assert entry["path"] == "/factsheets/no-such-sheet/"
    assert entry["status"] == 404
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0


def test_request_log_line_is_json_whatever_the_path(caplog):
    """The line is written out by hand (it runs for every request): quotes, backslashes, control and non-ASCII
    characters in a path must still give one JSON object with the path as it was."""
    from config.middleware import log_request

    path = '/factsheets/"quoted"\\back\nslash-caf\u00e9-\u2603/'
    logger = logging.getLogger("factsheets.requests")
    logger.addHandler(caplog.handler)
    try:
        with (
            caplog.at_level(logging.INFO, logger="factsheets.requests"),
            mock.patch("time.perf_counter", return_value=12.0),
        ):
            log_request("GET", path, 410, 10.0)
    finally:
        logger.removeHandler(caplog.handler)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "factsheets.requests"]
    expected = {"event": "request", "method": "GET", "path": path, "status": 410, "duration_ms": 2000.0}
    assert line == json.dumps(expected, separators=(",", ":"))  # the text json.dumps wrote before
    assert json.loads(line) == expected


def test_request_log_goes_to_stdout():
    from django.conf import settings

    handler = settings.LOGGING["handlers"][settings.LOGGING["loggers"]["factsheets.requests"]["handlers"][0]]
    assert handler["stream"] == "ext://sys.stdout"


def test_gunicorn_config_reads_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == ["0.0.0.0:9000"]
    assert config["workers"] == 3
    assert config["accesslog"] == "-"


# Limits -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_oversized_request_body_is_refused_with_400(client):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000):
        response = client.post(reverse("admin:login"), {"username": "x" * 20_000, "password": "y"})
    assert response.status_code == 400
    assert "too large" in response.content.decode()


@pytest.mark.django_db
def test_too_many_form_fields_are_refused_with_400(client):
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=50):
        response = client.post(reverse("admin:login"), {f"field{i}": "x" for i in range(100)})
    assert response.status_code == 400


@pytest.mark.django_db
def test_search_is_throttled_per_client_address(client, monkeypatch):
    # The search limit is a DRF throttle rate (scope "search"); DRF reads the rates into the class at import.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None, "search": "3/min"})
    statuses = [client.get("/search/", {"q": "pain"}).status_code for _ in range(4)]
    other = client.get("/search/", {"q": "pain"}, REMOTE_ADDR="10.0.0.9")
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    assert other.status_code != 429


@pytest.mark.django_db
def test_throttled_search_says_when_to_retry(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None, "search": "1/min"})
    client.get("/search/")
    response = client.get("/search/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many searches" in response.content.decode()


def test_force_login_without_a_client_address_is_recorded(db, author, client, settings):
    """force_login's request has no REMOTE_ADDR; axes must record the login, not crash on PostgreSQL's inet."""
    from axes.models import AccessLog

    settings.AXES_ENABLED = True
    client.force_login(author)
    assert AccessLog.objects.filter(username=author.username, ip_address__isnull=True).exists()


def test_production_without_redis_shares_one_cache_between_worker_processes(tmp_path):
    """Without REDIS_URL every gunicorn worker must still see the same cache, or a withdrawal made through
    one worker would leave the others serving the old page."""
    code = (
        "import django; django.setup(); from django.core.cache import cache; "
        "import sys; sys.argv[1:] and cache.set('shared-probe', sys.argv[1]); print(cache.get('shared-probe'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_CACHE_DIR=str(tmp_path), **production_env())
    writer = subprocess.run(
        [sys.executable, "-c", code, "set-by-one-process"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    reader = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert writer.returncode == 0 and reader.returncode == 0, writer.stderr + reader.stderr
    assert reader.stdout.strip() == "set-by-one-process"


def test_manage_py_on_an_unconfigured_checkout_runs_in_development_mode():
    """`python manage.py check` on a fresh clone works; with DJANGO_DEBUG=0 it still demands a key."""
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
