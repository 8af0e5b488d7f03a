from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import World
from tests.disclosure.factories import Portal, build_portal


@pytest.fixture
def portal(world: World) -> Portal:
    return build_portal(world)


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()
