"""Wall and CPU time per stage of the matching, for the benchmark (off unless a clock is installed).

Also the process's peak resident memory at the end of each stage (the stage that raises it set the peak).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak_mib: dict[str, float] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu
        self.peak_mib[name] = max(self.peak_mib.get(name, 0.0), _peak_mib())


def _peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB (0 where the platform has no getrusage)."""
    if sys.platform == "win32":  # pragma: no cover
        return 0.0
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


_installed: list[StageClock] = []


def install(clock: StageClock | None) -> None:
    _installed[:] = [clock] if clock is not None else []


@contextmanager
def stage(name: str) -> Iterator[None]:
    if not _installed:
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        _installed[0].add(name, time.perf_counter() - wall, time.process_time() - cpu)
