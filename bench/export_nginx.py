"""Export timings and nginx serving the export, in one run:

    BENCH_SHEETS=1000 .venv/bin/python -m bench.export_nginx

Builds a throwaway database (as bench.run: SQLite temp file, or DATABASE_URL's server), times
`export_site` of every sheet (after `build_answers`, which stands for the publishes that stored each sheet's
answers), a one-sheet re-export after that sheet's publish (what export_on_change writes: its files and the lists
it is on) and one with `--since` (every list), then serves the export with nginx
(a non-daemon child on a free port, temp config) and measures with wrk "nginx serving the export" (a sheet
page) against "nginx static file, same bytes" (that page's bytes copied to a plain static root), printing
the ratio (the two rows run in pairs, which goes first swapped pair by pair), and the CPU time nginx's workers
spent a request in each row (/proc: user and system; wrk shares the machine, so throughput also counts its share). Throttles are off as in bench.run. BENCH_EXPORT_JOBS: `export_site --jobs` (default: the CPU count). nginx and wrk are stopped in `finally`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import (
    bench_env,
    collect_static,
    BASE_DIR,
    free_port,
    http_get,
    log,
    prepare_database,
    run_wrk,
    find_wrk,
    median_of,
    env_int,
    env_float,
)

NGINX = os.environ.get("BENCH_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"

MAIN_CONF = """\
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    sendfile on;
    include {export}/nginx.conf;
    server {{
        listen {static_port};
        root {static};
        location / {{ types {{ text/html html; }} }}
    }}
}}
"""


def nginx_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time of nginx's workers (the master's children) so far."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # ppid; utime and stime are the stat file's 14th and 15th fields
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(info: dict, tmp: Path, *, wrk: str, wrk_args: dict, runs: int, jobs: int) -> dict:
    """Export timings and the two nginx rows, on a database already built with its stored answers (bench.run's
    or main's); Django is set up. nginx is stopped before this returns."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from factsheets.models import FactSheet
    from factsheets.public import cache, pages
    from factsheets.public.site_export import export_site

    export = tmp / "export"
    nginx_port, static_port = free_port(), free_port()
    t = time.perf_counter()
    call_command("export_site", str(export), jobs=jobs, listen=f"127.0.0.1:{nginx_port}", upstream="127.0.0.1:9")
    full = time.perf_counter() - t
    n_files = sum(1 for p in export.rglob("*") if p.is_file())
    log(f"== export_site --jobs {jobs} ({connection.vendor}): {full:.1f} s, {n_files} files")

    slug = info["live_slugs"][0]
    # A publish of that sheet: what its commit runs (generations renewed, its answers built; FACTSHEETS_EXPORT_DIR
    # is unset here), then, timed, what export_on_change runs: its files and the lists it is on.
    # Cold: in a worker that has not yet reversed the lists' addresses (pages.url_in keeps them per process);
    # warm: in one that has (here: the previous re-export).
    timed = {}
    for state in ("cold", "warm"):
        cache.content_changed(slug)
        if state == "cold":
            pages.forget_addresses()
        t = time.perf_counter()
        export_site(export, slugs=[slug], listen=f"127.0.0.1:{nginx_port}", upstream="127.0.0.1:9")
        timed[state] = time.perf_counter() - t
        log(f"== re-export after a publish of one sheet (export_on_change), {state}: {timed[state]:.2f} s")

    sheet = FactSheet.objects.select_related("live_revision").get(slug=slug)
    moment = timezone.now() + dt.timedelta(hours=1)
    type(sheet.live_revision).objects.filter(pk=sheet.live_revision_id).update(published_at=moment)
    t = time.perf_counter()
    call_command(
        "export_site", str(export), since=moment.isoformat(), listen=f"127.0.0.1:{nginx_port}", upstream="127.0.0.1:9"
    )
    again = time.perf_counter() - t
    log(f"== export_site --since (one sheet changed): {again:.2f} s")

    page = next(p for p in (export / "factsheets" / slug).rglob("index.html"))
    static = tmp / "static"
    static.mkdir()
    shutil.copyfile(page, static / "page.html")
    rel = "/" + str(page.parent.relative_to(export)) + "/"
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp, export=export, static=static, static_port=static_port))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "nginx-stderr.log", "w"),
    )
    try:
        for _ in range(100):
            try:
                if http_get(nginx_port, rel)[0] == 200 and http_get(static_port, "/page.html")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(
                "nginx did not answer: "
                + (tmp / "nginx-stderr.log").read_text()
                + ((tmp / "nginx-error.log").read_text() if (tmp / "nginx-error.log").exists() else "")
            )
        # The export's files were just written: flush them to disk first, so that no row is measured during the
        # kernel's writeback of a hundred megabytes. The two rows then make pairs of runs, which of them goes first
        # swapped from one pair to the next, so that a change in the machine's speed during the measurement (seen
        # here: a third within minutes) falls on both rows; "x static" is the median of the pairs' ratios.
        targets = (
            ("nginx_export", "nginx serving the export", nginx_port, rel),
            ("nginx_static", "nginx static file, same bytes", static_port, "/page.html"),
        )
        os.sync()
        results = ([], [])
        ratios = []
        for n in range(1, runs + 1):
            for i in (0, 1) if n % 2 else (1, 0):
                _, _, port, path = targets[i]
                cpu = nginx_cpu_seconds(nginx.pid)
                result = run_wrk(wrk, port, path, **wrk_args)
                result["cpu_us"] = (nginx_cpu_seconds(nginx.pid) - cpu) * 1e6 / max(1, result["requests"])
                results[i].append(result)
            (export_run, static_run) = (rows[-1] for rows in results)
            ratios.append(export_run["rps"] / static_run["rps"])
            log(
                f"   pair {n}: export {export_run['rps']:.0f} req/s, static file {static_run['rps']:.0f} req/s: "
                f"{ratios[-1]:.2f} x; nginx CPU {export_run['cpu_us']:.1f} against {static_run['cpu_us']:.1f} µs a request"
            )
    finally:
        nginx.terminate()
        nginx.wait(10)
    rows = {}
    for (key, label, _, path), runs_of_row in zip(targets, results):
        rows[key] = {
            "label": label,
            "path": path,
            "runs": runs_of_row,
            "rps": round(median_of(runs_of_row, "rps"), 1),
            "p50_ms": round(median_of(runs_of_row, "p50_us") / 1000, 2),
            "p99_ms": round(median_of(runs_of_row, "p99_us") / 1000, 2),
            "errors": sum(r["errors_total"] for r in runs_of_row),
            "cpu_us": round(median_of(runs_of_row, "cpu_us"), 1),
        }
    return {
        "export": {
            "full_s": round(full, 2),
            "files": n_files,
            "one_sheet_cold_s": round(timed["cold"], 3),
            "one_sheet_warm_s": round(timed["warm"], 3),
            "since_one_sheet_s": round(again, 3),
            "jobs": jobs,
        },
        "page_bytes": page.stat().st_size,
        "rows": rows,
        "pair_ratios": [round(r, 3) for r in ratios],
        "ratio_to_static": round(statistics.median(ratios), 3),
    }


