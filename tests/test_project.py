"""Project-wide checks: migrations match the models, production settings refuse to start without a key."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


def test_migrations_match_the_models(db):
    # Exits with SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def run_settings(**env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_mode_starts_with_a_secret_key():
    result = run_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="a-real-secret-key-for-this-test-only-0123456789")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def _make_plan(target: str) -> str:
    """The commands `make <target>` would run from scratch (-B: as on a fresh clone), without running them."""
    return subprocess.run(["make", "-n", "-B", target], cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout


def test_make_run_installs_the_runtime_only():
    plan = _make_plan("run")
    assert "-r requirements.txt" in plan
    assert "requirements-dev.txt" not in plan  # no pytest, Playwright or schemathesis for a newcomer's server


def test_make_test_adds_the_test_tools():
    plan = _make_plan("test")
    assert "-r requirements.txt" in plan and "-r requirements-dev.txt" in plan and "pytest" in plan
