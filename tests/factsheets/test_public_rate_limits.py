"""One rate-limit mechanism: DRF throttles (factsheets.public.throttling) for the API and the search page, counting
answers from the response cache too, with rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] only."""

import pytest
from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from factsheets.public import throttling

pytestmark = pytest.mark.django_db

SEARCH = "/search/?q=examplumab"


@pytest.fixture
def live(examplumab):
    return examplumab


def _rates(monkeypatch, **rates):
    # DRF reads the rates into the class when it is imported, so patch the class, not the settings.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None, "search": None, **rates})


def test_the_search_limit_also_counts_cached_answers(client, live, monkeypatch):
    assert client.get(SEARCH).status_code == 200  # stored by the response cache before the limit is set
    _rates(monkeypatch, search="3/min")
    statuses = [client.get(SEARCH).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(SEARCH)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Too many searches from your address.")
    assert 0 < int(response["Retry-After"]) <= 60
    assert client.get(SEARCH, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_throttled_search_is_never_stored(client, live, monkeypatch):
    _rates(monkeypatch, search="0/min")
    assert client.get(SEARCH).status_code == 429  # a cache miss answered 429 by the view
    monkeypatch.undo()
    _rates(monkeypatch)
    assert client.get(SEARCH).status_code == 200


def test_search_and_api_limits_are_separate_allowances(client, live, monkeypatch):
    _rates(monkeypatch, anon="2/min", search="2/min")
    assert [client.get(SEARCH).status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/api/v1/conditions/").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/factsheets/examplumab/").status_code == 200  # the sheet pages have no limit


def test_the_client_address_is_the_connection_unless_a_proxy_is_trusted(rf, monkeypatch):
    """A client cannot dodge a limit by sending its own X-Forwarded-For (NUM_PROXIES 0 without a proxy)."""
    _rates(monkeypatch, search="1/min")
    spoofed = [rf.get("/search/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(2)]
    assert throttling.retry_after(spoofed[0], throttling.SearchRateThrottle) is None
    assert throttling.retry_after(spoofed[1], throttling.SearchRateThrottle) is not None


def test_rates_are_defined_once_in_the_drf_settings():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["factsheets.public.throttling.ClientRateThrottle"]
    assert set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"anon", "search"}
    assert not hasattr(settings, "SEARCH_THROTTLE_PER_MINUTE")
