"""Integration fixtures: the planning world (政策法规科, 医保局, a second item) for flows across the apps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, build_world
from tests.planning.conftest import extend_world


@pytest.fixture
def pw(db: Any) -> World:
    return extend_world(build_world())
