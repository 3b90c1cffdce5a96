"""A worker killed in the middle of a publish leaves no half-published state: the final approval, the new
live version, the superseded one and the sheet's pointer are one transaction, so the database keeps the
state from before the signature, and signing again then publishes normally."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
BEFORE = {
    "review_status": "open",
    "revision_status": "in_review",
    "revision_published_at": "None",
    "decisions": 1,
    "live_number": 1,
    "live_status": "published",
    "published_count": 1,
}


def worker(database_url: str, *args: str, expect_killed: bool = False) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.test")
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.publish_worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if expect_killed:
        assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr[-3000:])
    else:
        assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_publish_killed_midway_on_sqlite_leaves_the_sheet_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    ids = json.loads(worker(url, "prepare"))
    worker(url, "sign", str(ids["review"]), str(ids["final_reviewer"]), expect_killed=True)
    state = json.loads(worker(url, "report", str(ids["review"])))
    assert {k: state[k] for k in BEFORE} == BEFORE


def postgres_test_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_publish_killed_midway_on_postgresql_is_rolled_back_and_can_be_signed_again():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    from django.contrib.auth import get_user_model

    from reviews import services
    from reviews.models import Review
    from tests.faults.publish_worker import build_state, report
    from tests.factories import PASSWORD

    ids = build_state()
    worker(postgres_test_database_url(), "sign", str(ids["review"]), str(ids["final_reviewer"]), expect_killed=True)
    state = report(ids["review"])
    assert {k: state[k] for k in BEFORE} == BEFORE

    # Nothing left locked or half-done: the same signature, given again, publishes version 2.
    reviewer = get_user_model().objects.get(pk=ids["final_reviewer"])
    services.review_sign(review=Review.objects.get(pk=ids["review"]), by=reviewer, verdict="approve", password=PASSWORD)
    after = report(ids["review"])
    assert (after["revision_status"], after["live_number"], after["published_count"], after["decisions"]) == (
        "published",
        2,
        1,
        2,
    )
