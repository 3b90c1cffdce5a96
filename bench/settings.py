"""Production settings for the benchmark: config.settings.base unchanged, except that collected static
files go to BENCH_STATIC_ROOT (a temp dir) instead of the project's staticfiles/, and without REDIS_URL
each worker keeps its own in-memory cache (the figures in the README were measured that way; production
without Redis shares a file cache between workers instead)."""

import os

from config.settings.base import *  # noqa: F403

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

if not os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
