"""The issue-20 demo steps (demo/seeds_a.py): they run on the real demo, go through the services, verify, and
a second run adds nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from shuangsuiji.demo import load_demo
from shuangsuiji.demo.seeds_a import EXPERT_TASK_TITLE
from shuangsuiji.draws.experts import current_expert_draw, expert_draw_verify
from shuangsuiji.inspections.models import MemberSource, RecordMember
from shuangsuiji.planning.models import Task

TODAY = datetime.date(2026, 11, 25)


@pytest.mark.django_db
def test_issue20_demo(db: Any) -> None:
    load_demo(size=2000, inspectors=200, today=TODAY, log=lambda _: None)
    # item 1: experts drawn (verifiable) and 指派 members with the reason, not counted among the officers
    task = Task.objects.get(title__endswith=EXPERT_TASK_TITLE)
    expert_draw = current_expert_draw(task)
    assert expert_draw is not None and expert_draw_verify(expert_draw).ok
    assigned = RecordMember.objects.filter(record__task=task, source=MemberSource.ASSIGNED)
    assert assigned.filter(role="assist", sent_by__name__endswith="卫生监督所").exclude(assign_reason="").exists()
    assert all(not m.is_counted_officer for m in assigned)

    # item 2: the 投诉举报 inspection is published and counted apart from the 双随机 figures
    from shuangsuiji.demo.seeds_a import NONRANDOM_TITLE
    from shuangsuiji.planning.models import TaskState

    complaint = Task.objects.get(title=NONRANDOM_TITLE)
    assert complaint.kind == "nonrandom" and complaint.state == TaskState.PUBLISHED
    assert complaint.inspection_records.get().draw_id is None
    # item 3: the 放射诊疗 record's samples are at the CDC, its entry deadline is held
    from shuangsuiji.inspections.models import TargetMeasure, TestingRecord

    held = TestingRecord.objects.get(record__task=task)
    assert held.status == "waiting" and "等待保定市疾病预防控制中心" in held.suspension_reason
    # item 5: 提醒 and 约谈 of the complained-about hotel
    assert set(TargetMeasure.objects.filter(record__task=complaint).values_list("kind", flat=True)) == {
        "reminder", "interview"}

    again = load_demo(size=2000, inspectors=200, today=TODAY, log=lambda _: None)
    for key in ("专家随机抽取", "抽中专家", "指派的协助人员", "指派的辅助检查人员", "非随机检查任务"):
        assert key not in again.created, key
