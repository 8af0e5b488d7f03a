"""Fixtures shared by the statistics, dashboard and report tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import World
from tests.oversight.stats_factories import TODAY, Scenario, at, scenario


@pytest.fixture
def stats_today() -> Iterator[None]:
    """The clock frozen on the statistics scenario's day (2026年11月25日, Beijing time)."""
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def s(world: World) -> Scenario:
    """The statistics scenario (tasks, draws, records, cases of three bureaus)."""
    return scenario(world)
