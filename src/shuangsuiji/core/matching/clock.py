"""Wall and CPU time per stage of the matching, for the benchmark (off unless a clock is installed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu


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
