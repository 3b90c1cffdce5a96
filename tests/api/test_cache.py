"""Cached revision JSON and the slug -> live revision pointer: fast, and never stale after a workflow change."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from factsheets.cache import forget_sheet, live_pointer_key
from reviews import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_revision_json_is_cached_under_a_key_with_revision_pk_and_content_hash(client, publish, monkeypatch):
    live = publish(slug="a")
    keys = []
    original_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *args, **kwargs: (keys.append(key), original_set(key, *args, **kwargs))[1])
    client.get("/api/v1/factsheets/a/")
    content_keys = [k for k in keys if k != live_pointer_key("a") and not k.startswith(("throttle", "public-response:"))]
    assert len(content_keys) == 1
    assert f":{live.pk}:{live.content_hash}:" in content_keys[0]
    assert cache.get(content_keys[0])["data"]["content_hash"] == live.content_hash


def test_cached_detail_makes_no_query(client, publish, django_assert_num_queries):
    publish(slug="a")
    first = client.get("/api/v1/factsheets/a/").json()
    with django_assert_num_queries(0):
        second = client.get("/api/v1/factsheets/a/").json()
    assert first == second


def test_publishing_a_new_version_shows_at_once(client, publish, publish_new_version):
    live = publish(slug="a")
    assert client.get("/api/v1/factsheets/a/").json()["version"] == 1
    publish_new_version(live.fact_sheet, title="Second version title")
    body = client.get("/api/v1/factsheets/a/").json()
    assert (body["version"], body["title"]) == (2, "Second version title")
    assert [r["version"] for r in client.get("/api/v1/factsheets/a/versions/").json()["results"]] == [2, 1]


def test_first_publication_shows_at_once_even_after_a_404_was_served(client, author, reviewer1, reviewer2, committee, on_commit):
    from tests.factories import FactSheetFactory, make_draft

    draft = make_draft(author=author, fact_sheet=FactSheetFactory(slug="new"))
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    assert client.get("/api/v1/factsheets/new/").status_code == 404  # caches "unpublished"
    for reviewer in (reviewer1, reviewer2):
        on_commit(services.review_sign, review=review, by=reviewer, verdict="approve", password=PASSWORD)
    assert client.get("/api/v1/factsheets/new/").status_code == 200


def test_withdrawal_shows_at_once(client, publish, withdraw):
    live = publish(slug="a")
    assert client.get("/api/v1/factsheets/a/").status_code == 200
    assert client.get("/api/v1/factsheets/a/versions/1/").status_code == 200
    withdraw(live.fact_sheet)
    assert client.get("/api/v1/factsheets/a/").status_code == 410
    assert client.get("/api/v1/factsheets/a/versions/1/").status_code == 410


def test_reaffirmation_moves_review_dates_at_once(client, publish, editor, committee, reviewer1, reviewer2, on_commit):
    live = publish(slug="a")
    before = client.get("/api/v1/factsheets/a/").json()
    review = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
    later = timezone.now() + dt.timedelta(days=400)
    for reviewer in (reviewer1, reviewer2):
        on_commit(services.review_sign, review=review, by=reviewer, verdict="approve", password=PASSWORD, now=later)
    after = client.get("/api/v1/factsheets/a/").json()
    assert after["last_reviewed_on"] == later.date().isoformat() != before["last_reviewed_on"]
    assert after["version"] == before["version"] and after["content_hash"] == before["content_hash"]


def test_edits_of_the_sheets_own_fields_show_once_the_pointer_is_forgotten(client, publish, settings):
    # The pointer expires after FACTSHEETS_LIVE_POINTER_TIMEOUT; forgetting it stands in for that here.
    live = publish(slug="a")
    assert client.get("/api/v1/factsheets/a/").json()["brand_names"] == ["Examplex", "Samplora"]
    live.fact_sheet.brand_names = "Newbrand"
    live.fact_sheet.save()
    forget_sheet("a")
    assert client.get("/api/v1/factsheets/a/").json()["brand_names"] == ["Newbrand"]


def test_pointer_expires_after_the_configured_timeout(client, publish, settings, monkeypatch):
    settings.FACTSHEETS_LIVE_POINTER_TIMEOUT = 123
    timeouts = {}
    original_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        timeouts[key] = timeout
        return original_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    publish(slug="a")
    client.get("/api/v1/factsheets/a/")
    assert timeouts[live_pointer_key("a")] == 123


def test_unknown_slugs_are_not_cached(client):
    client.get("/api/v1/factsheets/nobody/")
    assert cache.get(live_pointer_key("nobody")) is None


def test_a_pointer_read_before_a_publish_and_written_after_it_is_never_used(client, publish, publish_new_version):
    live = publish(slug="a")
    stale_key = live_pointer_key("a")  # a slow request computed its key and read the database ...
    client.get("/api/v1/factsheets/a/")
    stale_pointer = cache.get(stale_key)
    publish_new_version(live.fact_sheet, title="Version two")  # ... a publish commits meanwhile ...
    cache.set(stale_key, stale_pointer)  # ... and the slow request writes what it read, after the commit
    assert client.get("/api/v1/factsheets/a/").json()["version"] == 2
