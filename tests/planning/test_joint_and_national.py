"""Joint plans (confirmation by each department's own users) and the national task list import + claim."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import xlsxwriter

from shuangsuiji.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.models import JointPlanStatus, NationalTask, TaskState
from tests.conftest import World
from tests.planning.conftest import WINDOW

JOINT = {"title": "2026年部门联合抽查计划", "year": 2026, "target_scope": "辖区内歌舞娱乐场所、定点医疗机构",
         "ratio_percent": 5, **WINDOW}


def _joint(pw: World) -> Any:
    return services.joint_plan_create(
        actor=pw.users["a_admin"], data=JOINT, participants=[pw.orgs["a_culture"], pw.orgs["a_medins"]],
        owner_items=[pw.items["a"]],
    )


def test_joint_plan_flow_each_department_confirms_its_own_part(pw: World) -> None:
    joint = _joint(pw)
    assert joint.participants.count() == 3  # the 发起部门 and two participants
    # participants do not see a draft
    with pytest.raises(NotFoundError):
        selectors.joint_plan_get(actor=pw.users["a_culture"], pk=joint.pk)
    joint = services.joint_plan_send(actor=pw.users["a_admin"], joint_plan=joint)
    assert joint.status == JointPlanStatus.CONFIRMING
    culture = joint.participants.get(organization=pw.orgs["a_culture"])
    medins = joint.participants.get(organization=pw.orgs["a_medins"])
    assert selectors.joint_plan_get(actor=pw.users["a_culture"], pk=joint.pk) == joint
    # the health bureau cannot confirm for 文广旅局, and 医保局 cannot confirm for 文广旅局
    for user in ("a_admin", "a_medins", "b_admin"):
        with pytest.raises(PermissionDeniedError):
            services.joint_participant_confirm(actor=pw.users[user], participant=culture, item_titles="x")
    with pytest.raises(ApplicationError, match="全部确认"):
        services.joint_plan_publish(actor=pw.users["a_admin"], joint_plan=joint)
    with pytest.raises(ApplicationError, match="抽查事项"):
        services.joint_participant_confirm(actor=pw.users["a_culture"], participant=culture, item_titles="")
    services.joint_participant_confirm(
        actor=pw.users["a_culture"], participant=culture, item_titles="娱乐场所经营活动检查\n营业性演出检查"
    )
    with pytest.raises(ApplicationError, match="已确认"):
        services.joint_participant_confirm(actor=pw.users["a_culture"], participant=culture)
    joint.refresh_from_db()
    assert joint.status == JointPlanStatus.CONFIRMING
    services.joint_participant_confirm(actor=pw.users["a_medins"], participant=medins, item_titles="定点医药机构检查")
    joint.refresh_from_db()
    assert joint.status == JointPlanStatus.CONFIRMED
    joint = services.joint_plan_publish(actor=pw.users["a_admin"], joint_plan=joint)
    assert joint.status == JointPlanStatus.PUBLISHED
    task = services.task_create_from_joint_plan(actor=pw.users["a_admin"], joint_plan=joint, data={})
    assert set(task.participants.all()) == {pw.orgs["a_culture"], pw.orgs["a_medins"]}
    assert task.is_joint and list(task.items.all()) == [pw.items["a"]]
    # participants of a joint task read it; another county does not
    assert selectors.task_get(actor=pw.users["a_medins"], pk=task.pk) == task
    with pytest.raises(NotFoundError):
        selectors.task_get(actor=pw.users["b_admin"], pk=task.pk)


def test_joint_plan_participants_must_be_same_region(pw: World) -> None:
    with pytest.raises(ApplicationError, match="参与部门"):
        services.joint_plan_create(actor=pw.users["a_admin"], data=JOINT, participants=[pw.orgs["b"]])
    with pytest.raises(ApplicationError, match="至少"):
        services.joint_plan_create(actor=pw.users["a_admin"], data=JOINT, participants=[])


HEADER = ["任务编号", "任务名称", "专业", "抽查事项", "抽查范围", "比例", "起止日期"]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()),
                                     book.add_format({"num_format": "yyyy-mm-dd"}))
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


GOOD = [
    ["GJ2026-01", "2026年公共场所卫生国家随机监督抽查", "公共场所卫生", "对公共场所卫生的监督检查",
     "辖区内住宿场所、沐浴场所", "A类1%；B类2%；C类10%；D类30%", "2026-03-01至2026-10-31"],
    ["GJ2026-02", "2026年医疗机构国家随机监督抽查", "医疗机构/医疗卫生", "对医疗机构依法执业的监督检查",
     "二级以上医疗机构", "5%", "2026年4月1日至2026年9月30日"],
]


def test_national_import_good_file_and_claim(pw: World) -> None:
    admin = pw.users["a_admin"]
    tasks = services.national_tasks_import(actor=admin, content=xlsx(GOOD), file_name="国家任务.xlsx")
    assert sorted(t.code for t in tasks) == ["GJ2026-01", "GJ2026-02"]
    first = NationalTask.objects.get(code="GJ2026-01")
    assert first.ratios == {"A": 1.0, "B": 2.0, "C": 10.0, "D": 30.0}
    assert first.window_end == datetime.date(2026, 10, 31) and first.year == 2026
    assert NationalTask.objects.get(code="GJ2026-02").ratios["C"] == 5.0
    with pytest.raises(ApplicationError, match="不能在本地修改"):
        services.national_task_claim(actor=admin, national_task=first, data={"ratios": {"A": 50}})
    task = services.national_task_claim(actor=admin, national_task=first, data={"team_size": 3})
    assert task.scope_locked and task.ratios == first.ratios and task.team_size == 3
    assert list(task.items.all()) == [pw.items["a"]]  # matched by name
    with pytest.raises(ApplicationError, match="已认领"):
        services.national_task_claim(actor=admin, national_task=first)
    with pytest.raises(ApplicationError, match="上级"):
        services.task_update(actor=admin, task=task, data={"ratios": {"A": 1, "B": 1, "C": 1, "D": 1}})
    for locked in ({"items": []}, {"regions": []}, {"floor_percent": 50}, {"min_per_stratum": 9},
                   {"mandatory_flags": []}, {"exclusion_months": 12}):
        with pytest.raises(ApplicationError, match="上级"):
            services.task_update(actor=admin, task=task, data=locked)
    assert services.task_update(actor=admin, task=task, data={"team_size": 4}).team_size == 4  # local choice
    # the same file again: every code already imported
    with pytest.raises(ApplicationError) as exc:
        services.national_tasks_import(actor=admin, content=xlsx(GOOD), file_name="again.xlsx")
    assert {e["message"] for e in exc.value.extra["errors"]} == {"任务编号“GJ2026-01”已导入过", "任务编号“GJ2026-02”已导入过"}
    with pytest.raises(NotFoundError):
        selectors.national_task_get(actor=pw.users["b_admin"], pk=first.pk)


def test_national_import_bad_file_reports_rows_and_saves_nothing(pw: World) -> None:
    bad = [
        GOOD[0],
        ["GJ2026-01", "重复", "公共场所卫生", "x", "y", "5%", "2026-03-01至2026-10-31"],
        ["GJ2026-03", "", "不存在的专业", "x", "y", "A类1%", "2026-13-01至2026-10-31"],
        ["GJ2026-04", "t", "公共场所卫生", "x", "y", "abc", "2026-10-01至2026-03-01"],
    ]
    with pytest.raises(ApplicationError, match="4处错误|5处错误|6处错误|7处错误") as exc:
        services.national_tasks_import(actor=pw.users["a_admin"], content=xlsx(bad), file_name="bad.xlsx")
    errors = {(e["row"], e["column"]) for e in exc.value.extra["errors"]}
    assert (3, "任务编号") in errors and (4, "任务名称") in errors and (4, "专业") in errors
    assert (4, "比例") in errors and (4, "起止日期") in errors and (5, "比例") in errors
    assert NationalTask.objects.count() == 0


def test_national_import_missing_column_and_not_excel(pw: World) -> None:
    with pytest.raises(ApplicationError, match="比例"):
        services.national_tasks_import(actor=pw.users["a_admin"], content=xlsx([], header=HEADER[:5]), file_name="x")
    with pytest.raises(ApplicationError, match="无法读取"):
        services.national_tasks_import(actor=pw.users["a_admin"], content=b"not excel", file_name="x.xlsx")
    with pytest.raises(PermissionDeniedError):
        services.national_tasks_import(actor=pw.users["a_leader"], content=xlsx(GOOD), file_name="x")


def test_claimed_task_state_starts_in_draft(pw: World) -> None:
    services.national_tasks_import(actor=pw.users["a_admin"], content=xlsx(GOOD[1:]), file_name="x.xlsx")
    task = services.national_task_claim(actor=pw.users["a_admin"], national_task=NationalTask.objects.get())
    assert task.state == TaskState.DRAFT and task.code == "RW2026-001"
