"""gunicorn settings, all from the environment (`make serve` uses this file).

GUNICORN_BIND (default 127.0.0.1:8000), GUNICORN_WORKERS (default 2 x CPUs + 1), GUNICORN_THREADS (1),
GUNICORN_TIMEOUT (30 s), GUNICORN_MAX_REQUESTS (100,000, jitter 10 %), GUNICORN_WARMUP (1), GUNICORN_ACCESSLOG ("-" = stdout; empty turns it off, since the app already logs
one JSON line per request), GUNICORN_LOG_LEVEL (info).
"""

import gc
import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take a server down, but rarely: a new worker starts
# with cold per-process state (database connection, compiled templates, URL resolver, the local-memory cache
# when there is no Redis), and at 1,000 req/s the old 2,000 recycled a worker every few seconds, which was
# the long p99 tail. 100,000 requests is minutes apart at full load; the jitter (10 %) keeps the workers
# from all restarting in the same second.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max_requests // 10)))
# Limits on the request head; body limits are Django's DATA_UPLOAD_MAX_* settings.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"event":"access","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":"%(B)s","duration_ms":%(M)s}'
)
# Behind a load balancer, trust X-Forwarded-* only from these addresses (comma-separated).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers share nothing in memory: state lives in PostgreSQL and Redis, so preloading is only a speed-up
# (Django, DRF and the templates' modules are imported once in the master, and each fork starts with them).
preload_app = True


def post_worker_init(worker):
    """Before a new worker takes its first request, it answers a few public pages to itself (config.warmup):
    the database connection, compiled templates and URL resolver are ready, so no patient's request pays
    for them. After the fork, so no connection is shared with the master. GUNICORN_WARMUP=0 turns it off."""
    if os.environ.get("GUNICORN_WARMUP", "1") != "0":
        from config.warmup import warm

        warm(worker.log)
    # What the worker holds now (Django, the templates, the URL resolver: some 80,000 objects) lives as long as it
    # does: kept out of the garbage collector's reach, so that a full collection walks only what requests have made
    # since. Otherwise, once the worker's copies of a few thousand sheets had grown the old generation by a quarter,
    # one request paid a full collection of 85 ms (measured in one process, 1,500 first hits at 10,000 sheets).
    gc.freeze()


def pre_fork(server, worker):
    """What the master imported (preload_app) is frozen before each fork: a worker's collections never write to
    those objects, so their memory pages stay shared with the master."""
    gc.freeze()
