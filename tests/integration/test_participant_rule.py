"""One joint-task participant rule for tasks, draws and records (planning ``TaskQuerySet.scope_condition``).

A joint task organised outside a city, with a county of the city taking part: the city's upper level sees the
task, its draw and its 一企一表 alike (before, the records used the bureau itself instead of the readable scope,
so the city saw the draw but not the records); the other county sees none of them.
"""

from __future__ import annotations

import pytest

from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel
from shuangsuiji.draws.models import InspectorMatch, TargetDraw
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord
from shuangsuiji.planning.models import Task
from tests.conftest import World
from tests.inspections.factories import generated

pytestmark = pytest.mark.django_db


def _organised_elsewhere(world: World) -> Task:
    """County A's task with its draw and records, re-owned by a bureau of another city; county A takes part."""
    setup, _hotel, _clinic = generated(world)
    city = Region.objects.create(code="130100", name="石家庄市", level=RegionLevel.CITY, parent=world.regions["province"])
    other = Organization.objects.create(name="石家庄市卫生健康委员会", code="SJZ", kind=OrganizationKind.HEALTH_BUREAU,
                                        region=city)
    task = setup.task
    Task.objects.filter(pk=task.pk).update(owner=other)
    TargetDraw.objects.filter(task=task).update(owner=other)
    InspectorMatch.objects.filter(task=task).update(owner=other)
    InspectionRecord.objects.filter(task=task).update(owner=other)
    task.participants.set([world.orgs["a"]])
    return task


@pytest.mark.parametrize("user", ["a_admin", "city_admin", "city_supervisor"])
def test_participant_and_its_upper_level_see_task_draw_and_records_alike(world: World, user: str) -> None:
    task = _organised_elsewhere(world)
    actor = world.users[user]
    assert list(Task.objects.visible_to(actor)) == [task]
    assert TargetDraw.objects.visible_to(actor).filter(task=task).count() == 1
    assert InspectorMatch.objects.visible_to(actor).filter(task=task).count() == 1
    assert InspectionRecord.objects.visible_to(actor).filter(task=task).count() == 2


def test_others_see_none_of_it(world: World) -> None:
    task = _organised_elsewhere(world)
    for user in ("b_admin", "a_culture"):
        actor = world.users[user]
        assert not Task.objects.visible_to(actor).filter(pk=task.pk).exists()
        assert not TargetDraw.objects.visible_to(actor).filter(task=task).exists()
        assert not InspectionRecord.objects.visible_to(actor).filter(task=task).exists()
        assert not FollowUpCase.objects.visible_to(actor).filter(record__task=task).exists()


def test_an_inspector_of_the_participant_still_sees_only_their_own_team(world: World) -> None:
    task = _organised_elsewhere(world)
    visible = InspectionRecord.objects.visible_to(world.users["a_inspector"]).filter(task=task)
    assert [r.target.name for r in visible] == ["莲池区悦来宾馆"]  # team 张三/李四 (李四 = a_inspector)
