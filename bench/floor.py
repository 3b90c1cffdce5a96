"""The floor: the least a WSGI app can do to serve the sheet page. Returns, from memory, the exact bytes
that the Django app served for the warm sheet page (read once from BENCH_FLOOR_FILE, on the first request
after the harness wrote it). It runs under the same gunicorn settings as the app, so the ratio app/floor
measures what Django and our code add.
"""

import os

BODY = None
HEADERS = []


def application(environ, start_response):
    global BODY, HEADERS
    if BODY is None:
        try:
            with open(os.environ["BENCH_FLOOR_FILE"], "rb") as f:
                body = f.read()
        except FileNotFoundError:  # the harness has not fetched the page yet
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        BODY = body
    start_response("200 OK", HEADERS)
    return [BODY]
