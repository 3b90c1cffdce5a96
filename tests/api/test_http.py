"""HTTP behaviour: conditional GET (ETag/Last-Modified/304), CORS for browsers, anonymous throttling."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db

DETAIL_PATHS = ["/api/v1/factsheets/a/", "/api/v1/factsheets/a/versions/1/"]


@pytest.fixture
def live(publish):
    return publish(slug="a")


@pytest.mark.parametrize("path", DETAIL_PATHS)
def test_detail_sends_validators_and_cache_control(client, live, path, settings):
    settings.FACTSHEETS_SHARED_MAX_AGE, settings.FACTSHEETS_STALE_WHILE_REVALIDATE = 600, 30
    cache.clear()  # the publish cached the answer as the settings were then
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"') and len(response["ETag"]) > 10
    assert response["Last-Modified"].endswith("GMT")
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=600, stale-while-revalidate=30"
    assert response["Cache-Tag"] == "sheet-a" and response["Surrogate-Key"] == "sheet-a"
    assert client.get(path)["ETag"] == response["ETag"]  # stable


@pytest.mark.parametrize("path", DETAIL_PATHS)
def test_if_none_match_gives_304_with_empty_body(client, live, path):
    etag = client.get(path)["ETag"]
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize("path", DETAIL_PATHS)
def test_head_answers_headers_without_body(client, live, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]


@pytest.mark.parametrize("path", DETAIL_PATHS)
def test_if_modified_since_gives_304(client, live, path):
    last_modified = client.get(path)["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def test_etag_changes_when_a_new_version_goes_live(client, live, publish_new_version):
    before = client.get("/api/v1/factsheets/a/")
    publish_new_version(live.fact_sheet, title="A second version")
    after = client.get("/api/v1/factsheets/a/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["version"] == 2 and after["ETag"] != before["ETag"]


def test_etag_of_live_and_version_page_differ_because_their_url_differs(client, live):
    assert client.get("/api/v1/factsheets/a/")["ETag"] != client.get("/api/v1/factsheets/a/versions/1/")["ETag"]


def test_cors_allows_any_origin_on_the_api(client, live):
    for path in ["/api/v1/factsheets/", "/api/v1/factsheets/a/", "/api/v1/conditions/", "/api/schema/"]:
        response = client.get(path, HTTP_ORIGIN="https://partner.example.com")
        assert response["Access-Control-Allow-Origin"] == "*", path


def test_cors_preflight_allows_get_only(client):
    response = client.options(
        "/api/v1/factsheets/", HTTP_ORIGIN="https://partner.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_cors_is_limited_to_the_api(client, live):
    response = client.get("/factsheets/a/", HTTP_ORIGIN="https://partner.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_requests_are_throttled(client, monkeypatch):
    # DRF reads the rates into the class when it is imported, so patch the class, not the settings.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    statuses = [client.get("/api/v1/conditions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/factsheets/")
    assert response.status_code == 429
    assert response.json()["status"] == 429 and "throttled" in response.json()["message"].lower()
    assert int(response["Retry-After"]) > 0
    # another client address has its own allowance
    assert client.get("/api/v1/conditions/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_schema_and_its_docs_are_never_throttled(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    assert [client.get("/api/v1/conditions/").status_code for _ in range(3)] == [200, 200, 429]
    # The same address, already over its allowance, still reads the schema and the docs page.
    for _ in range(5):
        assert client.get("/api/schema/").status_code == 200
        assert client.get("/api/docs/").status_code == 200


def test_throttling_is_off_in_the_test_settings(client):
    assert all(client.get("/api/v1/conditions/").status_code == 200 for _ in range(30))
