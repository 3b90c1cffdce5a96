"""One path for conditional requests: every public page type, document and API detail answers 304 to its own
validators through factsheets.public.http_cache.conditional, fresh or from the response cache."""

import pytest
from django.core.cache import cache

from factsheets.public import http_cache

pytestmark = pytest.mark.django_db

SHEET_TAG = "sheet-examplumab"
# Every public page type with validators, and the tag a 304 must keep (None: not shared, the user's words).
PAGES = [
    ("/", "site"),
    ("/conditions/gout/", "site"),
    ("/search/?q=examplumab", None),
    ("/factsheets/examplumab/", SHEET_TAG),
    ("/factsheets/examplumab/versions/", SHEET_TAG),
    ("/factsheets/examplumab/versions/1/", SHEET_TAG),
    ("/feed/", "site"),
    ("/sitemap.xml", "site"),
    ("/sitemaps/factsheets-1.xml", "site"),
    ("/api/v1/factsheets/examplumab/", SHEET_TAG),
    ("/api/v1/factsheets/examplumab/versions/1/", SHEET_TAG),
]


@pytest.fixture
def live(examplumab):
    return examplumab


@pytest.fixture
def answered(monkeypatch):
    """Every answer the one conditional path gave, in order (status codes)."""
    statuses = []
    real = http_cache.conditional

    def spy(request, response, **validators):
        answer = real(request, response, **validators)
        statuses.append(answer.status_code)
        return answer

    monkeypatch.setattr(http_cache, "conditional", spy)
    return statuses


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "cached"])
@pytest.mark.parametrize("url,tag", PAGES)
def test_every_public_page_type_answers_304_to_its_own_etag_through_the_one_path(
    client, live, answered, url, tag, warm
):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('"'), url
    if not warm:
        cache.clear()
    answered.clear()
    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304, url
    assert response.content == b""
    assert answered == [304], url  # answered by http_cache.conditional, not by a path of its own
    assert response["ETag"] == first["ETag"] and response["Cache-Control"] == first["Cache-Control"]
    if tag:
        assert response["Cache-Tag"] == tag and response["Surrogate-Key"] == tag
    assert client.get(url, HTTP_IF_NONE_MATCH='"another-version"').status_code == 200


@pytest.mark.parametrize("url", ["/factsheets/examplumab/", "/api/v1/factsheets/examplumab/", "/feed/"])
def test_if_modified_since_its_own_last_modified_is_304(client, live, url):
    first = client.get(url)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_a_failed_if_match_is_412_on_the_one_path(client, live):
    assert client.get("/factsheets/examplumab/", HTTP_IF_MATCH='"another-version"').status_code == 412


def test_without_validators_the_page_is_served_whole(rf):
    response = http_cache.conditional(rf.get("/"), http_cache.make_shared(_page(b"page"), tags=["site"]), etag="v1")
    assert response.status_code == 200 and response["ETag"] == '"v1"'


def test_an_error_answer_is_never_turned_into_a_304(rf):
    response = _page(b"gone", status=410)
    answer = http_cache.conditional(rf.get("/", HTTP_IF_NONE_MATCH='"v1"'), response, etag="v1")
    assert answer is response and answer.status_code == 410


def _page(body: bytes, status: int = 200):
    from django.http import HttpResponse

    return HttpResponse(body, status=status)
