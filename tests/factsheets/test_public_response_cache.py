"""The lean path (factsheets.public.middleware): whole anonymous public responses from the cache, fresh at once
after publish, reaffirmation and withdrawal, never for signed-in staff."""

import pytest
from django.core.cache import cache

from reviews import services
from tests.factories import FactSheetFactory, make_published

SHEET = "/factsheets/examplumab/"
LISTS = [
    "/",
    "/search/?q=examplumab",
    "/conditions/gout/",
    "/api/v1/factsheets/",
    "/factsheets/examplumab/versions/",
    "/api/v1/factsheets/examplumab/",
    "/api/v1/factsheets/examplumab/versions/",
    SHEET,
]
API_LISTS = ["/api/v1/factsheets/", "/api/v1/factsheets/examplumab/versions/"]  # no validators


@pytest.fixture
def live(examplumab):
    return examplumab


@pytest.mark.parametrize("url", LISTS)
def test_second_anonymous_request_is_served_without_a_query(client, live, url, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.get("ETag") == first.get("ETag")
    assert again["Content-Type"] == first["Content-Type"]


def test_cached_responses_keep_the_security_and_cors_headers(client, live):
    first = client.get(SHEET)
    again = client.get(SHEET)
    for name in (
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Security-Policy",
    ):
        assert again.get(name) == first.get(name), name
    assert "script-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"
    api = "/api/v1/factsheets/examplumab/"
    client.get(api, HTTP_ORIGIN="https://partner.example")
    hit = client.get(api, HTTP_ORIGIN="https://partner.example")
    assert hit["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get(api)


@pytest.mark.parametrize("url", [u for u in LISTS if u not in API_LISTS])
def test_conditional_requests_on_a_cached_response_get_304(client, live, url):
    first = client.get(url)
    client.get(url)  # now cached
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_publish_shows_the_new_version_at_once_everywhere(
    client, live, url, publish_version_two, django_capture_on_commit_callbacks
):
    client.get(url)
    cached = client.get(url)
    assert b"Examplumab version two" not in cached.content
    with django_capture_on_commit_callbacks(execute=True):
        publish_version_two()
    response = client.get(url)
    assert response.status_code == 200
    assert response.content != cached.content
    if "versions" in url:
        assert b"2" in response.content.replace(cached.content, b"")
    else:
        assert b"Examplumab version two" in response.content
        assert b"Examplumab version one" not in response.content


@pytest.mark.parametrize("url", ["/", "/search/?q=examplumab", "/conditions/gout/", "/api/v1/factsheets/"])
def test_withdraw_removes_the_sheet_from_every_cached_list_at_once(
    client, live, url, editor, django_capture_on_commit_callbacks
):
    assert b"Examplumab version one" in client.get(url).content
    assert b"Examplumab version one" in client.get(url).content  # cached
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Merged into another sheet.")
    assert b"Examplumab version one" not in client.get(url).content


@pytest.mark.parametrize("url", [SHEET, "/api/v1/factsheets/examplumab/", "/factsheets/examplumab/versions/"])
def test_withdraw_answers_410_at_once_on_cached_pages(client, live, url, editor, django_capture_on_commit_callbacks):
    client.get(url)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Merged into another sheet.")
    assert client.get(url).status_code == 410
    assert client.get(url).status_code == 410


def test_an_entry_built_under_an_old_generation_is_never_served(
    client, live, publish_version_two, django_capture_on_commit_callbacks
):
    """A slow request that read the generation before a publish committed stores under the old one."""
    from factsheets.public import middleware

    client.get("/")
    keys = [k.split(":", 2)[-1] for k in cache._cache if middleware.KEY_PREFIX in k]
    assert len(keys) == 1
    old_entry = cache.get(keys[0])  # a slow request built this before the publish committed...
    with django_capture_on_commit_callbacks(execute=True):
        publish_version_two()
    cache.set(keys[0], old_entry)  # ...and stored it afterwards
    assert b"Examplumab version two" in client.get("/").content


def test_signed_in_staff_never_get_cached_bytes(client, live, author, django_assert_max_num_queries):
    client.get(SHEET)
    client.force_login(author)
    from factsheets.public.middleware import PublicResponseCacheMiddleware

    calls = []
    original = PublicResponseCacheMiddleware._from_entry
    PublicResponseCacheMiddleware._from_entry = staticmethod(lambda *a: calls.append(a) or original(*a))
    try:
        assert client.get(SHEET).status_code == 200
        assert client.get("/").status_code == 200
    finally:
        PublicResponseCacheMiddleware._from_entry = staticmethod(original)
    assert calls == []


def test_preview_and_admin_are_never_stored(client, live, author):
    from factsheets.public.middleware import PUBLIC_PATHS

    assert PUBLIC_PATHS.match(f"/preview/revisions/{live.pk}/") is None
    assert PUBLIC_PATHS.match("/admin/factsheets/factsheet/") is None
    assert PUBLIC_PATHS.match("/api/schema/") is None
    assert PUBLIC_PATHS.match(SHEET) is not None


def test_not_found_is_not_stored(client, live):
    from factsheets.public import middleware

    client.get("/factsheets/no-such-sheet/")
    client.get("/api/v1/factsheets/no-such-sheet/")
    assert not [k for k in cache._cache if middleware.KEY_PREFIX in k]


def test_admin_edits_of_a_live_sheets_names_reach_no_answer_cached_or_fresh(
    client, live, admin_client, django_capture_on_commit_callbacks
):
    """Names are signed version content: neither a cached nor a freshly built answer shows an admin's edit."""
    urls = [SHEET, "/search/?q=newbrand", "/api/v1/factsheets/examplumab/", "/conditions/gout/"]
    before = {url: client.get(url).content for url in urls}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/factsheets/factsheet/{live.fact_sheet.pk}/change/",
            {
                "generic_name": "examplumab",
                "brand_names": "Newbrand",
                "revisions-TOTAL_FORMS": "0",
                "revisions-INITIAL_FORMS": "0",
            },
        )
        admin_client.post(
            f"/admin/factsheets/factsheetrevision/{live.pk}/change/",
            {
                "title": live.title,
                "generic_name": "examplumab",
                "brand_names": "Newbrand",
                "summary": live.summary,
                "fast_facts": "\n".join(live.fast_facts),
                "credit_line": live.credit_line,
                "change_note": "",
                "sections-TOTAL_FORMS": "0",
                "sections-INITIAL_FORMS": "0",
            },
        )
    client.cookies.clear()
    for fresh in (False, True):
        if fresh:
            cache.clear()
        for url in urls:
            response = client.get(url)
            assert b"Newbrand" not in response.content, url
            if url != "/search/?q=newbrand":
                assert response.content == before[url], url
    assert b"/factsheets/examplumab/" not in client.get("/search/?q=newbrand").content


def test_the_api_rate_limit_also_counts_cached_answers(client, live, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    url = "/api/v1/factsheets/examplumab/"
    client.get(url)  # cached now, before the limit is set
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/factsheets/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(SHEET).status_code == 200  # the public pages have no rate limit


OTHER_SHEET = ["/factsheets/otherumab/", "/factsheets/otherumab/versions/", "/api/v1/factsheets/otherumab/"]


@pytest.fixture
def other_sheet(author, reviewer1, reviewer2, committee):
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="otherumab"),
        title="Otherumab version one",
    )


