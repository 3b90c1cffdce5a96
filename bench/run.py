"""`make bench`: build a throwaway database, serve it with gunicorn in production mode, measure with wrk.

    BENCH_SHEETS=1000 BENCH_SECONDS=10 BENCH_RUNS=3 .venv/bin/python -m bench.run

Environment (all optional):
  BENCH_SHEETS       sheets to build (1000; 10000 for the scale run)
  BENCH_SECONDS      seconds per wrk run (10)          BENCH_RUNS     runs per target, median reported (3)
  BENCH_CONNECTIONS  wrk connections (16)              BENCH_THREADS  wrk threads (2)
  BENCH_WORKERS      gunicorn sync workers (2)         BENCH_WRK      path of wrk (found on PATH)
  BENCH_OUTPUT       where the JSON goes (bench/results/<timestamp>-<sheets>-<pid>.json)
  BENCH_KEEP         1: keep the temp dir (SQLite file, logs) and the PostgreSQL database
  DATABASE_URL       PostgreSQL server to use: the benchmark creates and drops its own database
                     "<name>_run_<random>" there (BENCH_DATABASE_URL: use exactly this database; it must be empty)
  REDIS_URL          Redis as the cache (keys under a unique prefix, deleted at the end)
Without DATABASE_URL the database is a SQLite file in a temp dir; without REDIS_URL the cache is each
worker's local memory (as in production settings).

Every process started here (gunicorn masters and their workers, wrk) is stopped in `finally`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
WRK_INSTALL_HINT = "wrk is not installed. Install it with:  apt-get install wrk   (Debian/Ubuntu package `wrk`)"
PROBE_TIMEOUT = 60  # a target slower than this for one request is reported, not measured
RESERVED_SLUGS = 16  # used for warm-up, never part of the cold rotation


@dataclass
class Target:
    name: str
    path: str  # for rotating targets: a "{slug}" template
    label: str
    rotate: bool = False  # cold: each request a different sheet, caches emptied before each run
    no_answer_files: bool = False  # cold with the answer files deleted first: each first hit reads PostgreSQL
    # Cold rows with answer files: before each run, their pages are read into the OS page cache ("cached"), or
    # dropped from it ("evicted": each first hit reads its file from disk). See answer_files_in_page_cache.
    page_cache: str = "cached"
    auth: bool = False
    server: str = "app"
    runs: list = field(default_factory=list)
    status: int | None = None
    note: str = ""
    queries: int | None = None
    inprocess_ms: float | None = None  # one request in the query pass (test client, one process)
    peak_rss_kb: int = 0


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Processes ------------------------------------------------------------------------------------------


class Gunicorn:
    """A gunicorn master in its own process group; `stop()` kills the whole group."""

    def __init__(self, app: str, *, port: int, workers: int, env: dict, logfile: Path):
        self.port = port
        self.logfile = logfile
        self._log = open(logfile, "ab")
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(BASE_DIR),
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ]
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=BASE_DIR, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.workers = workers
        Gunicorn.registry[port] = self

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                pids.append(int(entry))
        return sorted(pids)

    def wait_ready(self, timeout: float = 60.0, exclude: set[int] | None = None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; log:\n{self.tail()}")
            pids = self.worker_pids()
            if len(pids) == self.workers and not (exclude and set(pids) & exclude):
                try:
                    http_get(self.port, "/__bench_ready__")
                    return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not get ready on port {self.port}; log:\n{self.tail()}")

    registry: dict = {}

    @classmethod
    def drain_port(cls, port: int):
        if port in cls.registry:
            cls.registry[port].drain()

    def drain(self):
        """Wait until the requests a finished wrk run left queued (sync workers still serve connections wrk
        already closed) are done, so they do not slow down the next run: one cheap request per worker,
        in parallel, each answered only after the backlog ahead of it."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers * 2) as pool:
            list(pool.map(lambda _: http_get(self.port, "/__bench_ready__", timeout=600), range(self.workers * 2)))

    def restart_workers(self):
        """HUP: fresh workers, so every per-process cache (local-memory cache included) starts empty."""
        old = set(self.worker_pids())
        os.kill(self.proc.pid, signal.SIGHUP)
        self.wait_ready(exclude=old)

    def peak_rss_kb(self) -> int:
        peak = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if match:
                peak = max(peak, int(match.group(1)))
        return peak

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        else:
            try:  # orphaned workers, should the master have died
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


