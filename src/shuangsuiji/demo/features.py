"""Demo steps of the workflow features, appended to ``DEMO_STEPS`` after the 一单两库 steps.

Each step wraps the feature's own loader (which goes through the real services, so the demo data are audited
and verify like real data) and counts only what it created, so that a second ``load_demo`` reports no change.

Order matters: plans and tasks → a confirmed draw and match of the joint task → (inspections, disclosure: added
by their branches) → deadlines last, whose reminder scan then covers the deadlines of every step before.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from shuangsuiji.demo.loader import DemoContext


def _local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def step_planning(ctx: DemoContext) -> None:
    """Annual plans (published), joint plans of three departments, national tasks, tasks in early states.

    The plans are loaded "as of" the start of the year: the deadline hooks are suspended while the services run
    (else every demo plan would count as filed months late), then the filing deadlines are opened and completed
    here on a plausible day — the day of filing when it was on time, else a few working days before the due date.
    """
    from shuangsuiji.planning import deadline_hooks
    from shuangsuiji.planning.demo import load_demo_planning

    with deadline_hooks.suspended():
        summary = load_demo_planning(today=ctx.today)
    ctx.count("年度抽查计划", summary["plans"])
    ctx.count("联合抽查计划", summary["joint_plans"])
    ctx.count("上级下达任务", summary["national_tasks"])
    ctx.count("抽查任务", summary["tasks"])
    ctx.count("计划报送期限", _plan_filing_deadlines(ctx))


def _plan_filing_deadlines(ctx: DemoContext) -> int:
    from shuangsuiji.deadlines.calendar import get_calendar
    from shuangsuiji.deadlines.models import Deadline, DeadlineKind
    from shuangsuiji.deadlines.services import deadline_complete, deadline_open
    from shuangsuiji.planning.deadline_hooks import responsible_in
    from shuangsuiji.planning.models import AnnualPlan, JointPlan

    calendar = get_calendar()
    before = Deadline.objects.count()
    subjects: list[tuple[Any, str, datetime.datetime | None]] = [
        (plan, DeadlineKind.ANNUAL_PLAN_FILING, plan.filed_at)
        for plan in AnnualPlan.objects.filter(previous__isnull=True, filed_at__isnull=False).select_related("owner")
    ]
    subjects += [
        (joint, DeadlineKind.JOINT_PLAN_FILING, joint.published_at)
        for joint in JointPlan.objects.filter(published_at__isnull=False).select_related("owner")
    ]
    for subject, kind, done_at in subjects:
        filer = _filer(subject)
        deadline = deadline_open(
            subject=subject, kind=kind, year=subject.year, organization=subject.owner,
            responsible=responsible_in(subject.owner, filer), actor=None,
        )
        if deadline.completed_at is not None or done_at is None:
            continue
        if timezone.localdate(done_at) > deadline.due_date:
            done_at = _local(calendar.add_workdays(deadline.due_date, -3).date)
        deadline_complete(subject=subject, kind=kind, actor=filer, when=done_at)
    return Deadline.objects.count() - before


def _filer(subject: Any) -> Any:
    from shuangsuiji.planning.models import AnnualPlan

    if isinstance(subject, AnnualPlan):
        step = subject.steps.filter(action="file").select_related("actor").first()
        return step.actor if step is not None else None
    return getattr(subject.participants.filter(organization_id=subject.owner_id).first(), "confirmed_by", None)


def step_draws(ctx: DemoContext) -> None:
    """A confirmed target draw and confirmed inspector teams for the joint task of 莲池区 (three departments)."""
    from shuangsuiji.draws.demo import load_demo_draws
    from shuangsuiji.draws.models import TargetDraw
    from shuangsuiji.planning.models import Task

    joint_tasks = Task.objects.filter(joint_plan__isnull=False).order_by("pk")
    bureau = ctx.bureaus.get("lianchi")
    task = (joint_tasks.filter(owner=bureau).first() if bureau is not None else None) or joint_tasks.first()
    if task is None:
        return
    if not TargetDraw.objects.filter(task=task).exists():
        result = load_demo_draws(today=ctx.today, task=task)
        ctx.log(f"  {result.message}")
        ctx.count("对象抽取", int(result.draw is not None))
        ctx.count("人员匹配", int(result.match is not None))
    ctx.count("人员匹配确认", _confirm_demo_match(task))
    ctx.count("对象抽取", _general_item_draw(ctx, bureau))


def _general_item_draw(ctx: DemoContext, bureau: Any) -> int:
    """A confirmed draw of the bureau's 一般-item task too (its record shows the 一般 cap and 非请勿扰 at work); no
    match, so the inspections demo keeps working on the joint task."""
    from shuangsuiji.draws.demo import draw_only
    from shuangsuiji.planning.models import Task, TaskState

    task = (
        Task.objects.filter(owner=bureau, state=TaskState.SCHEME_PUBLISHED, draws__isnull=True,
                            plan_line__item__kind="general")
        .order_by("pk").first()
    )
    if task is None:
        return 0
    draw = draw_only(today=ctx.today, task=task)
    return int(draw is not None)


def _confirm_demo_match(task: Any) -> int:
    """The second person who confirmed the draw also confirms the teams (so the 一企一表 can be generated)."""
    from shuangsuiji.draws import services
    from shuangsuiji.draws.models import InspectorMatch, MatchStatus

    match = (
        InspectorMatch.objects.filter(task=task, status=MatchStatus.MATCHED, draw__confirmed_by__isnull=False)
        .select_related("draw__confirmed_by").order_by("-sequence").first()
    )
    if match is None or match.draw.confirmed_by is None or match.draw.confirmed_by_id == match.matched_by_id:
        return 0
    services.match_confirm(actor=match.draw.confirmed_by, match=match, comment="演示：核对检查组后确认")
    return 1


def step_deadlines(ctx: DemoContext) -> None:
    """Deadlines in every state for each bureau, then the reminder chain (提醒 → 督办 → 问责) run for today."""
    from shuangsuiji.demo.deadlines import load_demo_deadlines

    summary = load_demo_deadlines(today=ctx.today)
    ctx.count("期限", summary.created)


def step_transparency(ctx: DemoContext) -> None:
    """Today's signed tree head over the draw and match records above, so that the portal's 透明日志 and each
    draw's inclusion proof are there from the start (in production the daily job at 00:10 signs it)."""
    from shuangsuiji.audit.models import TransparencyLeaf, TreeHead
    from shuangsuiji.audit.transparency import tree_head_ensure_today

    if not TransparencyLeaf.objects.exists():
        return
    before = TreeHead.objects.count()
    tree_head_ensure_today()
    ctx.count("签名树头", TreeHead.objects.count() - before)


