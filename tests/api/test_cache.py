"""API answers come from the stored rendition: cheap on a cold cache, and never stale after a workflow change."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from factsheets.content.services import revision_start_draft
from reviews import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_cold_cache_detail_reads_the_stored_rendition_within_two_queries(
    client, publish, django_assert_max_num_queries
):
    live = publish(slug="a")
    cache.clear()
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/factsheets/a/").json()
    stored = json.loads(live.rendition.document)
    assert body["content_hash"] == stored["content_hash"] == live.content_hash
    assert body["sections"] == stored["sections"]
    assert body["rendition_hash"] == live.rendition.rendition_hash


def test_cold_cache_version_detail_within_two_queries(client, publish, django_assert_max_num_queries):
    publish(slug="a")
    cache.clear()
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/factsheets/a/versions/1/").json()
    assert body["version"] == 1


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


def test_first_publication_shows_at_once_even_after_a_404_was_served(
    client, author, reviewer1, reviewer2, committee, on_commit
):
    from tests.factories import FactSheetFactory, make_draft

    draft = make_draft(author=author, fact_sheet=FactSheetFactory(slug="new"))
    review = services.revision_submit(revision=draft, by=author, committee=committee)
    assert client.get("/api/v1/factsheets/new/").status_code == 404
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


def test_new_brand_names_show_when_their_version_is_published_and_not_before(
    client, publish, author, committee, reviewer1, reviewer2, on_commit
):
    live = publish(slug="a")
    assert client.get("/api/v1/factsheets/a/").json()["brand_names"] == ["Examplex", "Samplora"]
    draft = revision_start_draft(fact_sheet=live.fact_sheet, by=author)
    draft.brand_names = "Newbrand"
    draft._history_user = author
    draft.save()
    review = on_commit(services.revision_submit, revision=draft, by=author, committee=committee)
    on_commit(services.review_sign, review=review, by=reviewer1, verdict="approve", password=PASSWORD)
    assert client.get("/api/v1/factsheets/a/").json()["brand_names"] == ["Examplex", "Samplora"]
    on_commit(services.review_sign, review=review, by=reviewer2, verdict="approve", password=PASSWORD)
    assert client.get("/api/v1/factsheets/a/").json()["brand_names"] == ["Newbrand"]