def http_get(
    port: int, path: str, headers: dict | None = None, method: str = "GET", body: str | None = None, timeout: float = 30
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def cookies_from(headers) -> dict:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


def http_login(port: int, username: str, password: str) -> str | None:
    """Log in through the admin login form, as a browser would; returns the Cookie header or None."""
    status, headers, body = http_get(port, "/admin/login/?next=/admin/")
    if status != 200:
        return None
    cookies = cookies_from(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in cookies:
        return None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password, "next": "/admin/"}
    )
    status, headers, _ = http_get(
        port,
        "/admin/login/?next=/admin/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/admin/login/",
        },
    )
    cookies.update(cookies_from(headers))
    if status != 302 or "sessionid" not in cookies:
        return None
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# wrk --------------------------------------------------------------------------------------------


def find_wrk() -> str | None:
    candidate = os.environ.get("BENCH_WRK") or shutil.which("wrk") or "/usr/bin/wrk"
    return candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None


def run_wrk(
    wrk: str,
    port: int,
    path: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    headers: dict | None = None,
    rotate_file: Path | None = None,
    once: bool = False,
) -> dict:
    if rotate_file and once:
        # One thread: a wrk thread that has made its share of first hits stops, but the connections it left open
        # stay open until wrk exits, and gunicorn's sync worker, having answered one of them, waits up to 2 s for
        # the client to close it (gunicorn.util.close_graceful). With a second thread still measuring, each such
        # wait stalled a worker for 2 s inside the measured window: the "stragglers" of the earlier cold rows.
        threads = 1
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if rotate_file:
        cmd += [
            "-s",
            str(BENCH_DIR / "rotate.lua"),
            f"http://127.0.0.1:{port}/",
            "--",
            str(rotate_file),
            "once" if once else "loop",
            str(threads),
        ]
    else:
        cmd += ["-s", str(BENCH_DIR / "stats.lua"), f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    Gunicorn.drain_port(port)
    line = next((text for text in out.stdout.splitlines() if text.startswith("BENCHJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}, {cmd}): {out.stderr.strip() or out.stdout.strip()}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    if rotate_file and once and data.get("window_s", 0) > 0:
        data["rps"] = data["counted"] / data["window_s"]
    else:
        data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors_total"] = sum(data["errors"].values())
    return data


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


# Database and cache -----------------------------------------------------------------------------


def bench_env(database_url: str, tmp: Path) -> dict:
    """The servers' environment: production settings, every throttle off."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_API_ANON_RATE": "",  # no API rate limit: wrk is one client sending thousands of requests
        "DJANGO_SEARCH_THROTTLE_PER_MINUTE": "0",  # nor the search limit (its 429s voided the search row)
        "DATABASE_URL": database_url,
        "DJANGO_CACHE_PREFIX": f"bench-{secrets.token_hex(4)}",
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        # The answers kept on disk, as in production (docs/production.md); the "no answer files" row deletes them.
        "FACTSHEETS_ANSWER_FILES": str(tmp / "answers"),
    }


def prepare_database(tmp: Path) -> tuple[str, callable]:
    """Returns the DATABASE_URL for the run and a function that drops what was created."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], lambda: None
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None

    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'postgres'}_run_{secrets.token_hex(3)}"  # unique: runs may overlap
    admin_url = parsed._replace(path="/postgres").geturl()

    def execute(sql: str):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')

    def drop():
        if os.environ.get("BENCH_KEEP") != "1":
            execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parsed._replace(path=f"/{name}").geturl(), drop


def collect_static(static_root: Path) -> str:
    """collectstatic (hashed, compressed: WhiteNoise's manifest storage) into STATIC_ROOT of this run.

    The result depends only on the source files, so it is kept in the temp dir under a hash of their
    names, sizes and times and reused by later runs (STATIC_ROOT then is a symlink to it).
    """
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list(["CVS", ".*", "*~"]), key=lambda item: item[0]):
            st = os.stat(storage.path(path))
            digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    cached = Path(tempfile.gettempdir()) / f"factsheets-bench-static-{digest.hexdigest()[:20]}"
    if (cached / "staticfiles.json").exists():
        static_root.symlink_to(cached, target_is_directory=True)
        return f"reused from {cached}"
    call_command("collectstatic", verbosity=0, interactive=False)
    try:
        os.rename(static_root, cached)  # same file system; if another run got there first, keep ours
        static_root.symlink_to(cached, target_is_directory=True)
    except OSError:
        pass
    return "collected"


def warm_up(port: int, paths: list[str], headers: dict, seconds: float, wrk: str, **wrk_args):
    """Fill both workers' code paths and caches before measuring: wrk for runs of 5 s and more,
    else a handful of plain requests (the smoke test's 1 s runs)."""
    if seconds >= 5:
        if len(paths) == 1:
            run_wrk(wrk, port, paths[0], headers=headers, seconds=2, **wrk_args)
        else:
            rotate = Path(tempfile.mkstemp(suffix=".txt")[1])
            try:
                rotate.write_text("\n".join(paths) + "\n")
                run_wrk(wrk, port, "", rotate_file=rotate, headers=headers, seconds=2, **wrk_args)
            finally:
                rotate.unlink()
    else:
        for i in range(10):
            http_get(port, paths[i % len(paths)], headers=headers)


def reset_cache():
    """Empty the cache the app servers share (Redis: only our key prefix) and the in-process one."""
    from django.core.cache import cache

    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        import redis

        from django.conf import settings

        prefix = settings.CACHES["default"].get("KEY_PREFIX")
        if not prefix:
            log("!! the Redis cache has no KEY_PREFIX: not flushing a shared Redis; cold runs may hit warm keys")
            return
        client = redis.Redis.from_url(redis_url)
        batch = []
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        client.close()
    else:
        cache.clear()


def answer_files_in_page_cache(root: str, keep: bool) -> tuple[int, int]:
    """Read every answer file once, so that its pages are in the OS page cache (`keep`), or drop them from it
    (posix_fadvise DONTNEED); returns (files, bytes).

    What a cold row measures is then a first hit in fresh workers with an empty cache, its answer file in memory or on
    disk (on tmpfs, dropping does nothing), instead of whatever the OS kept since `build_answers` wrote them. A
    server's page cache normally keeps a file until memory runs short; this machine's kernel does not: a DAMON scheme
    (/sys/kernel/mm/damon/admin/kdamonds/0: action pageout, min age 12 x 5 s, anonymous memory excluded) drops any
    file page no process maps once it has gone unread for a minute, so rows measured minutes after the build
    read most of their files from disk, and more of them the later the row comes."""
    files = size = 0
    for directory, _, names in os.walk(root):
        for name in names:
            try:
                fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                if keep:
                    while chunk := os.read(fd, 1 << 20):
                        size += len(chunk)
                else:
                    size += os.fstat(fd).st_size
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                files += 1
            finally:
                os.close(fd)
    return files, size


# Queries per request (in process, not under gunicorn) ---------------------------------------------


def count_queries(targets: list[Target], slug: str, author_username: str):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client(SERVER_NAME="127.0.0.1")
    staff = Client(SERVER_NAME="127.0.0.1")
    staff.force_login(get_user_model().objects.get(username=author_username))
    for target in targets:
        if target.server != "app":
            continue
        client = staff if target.auth else anonymous
        path = target.path.format(slug=slug)
        reset_cache()
        if not target.rotate:
            client.get(path)  # warm: the second request is measured
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        target.inprocess_ms = round((time.perf_counter() - started) * 1000, 1)
        target.status = response.status_code
        target.queries = len(ctx.captured_queries)
    reset_cache()


# Main ---------------------------------------------------------------------------------------------


def build_targets(slug: str, search_word: str) -> list[Target]:
    return [
        Target("floor", "/", "floor: same bytes from a bare WSGI app", server="floor"),
        Target("sheet_warm", f"/factsheets/{slug}/", "sheet page, warm"),
        Target("sheet_cold", "/factsheets/{slug}/", "sheet page, cold (each sheet once)", rotate=True),
        # The floor measured as the cold rows are (fresh workers, one wrk thread, each address once, short runs): what
        # that method can show on this machine, beside the floor's usual loop (a diagnostic row, not a target).
        Target("floor_once", "/factsheets/{slug}/", "floor, measured as the cold rows", rotate=True, server="floor"),
        Target("index", "/", "index A-Z"),
        Target("search", f"/search/?q={search_word}", f"search ?q={search_word}"),
        Target("versions", f"/factsheets/{slug}/versions/", "sheet versions list"),
        Target("api_list", "/api/v1/factsheets/", "API list"),
        Target("api_detail_warm", f"/api/v1/factsheets/{slug}/", "API detail, warm"),
        Target("api_detail_cold", "/api/v1/factsheets/{slug}/", "API detail, cold (each sheet once)", rotate=True),
        Target("api_versions", f"/api/v1/factsheets/{slug}/versions/", "API versions list"),
        Target(
            "sheet_cold_disk",
            "/factsheets/{slug}/",
            "sheet page, cold, answer files on disk",
            rotate=True,
            page_cache="evicted",
        ),
        Target(
            "sheet_cold_database",
            "/factsheets/{slug}/",
            "sheet page, cold, no answer files",
            rotate=True,
            no_answer_files=True,
        ),
        Target("admin_changelist", "/admin/factsheets/factsheet/", "admin changelist (author)", auth=True),
    ]


def _stop_on_signal(signum, frame):
    raise SystemExit(128 + signum)  # runs the `finally` below: servers stopped, database dropped


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    wrk = find_wrk()
    if not wrk:
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 2

    sheets = env_int("BENCH_SHEETS", 1000)
    seconds = env_float("BENCH_SECONDS", 10)
    runs = env_int("BENCH_RUNS", 3)
    n_connections = env_int("BENCH_CONNECTIONS", 16)
    threads = env_int("BENCH_THREADS", 2)
    workers = env_int("BENCH_WORKERS", 2)
    keep = os.environ.get("BENCH_KEEP") == "1"
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    output = Path(
        os.environ.get("BENCH_OUTPUT")
        or BENCH_DIR / "results" / f"{started_at:%Y%m%dT%H%M%SZ}-{sheets}-{os.getpid()}.json"
    )

    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    servers: list[Gunicorn] = []
    drop_database = lambda: None  # noqa: E731
    try:
        database_url, drop_database = prepare_database(tmp)
        env = bench_env(database_url, tmp)
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        import logging

        logging.getLogger("django.request").setLevel(logging.ERROR)  # the probes' 404s are reported in the table
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, connections

        from bench.build_db import build

        log(
            f"== database: {connection.vendor} ({'temp SQLite file' if connection.vendor == 'sqlite' else settings.DATABASES['default']['NAME']}); "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        log(f"== migrated in {time.perf_counter() - t:.1f} s; building {sheets} sheets")
        info = build(sheets, verbose=True)
        log(f"== built {info['revisions']} revisions, {info['sections']} sections in {info['build_seconds']} s")
        t = time.perf_counter()
        static_note = collect_static(Path(env["BENCH_STATIC_ROOT"]))
        log(f"== static files {static_note} in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        # What each sheet's publish did (bulk-built data skips it).
        call_command("build_answers", jobs=os.cpu_count() or 1, stdout=io.StringIO())
        log(f"== stored answers built in {time.perf_counter() - t:.1f} s")

        live = info["live_slugs"]
        slug = live[0]
        reserved, pool = live[1 : 1 + RESERVED_SLUGS], live[1 + RESERVED_SLUGS :]
        targets = build_targets(slug, info["search_word"])
        run_env = {**os.environ, **env}
        app = Gunicorn(
            "config.wsgi:application", port=free_port(), workers=workers, env=run_env, logfile=tmp / "app.log"
        )
        servers.append(app)
        floor_file = tmp / "floor.html"
        floor = Gunicorn(
            "bench.floor:application",
            port=free_port(),
            workers=workers,
            env={**run_env, "BENCH_FLOOR_FILE": str(floor_file)},
            logfile=tmp / "floor.log",
        )
        servers.append(floor)
        t = time.perf_counter()
        count_queries(targets, slug, info["author_username"])  # in process, while the servers boot
        connections.close_all()
        log(f"== queries per request counted in {time.perf_counter() - t:.1f} s")
        app.wait_ready()
        floor.wait_ready()
        cookie = http_login(app.port, info["author_username"], info["author_password"])
        if cookie is None:
            log("!! could not log in through /admin/login/; the admin changelist is measured anonymously")

        status, _, page = http_get(app.port, f"/factsheets/{slug}/")
        floor_source = "sheet page"
        if status != 200:
            floor_source = f"sheet page answered {status}: floor serves the index page instead"
            status, _, page = http_get(app.port, "/")
        floor_file.write_bytes(page)
        log(f"== servers up: app on port {app.port}, floor on port {floor.port} ({len(page)} bytes)")

        rotate_paths, reserved_paths = {}, {}
        for target in targets:
            if target.rotate:
                reserved_paths[target.name] = [target.path.format(slug=s) for s in reserved]
                pool_file = tmp / f"{target.name}.pool.txt"
                pool_file.write_text("\n".join(target.path.format(slug=s) for s in pool) + "\n")
                rotate_paths[target.name] = pool_file

        wrk_args = {"seconds": seconds, "connections": n_connections, "threads": threads}
        warm_args = {"connections": n_connections, "threads": threads}
        for target in targets:
            server = floor if target.server == "floor" else app
            headers = {"Cookie": cookie} if target.auth and cookie else {}
            probe_path = target.path.format(slug=slug)
            try:
                status, _, _ = http_get(server.port, probe_path, headers=headers, timeout=PROBE_TIMEOUT)
            except TimeoutError:
                target.note = f"one request took over {PROBE_TIMEOUT} s"
                log(f"-- {target.name:18} {probe_path}: {target.note}; not measured")
                server.drain()
                continue
            target.status = status
            if status != 200:
                target.note = {404: "404: not built yet", 302: "302: redirect (login?)", 403: "403: forbidden"}.get(
                    status, f"HTTP {status}"
                )
                log(f"-- {target.name:18} {probe_path}: {target.note}; not measured")
                continue
            log(f"-- {target.name:18} {probe_path if not target.rotate else target.path}")
            for run in range(runs):
                if target.rotate:
                    # Cold: each run starts from fresh workers and an empty cache, then requests every sheet of
                    # the pool once (a run's window is then as long as the pool allows: at 1,000 sheets about a quarter
                    # of a second, where a third of the pool per run left a tenth, too short to measure steadily);
                    # warm-up uses reserved sheets outside that pool.
                    if run:  # the workers of this row's last run (before the first, they were the previous row's)
                        target.peak_rss_kb = max(target.peak_rss_kb, server.peak_rss_kb())
                    if target.no_answer_files:  # the run before wrote them again
                        shutil.rmtree(os.environ["FACTSHEETS_ANSWER_FILES"], ignore_errors=True)
                    reset_cache()
                    server.restart_workers()
                    warm_up(server.port, reserved_paths[target.name], headers, seconds, wrk, **warm_args)
                    answers_root = os.environ.get("FACTSHEETS_ANSWER_FILES")
                    if server is app and answers_root and not target.no_answer_files:
                        t = time.perf_counter()
                        files, size = answer_files_in_page_cache(answers_root, keep=target.page_cache == "cached")
                        if run == 0:  # a read longer than DAMON's minute would let the first files go again
                            log(
                                f"   answer files {target.page_cache}: {files} files, {size / 1e6:.0f} MB "
                                f"in {time.perf_counter() - t:.1f} s"
                            )
                    result = run_wrk(
                        wrk,
                        server.port,
                        "",
                        rotate_file=rotate_paths[target.name],
                        once=True,
                        headers=headers,
                        **wrk_args,
                    )
                else:
                    if run == 0:
                        warm_up(server.port, [probe_path], headers, seconds, wrk, **warm_args)
                    result = run_wrk(wrk, server.port, probe_path, headers=headers, **wrk_args)
                target.runs.append(result)
                log(
                    f"   run {run + 1}: {result['rps']:.0f} req/s, p50 {result['p50_us'] / 1000:.1f} ms, "
                    f"p99 {result['p99_us'] / 1000:.1f} ms, errors {result['errors_total']}"
                    + (f", {result['counted']} first hits" if target.rotate else "")
                )
            target.peak_rss_kb = max(target.peak_rss_kb, server.peak_rss_kb())

        # The export of this data and nginx serving it, against nginx serving the same bytes as a plain file
        # (bench.export_nginx). In a directory nginx's workers can read (they may run as nobody).
        from bench import export_nginx

        nginx_part = None
        if os.environ.get("BENCH_NGINX_ROWS", "1") == "0":
            log("-- nginx rows: off (BENCH_NGINX_ROWS=0)")
        elif not export_nginx.nginx_available():
            log("-- nginx rows: not measured (needs nginx: apt-get install nginx)")
        else:
            log("-- nginx serving the export, nginx static file (same bytes)")
            nginx_tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
            nginx_tmp.chmod(0o755)
            try:
                nginx_part = export_nginx.measure(
                    info, nginx_tmp, wrk=wrk, wrk_args=wrk_args, runs=runs, jobs=os.cpu_count() or 1
                )
            finally:
                if not keep:
                    shutil.rmtree(nginx_tmp, ignore_errors=True)

        report = make_report(
            targets,
            info=info,
            started_at=started_at,
            floor_source=floor_source,
            nginx=nginx_part,
            config={
                "sheets": sheets,
                "seconds": seconds,
                "runs": runs,
                "connections": n_connections,
                "threads": threads,
                "workers": workers,
                "database": connection.vendor,
                "app_port": app.port,
                "floor_port": floor.port,
                "cache": settings.CACHES["default"]["BACKEND"],
                "logged_in": cookie is not None,
            },
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n")
        print(format_table(report))
        print(f"\nJSON: {output}")
        return 0
    finally:
        for server in reversed(servers):
            server.stop()
        try:
            if "django" in sys.modules and os.environ.get("DJANGO_CACHE_PREFIX"):
                reset_cache()
                from django.db import connections

                connections.close_all()
        except Exception as exc:  # noqa: BLE001 - cleanup must go on
            log(f"!! cleanup: {exc}")
        drop_database()
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def make_report(
    targets: list[Target], *, info: dict, started_at, floor_source: str, config: dict, nginx: dict | None = None
) -> dict:
    floor = next(t for t in targets if t.name == "floor")
    floor_rps = median_of(floor.runs, "rps") if floor.runs else None
    rows = {}
    for t in targets:
        row = {
            "path": t.path,
            "label": t.label,
            "status": t.status,
            "note": t.note,
            "queries": t.queries,
            "inprocess_ms": t.inprocess_ms,
            "peak_worker_rss_mb": round(t.peak_rss_kb / 1024, 1) if t.peak_rss_kb else None,
            "runs": t.runs,
        }
        if t.runs:
            rps = median_of(t.runs, "rps")
            row.update(
                rps=round(rps, 1),
                p50_ms=round(median_of(t.runs, "p50_us") / 1000, 2),
                p99_ms=round(median_of(t.runs, "p99_us") / 1000, 2),
                errors=sum(r["errors_total"] for r in t.runs),
                ratio_to_floor=round(rps / floor_rps, 3) if floor_rps else None,
            )
        rows[t.name] = row
    app_peaks = [t.peak_rss_kb for t in targets if t.server == "app" and t.peak_rss_kb]
    report = {
        "started_at": started_at.isoformat(),
        "commit": git_commit(),
        "config": config,
        "data": {k: v for k, v in info.items() if k not in ("live_slugs", "author_password")},
        "floor_source": floor_source,
        "floor_rps": round(floor_rps, 1) if floor_rps else None,
        "peak_worker_rss_mb": round(max(app_peaks) / 1024, 1) if app_peaks else None,
        "targets": rows,
        "nginx": nginx,
    }
    report["checks"] = check_targets(report)
    return report


WARM_TARGETS = ("sheet_warm", "index", "search", "versions", "api_list", "api_detail_warm", "api_versions")
LIST_TARGETS = ("index", "search", "versions", "api_list", "api_versions")
FLOOR_RATIOS = {"sheet_warm": 0.8, "api_detail_warm": 0.8, "sheet_cold": 0.5, "api_detail_cold": 0.5}
TAIL_RATIO = 3  # p99 <= 3 x p50 on every warm target
NGINX_RATIO = 0.9  # nginx serving the export >= 0.9 x nginx serving the same bytes as a plain file
EXPORT_LIMIT_S, ONE_SHEET_LIMIT_S = 120, 1  # export_site of every sheet; a one-sheet re-export after a publish
MEMORY_LIMIT_MB = 150


def check_targets(report: dict) -> list[dict]:
    """Issue 16's targets (and the admin changelist's), each passed, failed or not measurable in this run."""
    rows = report["targets"]
    checks = []

    def check(name, ok, detail):
        checks.append({"target": name, "result": "n/a" if ok is None else ("pass" if ok else "FAIL"), "detail": detail})

    for key, minimum in FLOOR_RATIOS.items():
        r = rows[key].get("ratio_to_floor")
        check(
            f"{key} >= {minimum} x floor",
            None if r is None else r >= minimum,
            f"{r} x floor" if r is not None else rows[key]["note"],
        )
    for key in WARM_TARGETS:
        p50, p99 = rows[key].get("p50_ms"), rows[key].get("p99_ms")
        check(
            f"{key} p99 <= {TAIL_RATIO} x p50",
            None if not p50 else p99 <= TAIL_RATIO * p50,
            f"p50 {p50} ms, p99 {p99} ms" if p50 else rows[key]["note"],
        )
    for key in LIST_TARGETS:
        p99 = rows[key].get("p99_ms")
        check(
            f"{key} p99 < 100 ms",
            None if p99 is None else p99 < 100,
            f"p99 {p99} ms" if p99 is not None else rows[key]["note"],
        )
    nginx = report.get("nginx")
    ratio = nginx["ratio_to_static"] if nginx else None
    check(
        f"nginx serving the export >= {NGINX_RATIO} x static file",
        None if ratio is None else ratio >= NGINX_RATIO,
        f"{ratio} x static file" if nginx else "nginx rows not measured",
    )
    export = nginx["export"] if nginx else {}
    check(
        f"export_site of every sheet < {EXPORT_LIMIT_S} s",
        None if not export else export["full_s"] < EXPORT_LIMIT_S,
        f"{export['full_s']} s" if export else "not measured",
    )
    slowest = max(export["one_sheet_cold_s"], export["one_sheet_warm_s"]) if export else None
    check(
        f"one-sheet re-export < {ONE_SHEET_LIMIT_S} s",
        None if slowest is None else slowest < ONE_SHEET_LIMIT_S,
        f"{slowest} s (the slower of cold and warm)" if export else "not measured",
    )
    measured = [key for key, row in rows.items() if row.get("runs")]
    errors = {key: rows[key]["errors"] for key in measured if rows[key]["errors"]}
    errors |= {key: row["errors"] for key, row in (nginx["rows"] if nginx else {}).items() if row["errors"]}
    check("0 errors in every row", not errors if measured else None, str(errors or "none"))
    admin = rows["admin_changelist"]
    check(
        "admin changelist <= 10 queries",
        None if admin["status"] != 200 else admin["queries"] <= 10,
        f"{admin['queries']} queries" if admin["status"] == 200 else admin["note"],
    )
    check(
        "admin changelist p50 < 300 ms",
        None if admin.get("p50_ms") is None else admin["p50_ms"] < 300,
        f"p50 {admin.get('p50_ms')} ms" if admin.get("p50_ms") is not None else admin["note"],
    )
    peak = report["peak_worker_rss_mb"]
    check(
        f"peak worker memory < {MEMORY_LIMIT_MB} MB",
        None if peak is None else peak < MEMORY_LIMIT_MB,
        f"{peak} MB (VmHWM)",
    )
    return checks


def format_table(report: dict) -> str:
    c = report["config"]
    lines = [
        f"Benchmark {report['started_at']} commit {report['commit']}: {c['sheets']} sheets, {c['database']}, "
        f"cache {c['cache'].rsplit('.', 1)[-1]}, gunicorn {c['workers']} sync workers, "
        f"wrk -t{c['threads']} -c{c['connections']} -d{c['seconds']:g}s (cold rows -t1), median of {c['runs']}",
        "",
        f"| {'target':<40} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'queries':>7} | {'x floor':>7} | errors |",
        f"|{'-' * 42}|{'-' * 9}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|-------:|",
    ]
    for row in report["targets"].values():
        queries = "-" if row["queries"] is None else str(row["queries"])
        if "rps" in row:
            ratio = "1.00" if row["label"].startswith("floor") else f"{row['ratio_to_floor']:.2f}"
            lines.append(
                f"| {row['label']:<40} | {row['rps']:>8.0f} | {row['p50_ms']:>7.1f} | {row['p99_ms']:>7.1f} | {queries:>7} | {ratio:>7} |"
                f" {row['errors']:>6} |"
            )
        else:
            lines.append(
                f"| {row['label']:<40} | {row['note']:>8} | {'':>7} | {'':>7} | {queries:>7} | {'':>7} | {'':>6} |"
            )
    if report.get("nginx"):
        from bench.export_nginx import format_part

        lines += ["", *format_part(report["nginx"])]
    lines.append("")
    lines.append(f"Peak worker memory (VmHWM) under load: {report['peak_worker_rss_mb']} MB")
    for chk in report["checks"]:
        lines.append(f"  [{chk['result']:>4}] {chk['target']}: {chk['detail']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
