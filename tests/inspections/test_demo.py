"""The demo loader: one task inspected end to end (entered, 拒签, 行政处罚 case, one waiting for review)."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.inspections.demo import load_demo_inspections
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordStatus
from tests.conftest import World
from tests.inspections.factories import confirm_draw, make_inspector, make_target, make_task

pytestmark = pytest.mark.django_db


def test_demo_without_confirmed_task_does_nothing(world: World) -> None:
    assert load_demo_inspections(today=datetime.date(2026, 11, 25))["task"] is None


def test_demo_inspects_one_task(world: World) -> None:
    task = make_task(world)
    targets = [world.targets["a"]] + [
        make_target(world, "a", f"莲池区演示宾馆{i}", f"92130606MA0DEM{i}1X", ["public_places"]) for i in range(1, 5)
    ]
    zhang = world.inspectors["a"]
    li = make_inspector(world, "a", "李四", user=world.users["a_inspector"])
    wang = make_inspector(world, "a", "王五")
    confirm_draw(world, task, targets, [[zhang, li], [zhang, wang], [li, wang], [zhang, li], [wang, zhang]])
    summary = load_demo_inspections(today=datetime.date(2026, 11, 25))
    assert summary["records"] == 5 and len(summary["entered"]) == 4
    statuses = list(InspectionRecord.objects.filter(task=task).order_by("number").values_list("status", flat=True))
    assert statuses == ["approved", "approved", "approved", "submitted", "pending"]
    refused = InspectionRecord.objects.get(task=task, signature_kind="refused")
    assert refused.refusal_witness and refused.status == RecordStatus.APPROVED
    penalty = FollowUpCase.objects.get(number=summary["penalty_case"])
    assert penalty.penalty_decided_on == datetime.date(2026, 11, 25)
    assert penalty.penalty_publish_deadline == datetime.date(2026, 12, 4)
    assert FollowUpCase.objects.filter(record=refused, rectify_deadline__isnull=False).exists()
    assert load_demo_inspections(today=datetime.date(2026, 11, 25))["message"] == "检查演示数据已存在"
