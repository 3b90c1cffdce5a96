"""Production settings for the benchmark: config.settings.base unchanged, except that collected static
files go to BENCH_STATIC_ROOT (a temp dir) instead of the project's staticfiles/."""

import os

from config.settings.base import *  # noqa: F403

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
