"""The interactive API docs render in a real browser from local files only: no CDN, no validator badge."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_any_request_off_site(live_server, page):
    host = urlparse(live_server.url).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/factsheets/{slug}/" in [p.replace("\u200b", "") for p in paths]
    off_site = [url for url in requested if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != host]
    assert requested and off_site == []
