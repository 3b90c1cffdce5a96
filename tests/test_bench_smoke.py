"""The benchmark harness keeps working: `python -m bench.run` end to end with 50 sheets, 1 s per target.

Not a performance test: it checks that every target is present in the JSON, that the floor was measured
and that every server the harness started is gone afterwards.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import build_targets, find_wrk

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        BENCH_SHEETS="50", BENCH_SECONDS="1", BENCH_RUNS="1", BENCH_OUTPUT=str(tmp_path / "result.json"), **extra
    )
    return env


def test_missing_wrk_says_how_to_install_it(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env=bench_env(tmp_path, BENCH_WRK=str(tmp_path / "no-wrk-here")),
    )
    assert out.returncode == 2
    assert "apt-get install wrk" in out.stderr
    assert not (tmp_path / "result.json").exists()


@pytest.mark.skipif(find_wrk() is None, reason="wrk is not installed (apt-get install wrk); the benchmark needs it")
def test_bench_runs_end_to_end_with_50_sheets(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        env=bench_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads((tmp_path / "result.json").read_text())

    expected = {t.name for t in build_targets("x", "y")}
    floors = {t.name for t in build_targets("x", "y") if t.server == "floor"}  # the bare app: no queries counted
    assert set(report["targets"]) == expected and {"floor", "floor_once"} <= floors
    assert report["data"]["sheets"] == 50 and report["data"]["sections"] >= 50 * 3 * 8
    assert report["floor_rps"] and report["floor_rps"] > 0
    assert report["targets"]["floor"]["runs"] and report["targets"]["floor"]["errors"] == 0
    for name, row in report["targets"].items():
        assert row["status"] is not None, name
        if row["status"] == 200:  # measured: a rate, latencies and (for app pages) a query count
            assert row["rps"] > 0 and row["p99_ms"] >= row["p50_ms"] > 0, name
            assert name in floors or row["queries"] is not None, name
        else:  # not built yet on this branch: reported, not crashed
            assert row["note"] and "rps" not in row, name
    assert report["targets"]["sheet_warm"]["status"] == 200  # the sheet page exists from the skeleton on
    assert report["peak_worker_rss_mb"] > 0
    assert "| target" in out.stdout and "floor" in out.stdout
    checks = {c["target"]: c["result"] for c in report["checks"]}
    if shutil.which("nginx"):  # the export and nginx serving it, in the same run
        nginx = report["nginx"]
        assert set(nginx["rows"]) == {"nginx_export", "nginx_static"}
        for row in nginx["rows"].values():
            assert row["rps"] > 0 and row["errors"] == 0 and row["cpu_us"] > 0 and row["p99_ms"] >= row["p50_ms"]
        assert nginx["export"]["files"] > 50 * 5 and nginx["ratio_to_static"] > 0
        assert checks["nginx serving the export >= 0.9 x static file"] in ("pass", "FAIL")
        assert checks["one-sheet re-export < 1 s"] in ("pass", "FAIL")
        assert "| nginx serving the export |" in out.stdout

    for port in (report["config"]["app_port"], report["config"]["floor_port"]):  # every server stopped
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(2)
            s.connect(("127.0.0.1", port))


def test_the_checks_are_the_speed_targets():
    """Ratios to the floor, tails (p99 <= 3 x p50), list latency, errors and memory, each from the report's rows."""
    from bench.run import check_targets

    def row(rps, p50, p99, errors=0):
        return {
            "status": 200,
            "note": "",
            "queries": 0,
            "runs": [{}],
            "rps": rps,
            "p50_ms": p50,
            "p99_ms": p99,
            "errors": errors,
            "ratio_to_floor": rps / 1000,
        }

    rows = {
        name: row(900, 10, 20)
        for name in ("sheet_warm", "index", "search", "versions", "api_list", "api_detail_warm", "api_versions")
    }
    rows.update(floor=row(1000, 5, 8), sheet_cold=row(450, 30, 60), api_detail_cold=row(600, 20, 40))
    rows["search"] = row(900, 10, 31)  # a tail over 3 x p50
    rows["api_list"] = row(900, 40, 110, errors=2)  # slow list with errors
    rows["admin_changelist"] = row(10, 200, 400) | {"queries": 6}
    checks = {c["target"]: c["result"] for c in check_targets({"targets": rows, "peak_worker_rss_mb": 151.0})}
    assert checks["nginx serving the export >= 0.9 x static file"] == "n/a"  # not measured: said, not passed
    nginx = {
        "ratio_to_static": 0.85,
        "export": {"full_s": 130.0, "one_sheet_cold_s": 0.4, "one_sheet_warm_s": 0.3},
        "rows": {"nginx_export": {"errors": 0}, "nginx_static": {"errors": 3}},
    }
    with_nginx = check_targets({"targets": rows, "peak_worker_rss_mb": 100.0, "nginx": nginx})
    with_nginx = {c["target"]: c for c in with_nginx}
    assert with_nginx["nginx serving the export >= 0.9 x static file"]["result"] == "FAIL"
    assert with_nginx["export_site of every sheet < 120 s"]["result"] == "FAIL"
    assert with_nginx["one-sheet re-export < 1 s"]["result"] == "pass"
    assert "nginx_static" in with_nginx["0 errors in every row"]["detail"]
    nginx |= {"ratio_to_static": 0.93, "export": {"full_s": 20.0, "one_sheet_cold_s": 1.2, "one_sheet_warm_s": 0.3}}
    with_nginx = {
        c["target"]: c["result"] for c in check_targets({"targets": rows, "peak_worker_rss_mb": 1, "nginx": nginx})
    }
    assert with_nginx["nginx serving the export >= 0.9 x static file"] == "pass"
    assert (
        with_nginx["export_site of every sheet < 120 s"] == "pass" and with_nginx["one-sheet re-export < 1 s"] == "FAIL"
    )
    assert checks["sheet_warm >= 0.8 x floor"] == "pass"
    assert checks["sheet_cold >= 0.5 x floor"] == "FAIL"
    assert checks["api_detail_cold >= 0.5 x floor"] == "pass"
    assert checks["search p99 <= 3 x p50"] == "FAIL" and checks["index p99 <= 3 x p50"] == "pass"
    assert checks["api_list p99 < 100 ms"] == "FAIL" and checks["versions p99 < 100 ms"] == "pass"
    assert checks["0 errors in every row"] == "FAIL"
    assert checks["peak worker memory < 150 MB"] == "FAIL"
