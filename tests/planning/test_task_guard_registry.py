"""The task state machine asks the guards the apps above planning register in AppConfig.ready()."""

from __future__ import annotations

import pytest

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.planning import services, task_guards
from shuangsuiji.planning.models import TaskState
from tests.conftest import World
from tests.draws.factories import make_task


def test_every_app_doing_task_work_registered_its_guard() -> None:
    assert set(task_guards.registered_task_guards()) == {"planning.scheme", "draws", "inspections", "disclosure"}


@pytest.mark.django_db
def test_a_registered_guard_refuses_and_its_removal_lets_the_move_through(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    task = make_task(world, code="RW-GUARD-1")  # 方案已公布
    actor = world.users["a_admin"]
    with pytest.raises(ApplicationError, match="尚未抽取检查对象"):  # the draws guard: no draw yet
        services.task_transition(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN)
    monkeypatch.setattr(task_guards, "_guards", {})
    task_guards.register_task_guard("test", lambda t, frm, to: "测试拒绝" if to == TaskState.TARGETS_DRAWN else None)
    with pytest.raises(ApplicationError, match="测试拒绝"):
        services.task_transition(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN)
    monkeypatch.setattr(task_guards, "_guards", {})
    moved = services.task_transition(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN)
    assert moved.state == TaskState.TARGETS_DRAWN
