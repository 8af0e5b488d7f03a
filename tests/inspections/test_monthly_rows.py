"""月报表 as 涞源's form writes it: row 4 only the annual plan's tasks, the others in a note row; row 5 of a county
report lists its 股室 and 监督所."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.inspections.nonrandom import nonrandom_records_generate
from shuangsuiji.inspections.services import record_submit_result, records_generate_for_task
from shuangsuiji.oversight.reports import services as reports
from shuangsuiji.oversight.reports.monthly import build_monthly
from shuangsuiji.planning.models import AnnualPlan, AnnualPlanLine, PlanStatus
from shuangsuiji.planning.nonrandom import nonrandom_task_create
from tests.conftest import World
from tests.inspections.factories import entry_for, inspection_setup, make_inspector

pytestmark = pytest.mark.django_db


def test_row4_plan_tasks_only_notes_and_units(world: World) -> None:
    s = inspection_setup(world)
    plan = AnnualPlan.objects.create(owner=world.orgs["a"], year=2026, title="2026年度计划", status=PlanStatus.PUBLISHED)
    s.task.plan_line = AnnualPlanLine.objects.create(plan=plan, item=world.items["a"],
                                                     responsible_section=world.orgs["a_section"])
    s.task.save()
    zhang = s.inspectors[0]  # leads the hotel's team; works at the 监督所
    zhang.organization = world.orgs["a_institute"]
    zhang.save()
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    hotel = s.task.inspection_records.get(target=s.targets[0])
    record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))

    complaint = nonrandom_task_create(
        actor=world.users["a_admin"], title="悦来宾馆投诉核查", source="complaint", received_on=datetime.date(2026, 11, 2),
        summary="投诉", items=[world.items["a"]], targets=[world.targets["a"]],
        window_start=datetime.date(2026, 11, 3), window_end=datetime.date(2026, 11, 30),
    )
    record = nonrandom_records_generate(actor=world.users["a_admin"], task=complaint, leader=world.inspectors["a"],
                                        members=[make_inspector(world, "a", "周九")])[0]
    record_submit_result(actor=world.users["a_admin"], record=record, entry=entry_for(record))

    report = reports.monthly_report_open(actor=world.users["a_admin"], owner=world.orgs["a"], year=2026, month=11)
    content = build_monthly(report)
    assert s.task.code in content.text("scope") and complaint.code not in content.text("scope")
    assert "本月检查1户" in content.text("scope")
    notes = content.text("notes")
    assert f"非随机检查（投诉举报） {complaint.code} 悦来宾馆投诉核查：本月检查1户" in notes
    system = content.text("system").splitlines()
    assert system[0] == "1. 莲池区卫生健康局公共卫生科：开展随机抽查任务1项，检查0户，公示抽查结果0户"  # 责任股室
    assert system[1] == "2. 莲池区卫生监督所：开展随机抽查任务1项，检查1户，公示抽查结果0户"  # led the hotel's team
    labels = [label for _k, _n, label, _t in content.rows()]
    assert any(label.startswith("备注：年度计划外的抽查检查") for label in labels)
