"""Demo steps of issue 20 (items 1, 2, 3, 5, 9): teams with 专家/辅助/协助 members, non-random inspections, testing
by an agency, 提醒/约谈/记分 of inspected targets. Each step is idempotent and goes through the real services.
"""

from __future__ import annotations

import datetime
import logging

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.demo.loader import DemoContext
from shuangsuiji.directory.models import (
    CheckItem,
    Inspector,
    InspectorKind,
    InspectorStatus,
    ItemStatus,
    Target,
)
from shuangsuiji.disclosure.services import results_publish_task
from shuangsuiji.draws.demo import load_demo_draws
from shuangsuiji.draws.experts import current_expert_draw, expert_draw_run
from shuangsuiji.inspections import demo as inspections_demo
from shuangsuiji.inspections import services as inspections
from shuangsuiji.inspections import testing
from shuangsuiji.inspections.measures import measure_record
from shuangsuiji.inspections.models import MEDICAL_SPECIALTIES, InspectionRecord, MemberSource, RecordStatus
from shuangsuiji.inspections.nonrandom import nonrandom_records_generate
from shuangsuiji.inspections.services import records_generate_for_task
from shuangsuiji.inspections.team import record_member_assign
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import AnnualPlanLine, PlanStatus, Task, TaskState
from shuangsuiji.planning.nonrandom import nonrandom_task_create

logger = logging.getLogger(__name__)

EXPERT_TASK_TITLE = "放射诊疗“双随机”抽查（专家参与）"


def _users(bureau_id: int, roles: tuple[str, ...]) -> list[User]:
    users = User.objects.filter(is_active=True, role__in=roles).select_related("organization").order_by("pk")
    return [u for u in users if (b := user_bureau(u)) is not None and b.pk == bureau_id]


STAFFED_STATES = (TaskState.INSPECTORS_MATCHED, TaskState.INSPECTING)


def _expert_task(ctx: DemoContext) -> Task | None:
    """莲池区: a random 放射诊疗 task from the annual plan whose item needs an expert: drawn, matched, confirmed."""
    from shuangsuiji.demo.features import _confirm_demo_match

    bureau = ctx.bureaus.get("lianchi")
    if bureau is None:
        return None
    existing = Task.objects.filter(owner=bureau, title__endswith=EXPERT_TASK_TITLE).first()
    if existing is not None:  # a small demo may have left it unmatched: then there is nothing to staff
        return existing if existing.state in STAFFED_STATES else None
    line = AnnualPlanLine.objects.filter(
        plan__owner=bureau, plan__status=PlanStatus.PUBLISHED, item__needs_expert=True,
        item__specialty__code="radiation",
    ).select_related("plan", "item").first()
    admins, leaders = _users(bureau.pk, (Role.PROGRAM_ADMIN,)), _users(bureau.pk, (Role.LEADER,))
    if line is None or not admins or not leaders:
        return None
    start = ctx.today - datetime.timedelta(days=14)
    task = planning.task_create_from_plan_line(
        actor=admins[0], line=line,
        data={"title": f"{ctx.today.year}年{EXPERT_TASK_TITLE}", "window_start": start,
              "window_end": ctx.today + datetime.timedelta(days=40), "methods": ["on_site", "testing"]},
    )
    scheme = planning.scheme_generate(actor=admins[0], task=task)
    scheme = planning.scheme_approve(actor=leaders[0], scheme=scheme, comment="同意")
    planning.scheme_publish(actor=admins[0], scheme=scheme)
    load_demo_draws(today=ctx.today, task=task)
    _confirm_demo_match(task)
    task.refresh_from_db()
    return task if task.state in STAFFED_STATES else None


