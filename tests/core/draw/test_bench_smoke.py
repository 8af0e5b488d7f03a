"""bench/draw_bench.py runs at a small size (figures are not checked: tests never time things)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_draw_bench_smoke() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "draw_bench.py"), "--size", "3000", "--no-postgres"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "端到端" in result.stdout and "记录相同" in result.stdout
