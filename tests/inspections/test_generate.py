"""一企一表 generation: one record per drawn target, items of all departments that apply, the team, scope."""

from __future__ import annotations

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.draws.models import Assignment, DrawStatus, MatchStatus
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.inspections.services import records_generate_for_task
from tests.conftest import World
from tests.inspections.factories import confirm_draw, inspection_setup, make_target

pytestmark = pytest.mark.django_db


def test_one_record_per_drawn_target_with_applicable_items_and_team(world: World) -> None:
    s = inspection_setup(world, joint_items=True)
    result = records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    assert len(result.created) == 2
    hotel, clinic = (InspectionRecord.objects.get(target=t) for t in s.targets)
    assert hotel.number == "2026-GG-01-001" and clinic.number == "2026-GG-01-002"
    # hotel is 公共场所 only: the health item and the culture department's item, not the medical one
    assert [i.name for i in hotel.items.all()] == ["对公共场所卫生的监督检查", "对娱乐场所经营活动的检查"]
    assert {i.department.name for i in hotel.items.all()} == {"莲池区卫生健康局", "莲池区文化广电和旅游局"}
    # clinic is 公共场所 + 医疗: one visit, every department's items
    assert len(clinic.items.all()) == 3
    item = hotel.items.first()
    assert item is not None and item.legal_basis == "《公共场所卫生管理条例》" and item.sub_items
    assert [m.name for m in hotel.members.all()] == ["a张三", "李四"]
    assert [m.licence_no for m in hotel.members.all()][0].startswith("冀A")
    assert hotel.status == RecordStatus.PENDING and hotel.entry_deadline is not None
    assert AuditEntry.objects.filter(event="inspection.records_generate").count() == 1


def test_generation_is_idempotent_and_refreshes_the_team(world: World) -> None:
    s = inspection_setup(world)
    actor = world.users["a_admin"]
    records_generate_for_task(actor=actor, task=s.task)
    old = Assignment.objects.get(match=s.match, inspector=s.inspectors[1])
    old.is_active = False
    old.save()
    Assignment.objects.create(match=s.match, drawn_target=s.drawn[0], inspector=s.inspectors[3], slot=3)
    again = records_generate_for_task(actor=actor, task=s.task)
    assert again.created == [] and again.refreshed == 1
    hotel = InspectionRecord.objects.get(target=s.targets[0])
    assert [m.name for m in hotel.members.all()] == ["a张三", "赵六"]


def test_redraw_cancels_pending_records_and_numbers_continue(world: World) -> None:
    s = inspection_setup(world)
    actor = world.users["a_admin"]
    records_generate_for_task(actor=actor, task=s.task)
    s.draw.status = DrawStatus.SUPERSEDED
    s.draw.save()
    s.match.status = MatchStatus.SUPERSEDED
    s.match.save()
    other = make_target(world, "a", "莲池区新华浴池", "92130606MA0BATH1X", ["public_places"])
    confirm_draw(world, s.task, [other], [[s.inspectors[0], s.inspectors[2]]], sequence=2)
    result = records_generate_for_task(actor=actor, task=s.task)
    assert result.cancelled == 2 and len(result.created) == 1
    assert result.created[0].number == "2026-GG-01-003"
    assert InspectionRecord.objects.filter(task=s.task, status=RecordStatus.CANCELLED).count() == 2


def test_needs_confirmed_draw_and_match(world: World) -> None:
    s = inspection_setup(world)
    s.match.status = MatchStatus.MATCHED
    s.match.save()
    with pytest.raises(ApplicationError, match="匹配结果尚未确认"):
        records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    s.draw.status = DrawStatus.DRAWN
    s.draw.save()
    with pytest.raises(ApplicationError, match="尚无已确认的检查对象抽取结果"):
        records_generate_for_task(actor=world.users["a_admin"], task=s.task)


def test_other_county_and_inspectors_cannot_generate(world: World) -> None:
    s = inspection_setup(world)
    with pytest.raises(PermissionDeniedError):
        records_generate_for_task(actor=world.users["b_admin"], task=s.task)
    with pytest.raises(PermissionDeniedError):
        records_generate_for_task(actor=world.users["a_inspector"], task=s.task)


def test_scope_of_records(world: World) -> None:
    s = inspection_setup(world, joint_items=True)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    assert InspectionRecord.objects.visible_to(world.users["a_admin"]).count() == 2
    assert InspectionRecord.objects.visible_to(world.users["b_admin"]).count() == 0
    assert InspectionRecord.objects.visible_to(world.users["city_supervisor"]).count() == 2
    # the joint task's other department reads the records it takes part in
    assert InspectionRecord.objects.visible_to(world.users["a_culture"]).count() == 2
    # an inspector sees only the records of their own team
    mine = InspectionRecord.objects.visible_to(world.users["a_inspector"])
    assert [r.target.name for r in mine] == ["莲池区悦来宾馆"]