def step_teams(ctx: DemoContext) -> None:
    """Item 1: experts drawn for the 放射诊疗 task, its 一企一表 generated, a 协助 specialist of the 监督所 and a
    辅助检查人员 指派 (with the reason) to the first team."""

    try:
        task = _expert_task(ctx)
    except ApplicationError as error:
        logger.warning("专家参与的演示任务未生成：%s", error.message)
        ctx.log(f"  专家参与的演示任务未生成：{error.message}")
        return
    if task is None:
        return
    admin = _users(task.owner_id, (Role.PROGRAM_ADMIN,))[0]
    if current_expert_draw(task) is None:
        done = expert_draw_run(
            actor=admin, task=task, randomness=[f"{ctx.today.isoformat()} 福彩3D 7 2 9（演示）"],
            randomness_source=f"{ctx.today.year}年{ctx.today.month}月{ctx.today.day}日中国福利彩票3D开奖号码（演示）",
        )
        ctx.count("专家随机抽取", 1)
        ctx.count("抽中专家", len(done.record["selections"]))
    if not InspectionRecord.objects.filter(task=task).exists():
        ctx.count("一企一表（专家参与任务）", len(records_generate_for_task(actor=admin, task=task).created))
    record = InspectionRecord.objects.filter(task=task, status=RecordStatus.PENDING).order_by("number").first()
    if record is None or record.members.filter(source=MemberSource.ASSIGNED).exists():
        return
    _testing(ctx, admin, record)
    on_team = set(record.members.values_list("inspector_id", flat=True))
    people = Inspector.objects.filter(owner_id=task.owner_id, status=InspectorStatus.ON_DUTY, is_retired=False)
    specialist = (
        people.filter(kind=InspectorKind.OFFICER, qualifications__code="radiation").exclude(pk__in=on_team)
        .order_by("pk").first()
    )
    helper = people.filter(kind=InspectorKind.ASSISTANT).exclude(pk__in=on_team).order_by("pk").first()
    institute = ctx.institutes.get("lianchi")
    if specialist is not None:
        record_member_assign(
            actor=admin, record=record, inspector=specialist, role="assist", sent_by=institute,
            reason="抽中的执法人员不具备放射防护检测专业能力，由监督所派出放射卫生专业人员协助（莲池区方案五（一）2）",
        )
        ctx.count("指派的协助人员", 1)
    if helper is not None:
        record_member_assign(actor=admin, record=record, inspector=helper, role="helper", reason="协助现场采样和记录")
        ctx.count("指派的辅助检查人员", 1)


NONRANDOM_TITLE = "投诉举报核查：公共场所卫生"


def step_nonrandom(ctx: DemoContext) -> None:
    """Item 2: 莲池区 records a 投诉举报 (12345 热线) against a hotel, 指派s a team, inspects, reviews and publishes
    it through the same path as the 双随机 tasks; the dashboard and the 月报表 count it apart."""

    bureau = ctx.bureaus.get("lianchi")
    if bureau is None or Task.objects.filter(owner=bureau, title=NONRANDOM_TITLE).exists():
        return
    admins = _users(bureau.pk, (Role.PROGRAM_ADMIN,))
    reviewers = _users(bureau.pk, (Role.SECTION_STAFF, Role.LEADER))
    item = CheckItem.objects.filter(owner=bureau, is_current=True, status=ItemStatus.PUBLISHED,
                                    specialty__code="public_places").order_by("code").first()
    target = Target.objects.filter(owner=bureau, specialties__code="public_places", status="operating",
                                   is_retired=False).order_by("code").first()
    received = ctx.today - datetime.timedelta(days=10)
    inspected = ctx.today - datetime.timedelta(days=3)
    officers = [
        i for i in Inspector.objects.filter(owner=bureau, kind=InspectorKind.OFFICER, status=InspectorStatus.ON_DUTY,
                                            is_retired=False).exclude(licence_no="").order_by("pk")[:40]
        if i.licence_valid_on(received) and i.licence_valid_on(ctx.today + datetime.timedelta(days=30))
        and not i.conflicts.filter(target=target).exists()
    ][:2]
    if not admins or not reviewers or item is None or target is None or len(officers) < 2:
        ctx.log("  非随机检查演示未生成：缺少账号、事项、对象或执法人员")
        return
    task = nonrandom_task_create(
        actor=admins[0], title=NONRANDOM_TITLE, source="complaint", reference=f"12345-{received:%Y%m%d}-0371",
        received_on=received, summary="12345热线转来群众投诉：客房布草未按规定更换、公共用品用具未消毒（投诉人信息见热线工单，不公开）",
        items=[item], targets=[target], window_start=received + datetime.timedelta(days=1),
        window_end=ctx.today + datetime.timedelta(days=30),
    )
    ctx.count("非随机检查任务", 1)
    record = nonrandom_records_generate(actor=admins[0], task=task, leader=officers[0], members=officers[1:])[0]
    record = inspections.record_submit_result(
        actor=admins[0], record=record,
        entry=inspections_demo._entry(record, inspected_on=inspected, codes=["21"],
                                      fail="客房布草未按规定一客一换，公共用品用具消毒记录不全", rectify=10),
        signature_data_url=inspections_demo._signature_png(),
    )
    reviewer = next((u for u in reviewers if u.pk != admins[0].pk), None)
    if reviewer is None:
        return
    inspections.record_review(actor=reviewer, record=record, approve=True, comment="核查属实，已责令整改")
    _measures(ctx, admins[0], record)
    results_publish_task(actor=admins[0], task=task)
    ctx.count("非随机检查结果公示", 1)


