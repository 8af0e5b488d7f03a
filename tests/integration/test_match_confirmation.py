"""The teams of a match are confirmed by a second person; only then can the 一企一表 be generated (inspections)."""

from __future__ import annotations

import pytest

from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.draws import services
from shuangsuiji.draws.models import InspectorMatch, MatchStatus
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.inspections.services import records_generate_for_task
from tests.conftest import World
from tests.draws.factories import matched, populated_task


def test_second_person_confirms_then_records_can_be_generated(world: World) -> None:
    task = populated_task(world)
    match = matched(world, task)
    admin, leader = world.users["a_admin"], world.users["a_leader"]
    with pytest.raises(ApplicationError, match="尚未确认"):
        records_generate_for_task(actor=admin, task=task)
    with pytest.raises(ApplicationError, match="另一人"):
        services.match_confirm(actor=admin, match=match)
    for outsider in ("b_admin", "a_inspector"):
        with pytest.raises(PermissionDeniedError):
            services.match_confirm(actor=world.users[outsider], match=match)
    match = services.match_confirm(actor=leader, match=match, comment="已核对回避和资格")
    assert match.status == MatchStatus.CONFIRMED and match.confirmed_by == leader and match.confirmed_at
    with pytest.raises(ApplicationError, match="无需重复确认"):
        services.match_confirm(actor=leader, match=match)
    result = records_generate_for_task(actor=admin, task=task)
    assert len(result.created) == match.draw.selections.count()
    assert InspectionRecord.objects.filter(task=task).count() == len(result.created)


def test_replacement_keeps_the_confirmation_and_a_redraw_voids_it(world: World) -> None:
    task = populated_task(world)
    match = services.match_confirm(actor=world.users["a_leader"], match=matched(world, task))
    slot = match.assignments.filter(is_active=True).first()
    assert slot is not None
    new = services.assignment_replace(
        actor=world.users["a_admin"], assignment=slot, reason="发现利害关系需回避", randomness=["2026-03-05 3D 9 9 1"]
    )
    assert new.status == MatchStatus.CONFIRMED and new.confirmed_by == world.users["a_leader"]
    assert InspectorMatch.objects.get(pk=match.pk).status == MatchStatus.SUPERSEDED
    request = services.redraw_request_create(actor=world.users["a_admin"], draw=new.draw, reason="对象池范围有误")
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    new.refresh_from_db()
    assert new.status == MatchStatus.SUPERSEDED
    with pytest.raises(ApplicationError, match="取代"):
        services.match_confirm(actor=world.users["a_leader"], match=new)
