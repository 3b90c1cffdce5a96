"""Shared caches in front of the app: Cache-Control with s-maxage/stale-while-revalidate and purge tags on
public pages and API documents (never on search, previews or admin), and the purge hook called by the one
invalidation function after publish, reaffirmation, withdrawal and a condition's change."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from factsheets.public import cache as sheet_cache
from factsheets.models import Condition
from reviews import services
from tests.factories import FactSheetFactory, make_published

SHARED = "s-maxage=900, stale-while-revalidate=45"


@pytest.fixture(autouse=True)
def _shared_settings(settings):
    settings.FACTSHEETS_SHARED_MAX_AGE, settings.FACTSHEETS_STALE_WHILE_REVALIDATE = 900, 45


@pytest.fixture
def live(author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="examplumab"),
            title="Examplumab for tests",
        )


@pytest.fixture
def purge_server(settings):
    """A local HTTP server standing in for the CDN's purge API; records each POST's headers and JSON body."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"token": self.headers.get("X-Purge-Token"), "body": json.loads(body)})
            self.send_response(self.server.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FACTSHEETS_PURGE_URL = f"http://127.0.0.1:{server.server_port}/purge"
    settings.FACTSHEETS_PURGE_HEADERS = {"X-Purge-Token": "test-token"}
    server.received = received
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url,tag",
    [
        ("/factsheets/examplumab/", "sheet-examplumab"),
        ("/factsheets/examplumab/versions/", "sheet-examplumab"),
        ("/factsheets/examplumab/versions/1/", "sheet-examplumab"),
        ("/api/v1/factsheets/examplumab/", "sheet-examplumab"),
        ("/api/v1/factsheets/examplumab/versions/1/", "sheet-examplumab"),
        ("/api/v1/factsheets/examplumab/versions/", "sheet-examplumab"),
        ("/api/v1/factsheets/", "site"),
        ("/api/v1/factsheets/?updated_since=2000-01-01", "site"),
        ("/api/v1/conditions/", "site"),
        ("/", "site"),
        ("/feed/", "site"),
        ("/sitemap.xml", "site"),
    ],
)
def test_public_documents_are_for_shared_caches_and_name_what_they_show(client, live, url, tag):
    for response in (client.get(url), client.get(url)):  # fresh, then from the server's cache
        assert response.status_code == 200
        assert "public" in response["Cache-Control"] and SHARED in response["Cache-Control"], url
        assert response["Cache-Tag"] == tag and response["Surrogate-Key"] == tag


@pytest.mark.parametrize(
    "url",
    [
        "/factsheets/examplumab/",
        "/factsheets/examplumab/versions/",
        "/factsheets/examplumab/versions/1/",
        "/api/v1/factsheets/examplumab/",
        "/api/v1/factsheets/examplumab/versions/",
        "/api/v1/factsheets/examplumab/versions/1/",
    ],
)
def test_a_withdrawn_sheets_410_is_for_shared_caches_and_tagged_with_the_sheet(
    client, live, editor, url, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Replaced by another sheet.")
    for response in (client.get(url), client.get(url)):  # fresh, then from the server's cache
        assert response.status_code == 410, url
        assert "public" in response["Cache-Control"] and SHARED in response["Cache-Control"], url
        assert response["Cache-Tag"] == "sheet-examplumab" and response["Surrogate-Key"] == "sheet-examplumab"


@pytest.mark.parametrize("url", ["/search/?q=examplumab", "/api/v1/factsheets/?q=examplumab", "/admin/login/"])
def test_user_input_and_admin_get_no_shared_cache_directives(client, live, url):
    response = client.get(url)
    assert "s-maxage" not in response.get("Cache-Control", "") and "Cache-Tag" not in response


def test_staff_preview_is_never_shared(admin_client, live):
    response = admin_client.get(f"/preview/revisions/{live.pk}/")
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert "Cache-Tag" not in response and "s-maxage" not in response["Cache-Control"]


def test_publishing_purges_the_sheet_and_the_lists(
    purge_server, author, reviewer1, reviewer2, committee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_published(
            author=author,
            reviewers=[reviewer1, reviewer2],
            committee=committee,
            fact_sheet=FactSheetFactory(slug="newsheet"),
        )
    assert purge_server.received == [{"token": "test-token", "body": {"tags": ["sheet-newsheet", "site"]}}]


def test_withdrawing_purges(purge_server, live, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Replaced by another sheet.")
    assert purge_server.received[-1]["body"] == {"tags": ["sheet-examplumab", "site"]}


def test_a_conditions_change_in_the_admin_purges_the_lists(
    purge_server, admin_client, django_capture_on_commit_callbacks
):
    condition = Condition.objects.create(name="Gout", slug="gout")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/factsheets/condition/{condition.pk}/change/",
            {"name": "Gout", "slug": "gout", "description": "Joint pain from crystals."},
        )
    assert purge_server.received == [{"token": "test-token", "body": {"tags": ["site"]}}]


@pytest.mark.parametrize("how", ["delete page", "delete action"])
def test_deleting_a_condition_in_the_admin_purges_the_lists(
    purge_server, admin_client, django_capture_on_commit_callbacks, how
):
    condition = Condition.objects.create(name="Gout", slug="gout")
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete page":
            response = admin_client.post(f"/admin/factsheets/condition/{condition.pk}/delete/", {"post": "yes"})
        else:
            response = admin_client.post(
                "/admin/factsheets/condition/",
                {"action": "delete_selected", "_selected_action": [condition.pk], "post": "yes"},
            )
    assert response.status_code == 302
    assert not Condition.objects.filter(pk=condition.pk).exists()
    assert purge_server.received == [{"token": "test-token", "body": {"tags": ["site"]}}]


def test_nothing_is_posted_without_a_purge_url(settings, monkeypatch, live):
    settings.FACTSHEETS_PURGE_URL = ""
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: pytest.fail("posted without a purge URL"))
    sheet_cache.content_changed("examplumab")


@pytest.mark.parametrize("failure", ["refused", "500"])
def test_a_failed_purge_is_logged_and_the_withdrawal_stands(
    purge_server, settings, live, editor, client, caplog, failure, django_capture_on_commit_callbacks
):
    if failure == "refused":
        settings.FACTSHEETS_PURGE_URL = "http://127.0.0.1:9/purge"  # discard port: nothing listens
    else:
        purge_server.status = 500
    with caplog.at_level(logging.ERROR, logger="factsheets.public.purge"):
        with django_capture_on_commit_callbacks(execute=True):
            services.factsheet_withdraw(fact_sheet=live.fact_sheet, by=editor, reason="Replaced by another sheet.")
    assert "purge of sheet-examplumab,site" in caplog.text
    assert client.get("/factsheets/examplumab/").status_code == 410
