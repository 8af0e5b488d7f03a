"""Demo of the 总结报告 and 归档包 (issue 20 item 4): a small 莲池区 task taken through the real services from plan
line to 已公示 — 工作方案, draw and match (both confirmed by a second person), 一企一表 entered and reviewed, one
problem ordered to be rectified — completed, which makes the 总结报告 and 归档包 (version 1), then results
published and the package regenerated (version 2). Idempotent: looked up by title; any
refusal of a service is logged and the step leaves the demo as it was (it never breaks ``ssj demo load``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.demo.loader import DemoContext
from shuangsuiji.directory.models import Target
from shuangsuiji.disclosure import services as disclosure_services
from shuangsuiji.draws import services as draw_services
from shuangsuiji.draws.demo import load_demo_draws
from shuangsuiji.inspections import services as inspection_services
from shuangsuiji.inspections.demo import _entry, _officers_ok, _signature_png
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.oversight.models_archive import TaskArchive
from shuangsuiji.oversight.task_archive import task_archive_create, task_archive_on_completion
from shuangsuiji.planning import services as planning_services
from shuangsuiji.planning.models import AnnualPlanLine, PlanStatus, Task, TaskState

TITLE = "{year}年托育机构卫生随机抽查（已完成，演示总结报告与归档）"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _line(ctx: DemoContext) -> AnnualPlanLine | None:
    """The published plan's line whose 专业 has the fewest (but some) 莲池 targets: a small, quick task."""
    bureau = ctx.bureaus["lianchi"]
    lines = list(AnnualPlanLine.objects.filter(plan__owner=bureau, plan__status=PlanStatus.PUBLISHED,
                                               plan__year=ctx.today.year).select_related("item__specialty"))
    counts = dict(
        Target.objects.filter(owner=bureau, status="operating").values("specialties__code")
        .annotate(n=Count("pk")).values_list("specialties__code", "n")
    )
    usable = [line for line in lines if 3 <= counts.get(line.item.specialty.code, 0)]
    return min(usable, key=lambda line: (counts[line.item.specialty.code], line.pk), default=None)


def step_task_archive(ctx: DemoContext) -> None:
    title = TITLE.format(year=ctx.today.year)
    task = Task.objects.filter(owner=ctx.bureaus["lianchi"], title=title).first()
    if task is not None and TaskArchive.objects.filter(task=task).exists():
        return
    admin, leader, staff = _user("lianchi_admin"), _user("lianchi_leader"), _user("lianchi_staff")
    if admin is None or leader is None or staff is None:
        return
    try:
        with transaction.atomic():
            archive = _run(ctx, title, admin, leader, staff)
    except ApplicationError as error:
        ctx.log(f"  总结报告与归档演示未生成：{error.message}")
        return
    if archive is not None:
        ctx.count("任务归档包", 2)


def _run(ctx: DemoContext, title: str, admin: User, leader: User, staff: User) -> TaskArchive | None:
    calendar = get_calendar()
    line = _line(ctx)
    if line is None:
        return None
    start = calendar.add_workdays(ctx.today, -30).date
    task = planning_services.task_create_from_plan_line(actor=admin, line=line, data={
        "title": title, "window_start": start, "window_end": calendar.add_workdays(ctx.today, -2).date,
    })
    scheme = planning_services.scheme_generate(actor=admin, task=task)
    scheme = planning_services.scheme_approve(actor=leader, scheme=scheme, comment="同意")
    planning_services.scheme_publish(actor=admin, scheme=scheme)
    drawn = load_demo_draws(today=calendar.add_workdays(ctx.today, -25).date, task=task)
    if drawn.match is None:
        raise ApplicationError(drawn.message)
    draw_services.match_confirm(actor=staff, match=drawn.match, comment="演示：第二人确认")
    planning_services.task_transition(actor=admin, task=task, to_state=TaskState.INSPECTING, comment="开始检查")
    inspection_services.records_generate_for_task(actor=admin, task=task)
    inspected_on = calendar.add_workdays(ctx.today, -12).date
    records = list(InspectionRecord.objects.filter(task=task, status=RecordStatus.PENDING).order_by("number"))
    if not all(_officers_ok(record, inspected_on) for record in records):
        raise ApplicationError("有一企一表的执法人员证件在检查日不在有效期内")
    for n, record in enumerate(records):
        options = {"codes": ["21"], "fail": "消毒记录不全", "rectify": 10} if n == 1 else {"codes": ["10"]}
        entered = inspection_services.record_submit_result(
            actor=admin, record=record, entry=_entry(record, inspected_on=inspected_on, **options),  # type: ignore[arg-type]
            signature_data_url=_signature_png(),
        )
        inspection_services.record_review(actor=staff, record=entered, approve=True, comment="材料齐全，同意")
    planning_services.task_transition(actor=admin, task=task, to_state=TaskState.COMPLETED, comment="检查完成")
    # What the huey job does after the commit (``oversight.tasks``), run here so the demo shows it without a
    # job consumer: version 1, made when the task completed. The job finds it and does nothing.
    task_archive_on_completion(task_id=task.pk)
    disclosure_services.results_publish_task(actor=admin, task=task)
    task.refresh_from_db()
    # the button: regenerated after publication as version 2
    return task_archive_create(actor=admin, task=task, note="结果公示后重新生成（演示）")
