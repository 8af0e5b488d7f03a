"""Smoke test of bench/dashboard_bench.py with a tiny data set (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _postgres() -> bool:
    sys.path.insert(0, str(ROOT / "bench"))
    from dashboard_bench import postgres_available

    return postgres_available()


def test_dashboard_bench_smoke() -> None:
    if not _postgres():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432: the dashboard benchmark needs it")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dashboard_bench.py"), "--size", "1000", "--repeat", "1"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for label in ("县（区）卫生健康局", "市卫生健康委", "省卫生健康委（全省）", "名录库汇总表全量统计", "基线"):
        assert label in proc.stdout, proc.stdout
