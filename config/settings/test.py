"""Test-only tweaks: fast hashing, in-memory mail and cache, no manifest for static files."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Lets the test runner's flush (and tests that tamper on purpose) lift the database's record guards.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.record_guards"]  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The test client and live_server speak plain http: no redirect to https, cookies over http. Production
# values are tested by running `check --deploy` against config.settings.base (tests/test_production.py).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# client.login() passes no request, which axes refuses; the lockout test turns it back on.
AXES_ENABLED = False

# No rate limit in tests (tests/api/test_http.py and tests/test_production.py prove them with tiny rates).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "search": None}}  # noqa: F405

if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A test's transaction never commits, so PostgreSQL never delivers its renewals' notifications: workers read the
# generations on every request; tests/factsheets/test_renewals.py turns listening on with committed transactions.
FACTSHEETS_ANSWER_NOTIFY = False
