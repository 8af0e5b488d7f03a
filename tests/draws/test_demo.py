"""The demo loader goes through the real services and is idempotent."""

from __future__ import annotations

import datetime

from shuangsuiji.draws.demo import load_demo_draws
from shuangsuiji.draws.models import DrawStatus, TargetDraw
from shuangsuiji.draws.verification import verify_draw, verify_match
from shuangsuiji.planning.models import TaskState
from tests.conftest import World
from tests.draws.factories import populated_task


def test_demo_creates_a_confirmed_draw_and_a_match(world: World) -> None:
    assert load_demo_draws(today=datetime.date(2026, 3, 1)).task is None
    task = populated_task(world)
    result = load_demo_draws(today=datetime.date(2026, 3, 1))
    assert result.draw is not None and result.match is not None, result.message
    assert result.draw.status == DrawStatus.CONFIRMED and result.draw.confirmed_by != result.draw.drawn_by
    task.refresh_from_db()
    assert task.state == TaskState.INSPECTORS_MATCHED
    assert verify_draw(result.draw).ok and verify_match(result.match).ok
    again = load_demo_draws(today=datetime.date(2026, 3, 1), task=task)
    assert again.match is None and TargetDraw.objects.filter(task=task).count() == 1