def test_a_publish_leaves_other_sheets_pages_cached_and_renews_its_own_and_every_list(
    client,
    live,
    other_sheet,
    publish_version_two,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    for url in [*OTHER_SHEET, SHEET, "/"]:
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        publish_version_two()
    for url in OTHER_SHEET:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url
    for url in (SHEET, "/"):
        assert b"Examplumab version two" in client.get(url).content, url


def test_a_withdrawal_of_another_sheet_leaves_this_one_cached(
    client, live, other_sheet, editor, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client.get(SHEET)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=other_sheet.fact_sheet, by=editor, reason="Merged into another.")
    with django_assert_num_queries(0):
        assert client.get(SHEET).status_code == 200
    assert client.get("/factsheets/otherumab/").status_code == 410
    assert b"Otherumab" not in client.get("/").content


@pytest.mark.parametrize("url", [SHEET, "/api/v1/factsheets/examplumab/", "/es/factsheets/examplumab/", "/"])
def test_a_site_wide_change_renews_every_answer(client, live, url):
    from factsheets.public import cache as sheet_cache

    client.get(url)
    before = sheet_cache.current_generation(url)
    sheet_cache.content_changed(None)  # what the admin calls after a condition's page changes
    assert sheet_cache.current_generation(url) != before


def test_the_generation_an_address_depends_on():
    from factsheets.public import cache as sheet_cache

    sheet = ["gen:all", "gen:sheet-examplumab"]
    assert sheet_cache.generation_keys("/factsheets/examplumab/") == sheet
    assert sheet_cache.generation_keys("/es/factsheets/examplumab/versions/2/") == sheet
    assert sheet_cache.generation_keys("/api/v1/factsheets/examplumab/versions/") == sheet
    for lists in ("/", "/es/", "/search/", "/conditions/gout/", "/api/v1/factsheets/", "/api/v1/conditions/"):
        assert sheet_cache.generation_keys(lists) == ["gen:all", "gen:site"], lists
