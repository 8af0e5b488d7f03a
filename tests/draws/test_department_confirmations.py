"""Every department of a joint task confirms its part of the drawn list (issue 18 item 6, 莲池 2023)."""

from __future__ import annotations

import pytest
from django.test import Client

from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.directory.models import Specialty, Target
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DepartmentConfirmation, DrawStatus
from shuangsuiji.planning.models import DrawRuleSettings
from tests.conftest import World
from tests.draws.factories import add_targets, drawn, make_task
from tests.draws.test_api import Api

pytestmark = pytest.mark.django_db


def _joint_draw(world: World):  # type: ignore[no-untyped-def]
    culture = world.orgs["a_culture"]
    culture.specialties.set([Specialty.objects.get(code="public_places")])
    add_targets(world, counts={"B": 10})
    t = Target.objects.create(owner=culture, code="L:文旅001", name="文旅歌舞厅", region=world.regions["a"])
    t.specialties.set([Specialty.objects.get(code="public_places")])
    DrawRuleSettings.objects.create(organization=world.orgs["a"], general_cap_percent=100, cycle_start_year=2026)
    task = make_task(world, ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    task.participants.set([culture])
    return drawn(world, task)


def test_joint_draw_waits_for_every_department_with_its_own_deadline(world: World) -> None:
    draw = _joint_draw(world)
    confirmation = DepartmentConfirmation.objects.get(draw=draw)
    assert confirmation.organization == world.orgs["a_culture"] and confirmation.target_count == 12
    deadline = Deadline.objects.get(kind=DeadlineKind.DRAW_CONFIRMATION, organization=world.orgs["a_culture"])
    assert deadline.due_date == confirmation.due_date and deadline.completed_at is None
    # the 发起部门's 双人确认 alone does not lock the draw
    draw = services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    assert draw.status == DrawStatus.DRAWN and draw.confirmed_at is not None
    with pytest.raises(ApplicationError, match="尚待莲池区文化广电和旅游局确认"):
        services.draw_confirm(actor=world.users["a_staff"], draw=draw)
    with pytest.raises(ApplicationError, match="确认后才能匹配"):
        services.match_run(actor=world.users["a_admin"], draw=draw, randomness=["1"])
    # only the department's own users confirm its part
    with pytest.raises(PermissionDeniedError):
        services.draw_department_confirm(actor=world.users["a_leader"], confirmation=confirmation)
    draw = services.draw_department_confirm(actor=world.users["a_culture"], confirmation=confirmation, comment="已比对")
    assert draw.status == DrawStatus.CONFIRMED
    deadline.refresh_from_db()
    assert deadline.completed_at is not None
    with pytest.raises(ApplicationError, match="无需重复确认"):
        services.draw_department_confirm(actor=world.users["a_culture"], confirmation=confirmation)


def test_department_may_confirm_before_the_organizer_and_pages_show_it(world: World) -> None:
    draw = _joint_draw(world)
    confirmation = DepartmentConfirmation.objects.get(draw=draw)
    page = world.client("a_culture").get(draw.get_absolute_url()).content.decode()
    assert "确认本部门部分" in page and "各参与部门确认" in page
    url = f"/draws/department-confirmations/{confirmation.pk}/confirm/"
    anonymous = Client().post(url, {"comment": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert world.client("b_admin").post(url, {"comment": "x"}).status_code == 404
    world.client("a_staff").post(url, {"comment": "x"})  # the organizer's staff: refused with a message
    confirmation.refresh_from_db()
    assert confirmation.confirmed_at is None
    response = world.client("a_culture").post(url, {"comment": "已比对"})
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN  # the organizer's 双人确认 still missing
    assert "确认本部门部分" not in world.client("a_culture").get(draw.get_absolute_url()).content.decode()
    draw = services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    assert draw.status == DrawStatus.CONFIRMED


def test_a_single_bureau_draw_needs_no_department_confirmation(world: World) -> None:
    add_targets(world, counts={"B": 5})
    draw = drawn(world, make_task(world))
    assert not DepartmentConfirmation.objects.filter(draw=draw).exists()
    assert services.draw_confirm(actor=world.users["a_leader"], draw=draw).status == DrawStatus.CONFIRMED


def test_department_confirms_through_the_api(world: World) -> None:
    draw = _joint_draw(world)
    confirmation = DepartmentConfirmation.objects.get(draw=draw)
    url = f"/department-confirmations/{confirmation.pk}/confirm"
    assert Api(world, "b_admin").post(url, {"comment": ""}).status_code == 404
    response = Api(world, "a_culture").post(url, {"comment": "已比对"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["department_confirmations"][0]["confirmed_by"] == "a_culture" and body["rules"]