# Ready for DEMO_STEPS (see the marked place in demo/__init__.py; tests/integration/test_demo_pages.py runs them):


def step_inspections(ctx: DemoContext) -> None:
    """一企一表 of the demo joint task: generated, four results entered, three reviewed, one 行政处罚 decided;
    then two entries returned for correction, whose entry deadlines (10 working days after their inspection)
    are now near and overdue, so that the reminder chain of ``step_deadlines`` shows a 提醒 and a 督办."""
    from shuangsuiji.inspections.demo import load_demo_inspections

    summary = load_demo_inspections(today=ctx.today)
    ctx.count("检查结果录入", len(summary.get("entered", [])))
    if summary.get("message"):
        ctx.log(f"  {summary['message']}")
    ctx.count("退回修改的检查结果", _returned_entries(ctx))


# (working days before today of the inspection, what the reviewer returns it for): 10 working days to enter
# → the first is overdue by 2 working days (督办), the second due in 2 (提醒).
RETURNED = (
    (12, "检查情况未写明从业人员健康证明的核查数量，请补充后重新提交"),
    (8, "未上传现场检查照片，请补充证据材料后重新提交"),
)


def _returned_entries(ctx: DemoContext) -> int:
    from shuangsuiji.accounts.models import Role
    from shuangsuiji.deadlines.calendar import get_calendar
    from shuangsuiji.inspections import demo as inspections_demo
    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import InspectionRecord, RecordStatus

    task = inspections_demo._demo_task()
    if task is None or InspectionRecord.objects.filter(task=task, return_count__gt=0).exists():
        return 0
    users = inspections_demo._bureau_users(task)
    calendar = get_calendar()
    pending = list(InspectionRecord.objects.filter(task=task, status=RecordStatus.PENDING).order_by("-number"))
    made = 0
    for workdays_ago, reason in RETURNED:
        inspected_on = calendar.add_workdays(ctx.today, -workdays_ago).date
        record = next((r for r in pending if inspections_demo._officers_ok(r, inspected_on)), None)
        if record is None or inspected_on < task.window_start:
            continue
        pending.remove(record)
        team = set(record.members.filter(inspector__user__isnull=False).values_list("inspector__user", flat=True))
        enterer = next((u for u in users if u.pk in team), None) or inspections_demo._pick(
            users, (Role.SECTION_STAFF, Role.PROGRAM_ADMIN)
        )
        if enterer is None:
            continue
        entry = inspections_demo._entry(record, inspected_on=inspected_on, codes=["10"])
        record = services.record_submit_result(
            actor=enterer, record=record, entry=entry, signature_data_url=inspections_demo._signature_png()
        )
        reviewer = inspections_demo._pick(
            users, (Role.SECTION_STAFF, Role.LEADER, Role.PROGRAM_ADMIN), exclude={enterer.pk, *team}
        )
        if reviewer is None:
            continue
        services.record_review(actor=reviewer, record=record, approve=False, comment=reason)
        made += 1
    return made


def step_disclosure(ctx: DemoContext) -> None:
    """Publish the reviewed results and the decided 行政处罚 of the demo on the portal."""
    from shuangsuiji.disclosure.demo import load_demo_disclosure

    summary = load_demo_disclosure(today=ctx.today)
    ctx.count("公示抽查结果", int(summary["results"]))
    ctx.count("公示行政处罚", int(summary["penalties"]))
