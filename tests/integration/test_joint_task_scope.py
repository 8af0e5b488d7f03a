"""Participating departments of a joint task read its draws and matches (read-only); nobody else does."""

from __future__ import annotations

from typing import Any

import pytest

from shuangsuiji.common.exceptions import PermissionDeniedError
from shuangsuiji.draws import selectors
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.models import InspectorMatch, RedrawRequest, TargetDraw
from shuangsuiji.planning.models import Task
from tests.conftest import World
from tests.draws.factories import drawn, matched, populated_task


def joint_task(pw: World) -> tuple[Task, InspectorMatch]:
    task = populated_task(pw)
    task.participants.set([pw.orgs["a_culture"]])  # 文广旅局 takes part; 医保局 (a_medins) does not
    match = matched(pw, task)
    return task, match


def test_selectors_let_participants_read(pw: World) -> None:
    task, match = joint_task(pw)
    draw = match.draw
    request = draw_services.redraw_request_create(actor=pw.users["a_admin"], draw=draw, reason="演示：范围调整")
    culture = pw.users["a_culture"]
    assert list(TargetDraw.objects.visible_to(culture)) == [draw]
    assert list(InspectorMatch.objects.visible_to(culture)) == [match]
    assert list(RedrawRequest.objects.visible_to(culture)) == [request]
    overview = selectors.task_draw_overview(actor=culture, task=task)
    assert overview.current == draw and overview.current_match == match and overview.step == 5
    assert overview.permissions == {
        "run": False, "confirm": False, "approve": False, "participant": True, "confirm_match": False
    }
    for outsider in ("a_medins", "b_admin"):
        user = pw.users[outsider]
        assert not TargetDraw.objects.visible_to(user).exists()
        assert not InspectorMatch.objects.visible_to(user).exists()
        assert not RedrawRequest.objects.visible_to(user).exists()
    # the owner and the upper level read as before
    assert TargetDraw.objects.visible_to(pw.users["a_admin"]).get() == draw
    assert TargetDraw.objects.visible_to(pw.users["city_supervisor"]).get() == draw


def test_participants_cannot_change_anything(pw: World) -> None:
    task = populated_task(pw)
    task.participants.set([pw.orgs["a_culture"]])
    draw = drawn(pw, task)
    culture = pw.users["a_culture"]
    with pytest.raises(PermissionDeniedError):
        draw_services.draw_confirm(actor=culture, draw=draw)
    with pytest.raises(PermissionDeniedError):
        draw_services.redraw_request_create(actor=culture, draw=draw, reason="参与部门不能申请")
    assert TargetDraw.objects.editable_by(culture, "draw.run").count() == 0  # type: ignore[arg-type]
    response = pw.client("a_culture").post(f"/draws/{draw.pk}/confirm/")
    assert response.status_code in (302, 403)
    draw.refresh_from_db()
    assert draw.confirmed_at is None


PAGES = [
    "/draws/tasks/{task}/", "/draws/{draw}/", "/draws/{draw}/record.json", "/draws/matches/{match}/",
    "/planning/tasks/{task}/", "/api/draws/tasks/{task}", "/api/draws/draws/{draw}", "/api/draws/matches/{match}",
]


@pytest.mark.parametrize("user,expected", [("a_culture", 200), ("a_admin", 200), ("a_medins", 404), ("b_admin", 404)])
def test_pages_and_api(pw: World, user: str, expected: int) -> None:
    task, match = joint_task(pw)
    client = pw.client(user)
    ids: dict[str, Any] = {"task": task.pk, "draw": match.draw_id, "match": match.pk}
    for page in PAGES:
        response = client.get(page.format(**ids))
        assert response.status_code == expected, (page, response.status_code)
    if user == "a_culture":
        wizard = client.get(f"/draws/tasks/{task.pk}/").content.decode()
        assert "本单位为该联合抽查任务的参与部门" in wizard
        task_page = client.get(f"/planning/tasks/{task.pk}/").content.decode()
        assert f"/draws/tasks/{task.pk}/" in task_page and "查看检查组" in task_page


def test_task_page_shows_the_draw_state_and_links_both_ways(pw: World) -> None:
    task, match = joint_task(pw)
    client = pw.client("a_admin")
    page = client.get(f"/planning/tasks/{task.pk}/").content.decode()
    assert f"/draws/tasks/{task.pk}/" in page and "第1次抽取" in page and match.get_absolute_url() in page
    assert "抽取结果确认" in page  # the current draw's deadline is listed with the task's own
    wizard = client.get(f"/draws/tasks/{task.pk}/").content.decode()
    assert task.get_absolute_url() in wizard
    draw_page = client.get(f"/draws/{match.draw_id}/").content.decode()
    assert task.get_absolute_url() in draw_page and "抽取结果确认" in draw_page
    assert task.get_absolute_url() in client.get(f"/draws/matches/{match.pk}/").content.decode()
