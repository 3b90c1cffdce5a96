"""The floor: the least a WSGI app can do to serve the sheet page. Returns, from memory, the exact bytes
that the Django app served for the warm sheet page (read once from BENCH_FLOOR_FILE at import). It runs
under the same gunicorn settings as the app, so the ratio app/floor measures what Django and our code add.
"""

import os

with open(os.environ["BENCH_FLOOR_FILE"], "rb") as f:
    BODY = f.read()

HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
