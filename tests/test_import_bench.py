"""Smoke test of bench/import_bench.py with a tiny file (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_bench_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_bench.py"), "--rows", "150", "--no-postgres"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "python-calamine" in proc.stdout and "openpyxl" in proc.stdout
    assert "新增 150" in proc.stdout and "未变化 150" in proc.stdout
