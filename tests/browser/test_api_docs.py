"""The interactive API docs render in a real browser from local files only: no CDN, no validator badge."""

import threading
from urllib.parse import urlparse
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

pytestmark = pytest.mark.browser


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def docs_server():
    """The app over WSGI with static files, without pytest-django's live_server: the docs need no database,
    so no transactional flush (which would drop the role groups other browser tests rely on)."""
    server = make_server("127.0.0.1", 0, StaticFilesHandler(get_wsgi_application()), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_api_docs_render_without_any_request_off_site(docs_server, page):
    host = urlparse(docs_server).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{docs_server}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = [p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()]
    assert "/api/v1/factsheets/{slug}/" in paths
    off_site = [url for url in requested if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != host]
    assert requested and off_site == []
