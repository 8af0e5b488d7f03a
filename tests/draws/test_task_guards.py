"""A task state says what has happened: no page, API call or service can move a task past work not done."""

from __future__ import annotations

import pytest

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.draws import services as draw_services
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task, TaskState
from tests.conftest import World
from tests.draws.factories import drawn, make_task, matched, populated_task

pytestmark = pytest.mark.django_db


def _move(world: World, task: Task, to: str, *, manual: bool = False) -> Task:
    return services.task_transition(actor=world.users["a_admin"], task=task, to_state=to, manual_only=manual)


def test_each_step_needs_its_work(world: World) -> None:
    task = populated_task(world)  # 方案已公布
    with pytest.raises(ApplicationError, match="尚未抽取检查对象"):
        _move(world, task, TaskState.TARGETS_DRAWN)
    matched_task = make_task(world, code="RW-2026-002")  # same targets and inspectors
    match = matched(world, matched_task)
    matched_task.refresh_from_db()
    assert matched_task.state == TaskState.INSPECTORS_MATCHED  # the draws service moved it, work done
    with pytest.raises(ApplicationError, match="人员匹配仍然有效"):
        _move(world, matched_task, TaskState.TARGETS_DRAWN)
    with pytest.raises(ApplicationError, match="尚未经第二人确认"):
        _move(world, matched_task, TaskState.INSPECTING, manual=True)
    draw_services.match_confirm(actor=world.users["a_leader"], match=match)
    assert _move(world, matched_task, TaskState.INSPECTING, manual=True).state == TaskState.INSPECTING
    with pytest.raises(ApplicationError, match="还没有一企一表"):
        _move(world, matched_task, TaskState.COMPLETED, manual=True)


def test_drawn_task_needs_a_match(world: World) -> None:
    task = populated_task(world)
    drawn(world, task)
    task.refresh_from_db()
    assert task.state == TaskState.TARGETS_DRAWN
    with pytest.raises(ApplicationError, match="尚未匹配执法检查人员"):
        _move(world, task, TaskState.INSPECTORS_MATCHED)


def test_pages_and_api_offer_only_the_manual_moves(world: World) -> None:
    task = populated_task(world)
    with pytest.raises(ApplicationError, match="自动变更"):
        _move(world, task, TaskState.TARGETS_DRAWN, manual=True)
    client = world.client("a_admin")
    client.post(f"/planning/tasks/{task.pk}/transition/", {"to_state": TaskState.TARGETS_DRAWN})
    response = client.post(f"/api/planning/tasks/{task.pk}/transitions",
                           {"to_state": TaskState.TARGETS_DRAWN, "comment": ""}, content_type="application/json")
    assert response.status_code == 400 and "自动变更" in response.json()["detail"]
    task.refresh_from_db()
    assert task.state == TaskState.SCHEME_PUBLISHED


def test_completion_and_publication_need_reviewed_and_published_records(world: World) -> None:
    from tests.inspections.factories import generated

    s, hotel, clinic = generated(world)
    task = s.task
    Task.objects.filter(pk=task.pk).update(state=TaskState.INSPECTING)
    task.refresh_from_db()
    with pytest.raises(ApplicationError, match="还有 2 份一企一表未审核通过"):
        _move(world, task, TaskState.COMPLETED, manual=True)
    Task.objects.filter(pk=task.pk).update(state=TaskState.COMPLETED)
    task.refresh_from_db()
    with pytest.raises(ApplicationError, match="还有 2 户的抽查结果未公示"):
        _move(world, task, TaskState.PUBLISHED, manual=True)


def test_task_page_shows_how_to_verify_once_drawn(world: World) -> None:
    task = populated_task(world)
    client = world.client("a_admin")
    assert "如何验证" not in client.get(f"/planning/tasks/{task.pk}/").content.decode()
    matched(world, task)
    page = client.get(f"/planning/tasks/{task.pk}/").content.decode()
    assert "如何验证" in page and "ssj draw verify" in page and "ssj match verify" in page
