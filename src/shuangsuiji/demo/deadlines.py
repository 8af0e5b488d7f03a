"""Demo deadlines: for each demo bureau, one deadline in every state, then the reminder chain run once.

``load_demo_deadlines(today=…)`` is idempotent (deadlines are keyed by subject and kind, the scan by its
keys), so loading the demo twice changes nothing. Per bureau, relative to ``today`` in working days:

============================  ==============================================  ==========================
subject                       deadline                                        state
============================  ==============================================  ==========================
this year's AnnualPlan        年度抽查计划报送, 半年报告, 全年报告              by the calendar date
next year's AnnualPlan (草稿)  年度抽查计划报送 (次年1月31日)                   未到期, provisional when
                                                                              next year is not entered
task 1                        抽取结果确认                                     已完成 (on time)
task 1                        检查结果录入, due in 2 working days             临近 → 提醒
task 2                        检查结果录入, overdue 3 working days            逾期 → 督办 (answered)
task 2                        抽查结果公示, due in 18 working days            未到期
task 3                        抽查结果公示, overdue 8 working days            逾期 → 督办 + 问责
task 4                        行政处罚信息公示, completed 3 working days late  已完成 (late) → 问责
============================  ==============================================  ==========================

Subjects: the bureau's annual plans when they exist (the planning demo's), and four earlier tasks of the year
created here (codes ``QX-DEMO-n``, already inspected), so that the planning demo's current tasks carry only the
deadlines of their own workflow.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import Deadline, DeadlineKind, Supervision, SupervisionStatus
from shuangsuiji.deadlines.permissions import bureau_unit_ids
from shuangsuiji.deadlines.reminders import ScanReport, deadlines_scan
from shuangsuiji.deadlines.services import deadline_complete, deadline_open, supervision_answer
from shuangsuiji.planning.models import AnnualPlan, PlanStatus, Task, TaskState

DEMO_TASK_TITLES = (
    "公共场所卫生“双随机”抽查",
    "生活饮用水卫生“双随机”抽查",
    "医疗机构依法执业“双随机”抽查",
    "消毒产品“双随机”抽查",
)


@dataclass
class DemoDeadlines:
    bureaus: list[str] = field(default_factory=list)
    deadlines: int = 0  # demo deadlines of these bureaus (existing or new)
    created: int = 0  # of which created by this run (0 on a second run)
    scan: ScanReport | None = None


def demo_bureaus() -> list[Organization]:
    """Active 卫生健康局 with a 双随机办管理员 among their users."""
    bureaus = Organization.objects.filter(kind=OrganizationKind.HEALTH_BUREAU, is_active=True).order_by("code")
    return [b for b in bureaus if _users(b, (Role.PROGRAM_ADMIN,))]


def _users(bureau: Organization, roles: Iterable[str]) -> list[User]:
    return list(
        User.objects.filter(
            organization_id__in=bureau_unit_ids(bureau), role__in=list(roles), is_active=True
        ).order_by("-is_demo", "pk")
    )


def _first(*groups: list[User]) -> User | None:
    for group in groups:
        if group:
            return group[0]
    return None


def _local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def load_demo_deadlines(
    *, today: datetime.date, bureaus: Iterable[Organization] | None = None, run_scan: bool = True
) -> DemoDeadlines:
    """Create the demo deadlines (see the module docstring) and run the reminder chain for ``today``."""
    summary = DemoDeadlines()
    before = Deadline.objects.count()
    for bureau in list(bureaus) if bureaus is not None else demo_bureaus():
        summary.deadlines += _load_bureau(bureau, today)
        summary.bureaus.append(bureau.name)
    summary.created = Deadline.objects.count() - before
    if run_scan:
        summary.scan = deadlines_scan(today=today)
        _answer_one_supervision(today)
    return summary


def _load_bureau(bureau: Organization, today: datetime.date) -> int:
    admins = _users(bureau, (Role.PROGRAM_ADMIN,))
    admin = _first(admins)
    staff = _first(_users(bureau, (Role.SECTION_STAFF,)), admins)
    inspector = _first(_users(bureau, (Role.INSPECTOR,)), [staff] if staff else [])
    cal = get_calendar()

    def wd(n: int) -> datetime.date:
        return cal.add_workdays(today, n).date

    plan = AnnualPlan.objects.filter(owner=bureau, year=today.year).order_by("-version").first()
    if plan is None:
        plan = AnnualPlan.objects.create(
            owner=bureau, year=today.year, title=f"{bureau.name}{today.year}年度“双随机、一公开”抽查计划",
            status=PlanStatus.FILED,
        )
    next_plan = AnnualPlan.objects.filter(owner=bureau, year=today.year + 1).order_by("-version").first()
    if next_plan is None:
        next_plan = AnnualPlan.objects.create(
            owner=bureau, year=today.year + 1,
            title=f"{bureau.name}{today.year + 1}年度“双随机、一公开”抽查计划", status=PlanStatus.DRAFT,
        )
    tasks = _demo_tasks(bureau, today)

    specs: list[dict[str, Any]] = [
        {"subject": plan, "kind": DeadlineKind.ANNUAL_PLAN_FILING, "responsible": admin},
        # (半年/全年报告 deadlines belong to the reports themselves: oversight/reports/demo.py)
        {"subject": next_plan, "kind": DeadlineKind.ANNUAL_PLAN_FILING, "responsible": admin},
        {"subject": tasks[0], "kind": DeadlineKind.DRAW_CONFIRMATION, "responsible": staff, "start_date": wd(-12),
         "done": wd(-11)},
        {"subject": tasks[0], "kind": DeadlineKind.RESULT_ENTRY, "responsible": inspector, "start_date": wd(-8)},
        {"subject": tasks[1], "kind": DeadlineKind.RESULT_ENTRY, "responsible": inspector, "start_date": wd(-13)},
        {"subject": tasks[1], "kind": DeadlineKind.RESULT_PUBLICATION, "responsible": staff, "start_date": wd(-2)},
        {"subject": tasks[2], "kind": DeadlineKind.RESULT_PUBLICATION, "responsible": staff, "start_date": wd(-28)},
        {"subject": tasks[3], "kind": DeadlineKind.PENALTY_PUBLICATION, "responsible": staff, "start_date": wd(-20),
         "done": wd(-10)},
    ]
    for spec in specs:
        done = spec.pop("done", None)
        deadline = deadline_open(organization=bureau, actor=None, **spec)
        if spec["kind"] == DeadlineKind.ANNUAL_PLAN_FILING and spec["subject"] == plan:
            # yearly duties already past: done a few working days early
            if deadline.due_date < today:
                done = cal.add_workdays(deadline.due_date, -3).date
        if done is not None and done <= today:
            deadline_complete(subject=spec["subject"], kind=spec["kind"], actor=spec["responsible"], when=_local(done))
    return len(specs)


def _demo_tasks(bureau: Organization, today: datetime.date) -> list[Any]:
    tasks = []
    for n, title in enumerate(DEMO_TASK_TITLES, start=1):
        task, _ = Task.objects.get_or_create(
            owner=bureau, code=f"QX-DEMO-{n}",
            defaults={
                "title": f"{today.year}年{title}", "year": today.year,
                "window_start": today - datetime.timedelta(days=60), "window_end": today - datetime.timedelta(days=20),
                "state": TaskState.COMPLETED if n >= 3 else TaskState.INSPECTING,
            },
        )
        tasks.append(task)
    return tasks


def _answer_one_supervision(today: datetime.date) -> None:
    """The 3-working-day overdue 检查结果录入 of each bureau gets an answer (reason + promised date)."""
    cal = get_calendar()
    waiting = Supervision.objects.filter(
        status=SupervisionStatus.AWAITING_ANSWER, deadline__kind=DeadlineKind.RESULT_ENTRY,
        responsible__isnull=False,
    ).select_related("responsible", "deadline")
    for supervision in waiting:
        assert supervision.responsible is not None
        promised = cal.add_workdays(max(today, timezone.localdate()), 2).date
        supervision_answer(
            actor=supervision.responsible, supervision=supervision,
            reason="检查对象较多，部分检查记录待执法人员补签，正在整理录入。", promised_date=promised,
        )