def _testing(ctx: DemoContext, admin: User, record: object) -> None:
    """Item 3: samples of the 放射诊疗 record sent to the city CDC; its entry deadline is 中止 until the report."""

    assert isinstance(record, InspectionRecord)
    if record.testings.exists():
        return
    sampled = max(record.task.window_start, ctx.today - datetime.timedelta(days=6))
    testing.testing_create(
        actor=admin, record=record, agency_name="保定市疾病预防控制中心", agency_kind="cdc",
        sample="工作场所X射线防护检测点位 6 个、个人剂量计 4 枚", test_items="周围剂量当量率、个人剂量",
        sampled_on=sampled, sent_on=min(ctx.today, sampled + datetime.timedelta(days=1)),
    )
    ctx.count("送检中的检验检测", 1)


def _measures(ctx: DemoContext, admin: User, record: object) -> None:
    """Item 5: the complained-about hotel is reminded and its manager interviewed; a 医疗机构 of the demo with an
    approved record gets a 不良行为记分 with its 传染病防治分类监督综合评价 result."""
    from decimal import Decimal


    assert isinstance(record, InspectionRecord)
    day = ctx.today - datetime.timedelta(days=1)
    measure_record(actor=admin, record=record, kind="reminder", occurred_on=day,
                   content="书面提醒：落实公共用品用具一客一换一消毒", outcome="已签收，承诺立即整改")
    measure_record(actor=admin, record=record, kind="interview", occurred_on=ctx.today,
                   participants="法定代表人及客房部经理", content="约谈：投诉反映问题属实，须建立清洗消毒台账",
                   outcome="承诺10个工作日内完成整改并报送整改报告")
    ctx.count("提醒、约谈", 2)
    medical = (
        InspectionRecord.objects.filter(owner_id=record.owner_id, status=RecordStatus.APPROVED,
                                        target__specialties__code__in=MEDICAL_SPECIALTIES)
        .exclude(measures__kind="scoring").order_by("number").first()
    )
    if medical is not None and medical.inspected_on is not None:
        measure_record(actor=admin, record=medical, kind="scoring", occurred_on=max(medical.inspected_on, day),
                       points=3, content="传染病防治分类监督综合评价：预检分诊和医疗废物管理不符合要求",
                       outcome="责令改正，已纳入不良执业行为记分", evaluation_grade="key",
                       evaluation_score=Decimal("62.5"))
        ctx.count("不良行为记分", 1)
