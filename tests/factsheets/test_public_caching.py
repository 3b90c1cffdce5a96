"""HTTP caching of public pages and the shared cache of public responses: fresh at once after publish/withdraw."""

import pytest
from django.core.cache import cache

from reviews import services
from tests.factories import FactSheetFactory, make_draft, make_published
from tests.factories import PASSWORD


@pytest.fixture
def live(author, reviewer1, reviewer2, committee):
    return make_published(
        author=author,
        reviewers=[reviewer1, reviewer2],
        committee=committee,
        fact_sheet=FactSheetFactory(slug="examplumab"),
        title="Examplumab version one",
    )


URL = "/factsheets/examplumab/"


def test_sheet_page_sends_etag_last_modified_and_public_max_age(client, live, settings):
    settings.FACTSHEETS_CACHE_SECONDS = 123
    response = client.get(URL)
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age=123" in response["Cache-Control"]
    cached = client.get(URL)  # from the shared cache: same validators
    assert cached["ETag"] == response["ETag"] and cached["Last-Modified"] == response["Last-Modified"]
    assert cached.content == response.content


@pytest.mark.parametrize("warm", [False, True])
def test_conditional_requests_get_304(client, live, warm):
    first = client.get(URL)
    if not warm:
        cache.clear()
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    if not warm:
        cache.clear()
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize(
    "url", ["/", "/search/?q=examplumab", "/factsheets/examplumab/versions/", "/factsheets/examplumab/versions/1/"]
)
def test_other_published_pages_answer_conditional_requests(client, live, url):
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_versions_pages_send_last_modified(client, live):
    for url in ["/factsheets/examplumab/versions/", "/factsheets/examplumab/versions/1/"]:
        response = client.get(url)
        assert response["Last-Modified"], url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_cached_sheet_page_makes_no_query(client, live, django_assert_num_queries):
    client.get(URL)
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert b"Examplumab version one" in response.content


def test_cold_cache_sheet_page_reads_the_stored_rendition_within_two_queries(
    client, live, django_assert_max_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(2):
        response = client.get(URL)
    assert response.status_code == 200
    assert live.rendition.body_html in response.content.decode()


def test_publishing_a_new_version_shows_at_once(
    client, live, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    first = client.get(URL)
    assert b"Examplumab version one" in first.content
    with django_capture_on_commit_callbacks(execute=True):
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=live.fact_sheet,
            number=2,
            title="Examplumab version two",
        )
    response = client.get(URL)
    assert b"Examplumab version two" in response.content
    assert response["ETag"] != first["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_withdrawing_shows_410_at_once(client, live, editor, django_capture_on_commit_callbacks):
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Merged into another sheet.")
    response = client.get(URL)
    assert response.status_code == 410
    assert b"Merged into another sheet." in response.content
    assert client.get(URL).status_code == 410  # also from the cache


def test_reaffirmation_updates_review_dates_at_once(
    client, live, editor, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    import datetime as dt

    first = client.get(URL)
    later = live.published_at + dt.timedelta(days=400)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_start_reaffirmation(fact_sheet=live.fact_sheet, by=editor, committee=committee)
        for reviewer in (reviewer1, reviewer2):
            services.review_sign(review=review, by=reviewer, verdict="approve", password=PASSWORD, now=later)
    live.refresh_from_db()
    response = client.get(URL)
    assert response["ETag"] != first["ETag"]
    assert f"Next review due {live.next_review_due.strftime('%B %Y')}." in response.content.decode()


def test_draft_of_a_live_sheet_does_not_change_the_cached_page(client, live, author):
    client.get(URL)
    make_draft(author=author, fact_sheet=live.fact_sheet, number=2, title="Unapproved new wording")
    assert b"Unapproved new wording" not in client.get(URL).content
