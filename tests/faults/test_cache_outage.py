"""Redis stopped: public pages, the API, the admin and the workflow still answer (from the database),
and the cache errors are logged instead of raised (config.cache.DegradingRedisCache)."""

import logging
import os

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from reviews import services
from reviews.models import Decision
from tests.factories import PASSWORD, make_draft, make_published

DEAD_REDIS = "redis://127.0.0.1:6399/0"  # nothing listens here
LIVE_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def degrading(location: str) -> dict:
    return {
        "default": {"BACKEND": "config.cache.DegradingRedisCache", "LOCATION": location, "KEY_PREFIX": "fault-test"}
    }


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(author=author, reviewers=[reviewer1, reviewer2], committee=committee)


def test_with_redis_down_every_kind_of_page_still_answers(client, live, editor, caplog):
    slug = live.fact_sheet.slug
    with override_settings(CACHES=degrading(DEAD_REDIS)), caplog.at_level(logging.ERROR, logger="config.cache"):
        for url in [
            "/",
            f"/factsheets/{slug}/",
            f"/factsheets/{slug}/versions/",
            "/search/?q=exam",
            "/feed/",
            "/api/v1/factsheets/",
            f"/api/v1/factsheets/{slug}/",
            "/api/v1/conditions/",
            "/api/schema/",
            "/healthz",
        ]:
            assert client.get(url).status_code == 200, url
        assert client.get("/healthz").json()["status"] == "degraded"
        client.force_login(editor)
        for url in [
            reverse("admin:index"),
            reverse("admin:factsheets_factsheet_changelist"),
            reverse("reviews:sheet_versions", args=[live.fact_sheet_id]),
        ]:
            assert client.get(url).status_code == 200, url
    assert any("Cache unavailable" in record.getMessage() for record in caplog.records)


def test_with_redis_down_a_reviewer_can_still_sign(client, author, reviewer1, committee):
    review = services.revision_submit(
        revision=make_draft(author=author), by=author, committee=committee, justification="x"
    )
    with override_settings(CACHES=degrading(DEAD_REDIS)):
        client.force_login(reviewer1)
        response = client.post(
            reverse("reviews:review", args=[review.pk]),
            {"verdict": "approve", "comment": "", "conflict": "none", "conflict_text": "", "password": PASSWORD},
        )
    assert response.status_code == 302
    assert Decision.objects.filter(review=review, reviewer=reviewer1).exists()


def test_djangos_own_redis_cache_raises_on_the_same_outage():
    """Why the degrading backend exists: the stock backend turns the outage into an exception."""
    import redis

    stock = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=stock), pytest.raises(redis.exceptions.ConnectionError):
        cache.get("anything")


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {LIVE_REDIS}")
def test_with_redis_up_the_degrading_cache_is_an_ordinary_cache():
    with override_settings(CACHES=degrading(LIVE_REDIS)):
        cache.set("fault-key", {"a": 1}, 30)
        assert cache.get("fault-key") == {"a": 1}
        assert cache.add("fault-key", "other") is False
        cache.set("fault-count", 0, 30)
        assert cache.incr("fault-count") == 1
        cache.delete_many(["fault-key", "fault-count"])
        assert cache.get("fault-key") is None


def test_one_redis_client_serves_every_cache_call_of_a_process():
    """Django's client builds a redis.Redis per call (most of a cached page's cost); ours keeps one per pool."""
    with override_settings(CACHES=degrading(DEAD_REDIS)):
        backend = cache._cache
        assert backend.get_client("a") is backend.get_client("b") is backend.get_client("c", write=True)
        assert cache.get("anything") is None  # and the outage still reads as a miss through it


@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis at {LIVE_REDIS}")
def test_a_withdrawal_renews_the_generations_even_while_this_process_pauses_redis():
    """After a failed call this process skips Redis for a few seconds; a change must still reach every server."""
    from factsheets.public import cache as sheet_cache

    with override_settings(CACHES=degrading(LIVE_REDIS)):
        before = sheet_cache.current_generation("/factsheets/examplumab/")
        assert sheet_cache.current_generation("/factsheets/examplumab/") == before
        cache._down_until = float("inf")  # as just after a failed call
        sheet_cache.content_changed("examplumab")
        cache._down_until = 0.0  # the pause over: what do the other servers read?
        assert sheet_cache.current_generation("/factsheets/examplumab/") != before
        cache.clear()


def test_a_change_that_cannot_renew_the_generations_is_logged(caplog):
    from factsheets.public import cache as sheet_cache

    with override_settings(CACHES=degrading(DEAD_REDIS)), caplog.at_level(logging.ERROR):
        sheet_cache.content_changed("examplumab")
    assert any("Could not renew the cache generations" in r.getMessage() for r in caplog.records)
