"""The task state machine asks the guards the apps above planning register in AppConfig.ready()."""

from __future__ import annotations

import pytest

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.planning import services, task_guards, task_listeners
from shuangsuiji.planning.models import Task, TaskState, TaskTransition
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


def test_oversight_registered_its_task_listener() -> None:
    assert "oversight.task_archive" in task_listeners.registered_task_listeners()


@pytest.mark.django_db
def test_listeners_hear_each_recorded_move_and_a_failing_one_undoes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = make_task(world, code="RW-LISTEN-1")  # 方案已公布
    actor = world.users["a_admin"]
    heard: list[tuple[str, str, str, str]] = []
    monkeypatch.setattr(task_guards, "_guards", {})
    monkeypatch.setattr(task_listeners, "_listeners", {})
    task_listeners.register_task_listener(
        "test", lambda t, frm, to, who: heard.append((t.code, frm, to, who.username))
    )
    services.task_transition(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN)
    services.task_transition(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN)  # no move: nothing heard
    assert heard == [("RW-LISTEN-1", TaskState.SCHEME_PUBLISHED, TaskState.TARGETS_DRAWN, "a_admin")]

    def refuse(t: Task, frm: str, to: str, who: object) -> None:
        raise ApplicationError("监听方失败")

    task_listeners.register_task_listener("test", refuse)
    with pytest.raises(ApplicationError, match="监听方失败"):
        services.task_transition(actor=actor, task=task, to_state=TaskState.INSPECTORS_MATCHED)
    task.refresh_from_db()
    assert task.state == TaskState.TARGETS_DRAWN
    assert not TaskTransition.objects.filter(task=task, to_state=TaskState.INSPECTORS_MATCHED).exists()