def format_part(part: dict) -> list[str]:
    """The export timings and the nginx rows, as lines of the report."""
    e = part["export"]
    lines = [
        f"export_site --jobs {e['jobs']}: {e['full_s']:.1f} s ({e['files']} files); one sheet after its publish: "
        f"{e['one_sheet_cold_s']:.2f} s cold, {e['one_sheet_warm_s']:.2f} s warm; --since one sheet (every list): "
        f"{e['since_one_sheet_s']:.2f} s",
        f"nginx: {part['page_bytes']} bytes a request, {len(part['pair_ratios'])} pairs; x static: median of the "
        f"pairs' ratios ({', '.join(f'{r:.2f}' for r in part['pair_ratios'])})",
        "| target | req/s | p50 ms | p99 ms | errors | x static | nginx CPU µs/request |",
    ]
    for key, row in part["rows"].items():
        ratio = part["ratio_to_static"] if key == "nginx_export" else 1.0
        lines.append(
            f"| {row['label']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['errors']} | "
            f"{ratio:.2f} | {row['cpu_us']:.1f} |"
        )
    return lines


def nginx_available() -> bool:
    return Path(NGINX).exists()


def main() -> int:
    wrk = find_wrk()
    if not wrk or not nginx_available():
        print("needs wrk and nginx", file=sys.stderr)
        return 2
    sheets = env_int("BENCH_SHEETS", 1000)
    runs = env_int("BENCH_RUNS", 3)
    jobs = env_int("BENCH_EXPORT_JOBS", os.cpu_count() or 1)
    wrk_args = {
        "seconds": env_float("BENCH_SECONDS", 10),
        "connections": env_int("BENCH_CONNECTIONS", 16),
        "threads": env_int("BENCH_THREADS", 2),
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    tmp.chmod(0o755)  # nginx workers may run as another user (nobody) when started as root
    drop = lambda: None  # noqa: E731
    try:
        database_url, drop = prepare_database(tmp)
        os.environ.update(bench_env(database_url, tmp))
        os.environ["BENCH_STATIC_ROOT"] = str(tmp / "static-collected")
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from bench.build_db import build

        call_command("migrate", verbosity=0, interactive=False)
        info = build(sheets, verbose=True)
        collect_static(Path(os.environ["BENCH_STATIC_ROOT"]))
        # What each sheet's publish did (the bench's data is bulk-inserted): the sheets' stored answers, which the
        # export copies. Timed apart: it is spread over the publishes, not part of an export.
        t = time.perf_counter()
        call_command("build_answers", jobs=jobs, stdout=io.StringIO())
        built = time.perf_counter() - t
        log(f"== stored answers of {sheets} sheets built in {built:.1f} s (--jobs {jobs})")
        part = measure(info, tmp, wrk=wrk, wrk_args=wrk_args, runs=runs, jobs=jobs)
        print(f"\n{sheets} sheets ({connection.vendor}); stored answers built beforehand in {built:.1f} s")
        print("\n".join(format_part(part)))
        return 0
    finally:
        drop()
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
