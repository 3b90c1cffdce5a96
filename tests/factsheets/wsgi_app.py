"""Requests straight to the WSGI application (config.wsgi's layers around Django), as gunicorn makes them."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from config import worker_copies


class CountingDjango:
    """The Django application, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        _keep_connection()  # again: a publish's own requests (the test client) connect those handlers again
        return self.handler(environ, start_response)


def _keep_connection():
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)


@pytest.fixture
def django_app():
    """As Django's test client does: a request's start or end must not close the test's database connection (PostgreSQL)."""
    _keep_connection()
    yield CountingDjango()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def app(django_app):
    return worker_copies.PublicCopies(django_app)


def get(app, path, method="GET", **headers):
    """One WSGI request: (status code, headers by lower-case name, body)."""
    environ = RequestFactory().generic(method, path, **headers).environ
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered["status"] = int(status[:3])
        answered["headers"] = {name.lower(): value for name, value in response_headers}

    body = b"".join(app(environ, start_response))
    return answered["status"], answered["headers"], body
