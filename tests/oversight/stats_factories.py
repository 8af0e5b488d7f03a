"""Rows for dashboard and report tests, built directly with the models (tasks, draws, records, cases).

``scenario(world)`` builds the hand-counted situation the figure tests check (2026年11月25日 is "today"):

County A (莲池区, 10 targets in 营 + 1 停业 + 1 移出名录):
* task A1 (2026): draw 1 superseded (3 targets) → re-draw 2 confirmed (t1, t2); records: t1 approved (未发现问题,
  inspected 2026-10-10), t2 submitted (发现问题已责令改正, inspected 2026-10-12); a cancelled record of draw 1;
* task A2 (2025, spanning the years 2025-12-01…2026-01-31): confirmed draw (t4), record approved, inspected
  2026-01-10 (counts for 2026 coverage, for 2025 completion);
* task A3 (2026, draft): nothing drawn;
* a case of t2 opened 2026-10-12, open (44 days old on 2026-11-25); a 2025 penalty case of t5 (rectified and
  re-checked), closed 2026-02-01.
County B (涞源县, 2 targets): task B1 (2026) published, one drawn target, record approved (行政处罚, inspected
2026-06-01), penalty 2026-06-10 of 5000 元, case open.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory.models import Specialty, Target, TargetStatus
from shuangsuiji.draws.models import DrawnTarget, DrawStatus, TargetDraw
from shuangsuiji.inspections.models import (
    CaseStatus,
    FollowUpCase,
    InspectionRecord,
    RecordStatus,
    ResultCode,
)
from shuangsuiji.planning.models import Task, TaskState
from tests.conftest import World

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 25)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def add_target(world: World, key: str, n: int, *, specialties: tuple[str, ...] = ("public_places",),
               status: str = TargetStatus.OPERATING, last: datetime.date | None = None, retired: bool = False,
               risk: str = "B") -> Target:
    owner = world.orgs[key]
    region = world.regions[key]
    code = complete_uscc(f"91{region.code}MA{n:06d}X"[:17])
    target = Target.objects.create(
        owner=owner, uscc=code, code=code, name=f"{region.name}测试单位{n:03d}", region=region, status=status,
        last_inspected_on=last, is_retired=retired, risk_class=risk,
    )
    target.specialties.set(Specialty.objects.filter(code__in=specialties))
    return target


def make_task(world: World, key: str, code: str, *, year: int = 2026, state: str = TaskState.INSPECTING,
              window: tuple[datetime.date, datetime.date] = (datetime.date(2026, 9, 1), datetime.date(2026, 12, 15)),
              specialties: tuple[str, ...] = ("public_places",)) -> Task:
    from shuangsuiji.planning.models import AnnualPlan, AnnualPlanLine, PlanStatus

    # a task of the annual plan (row 4 of the 月报表 counts only those)
    plan, _ = AnnualPlan.objects.get_or_create(
        owner=world.orgs[key], year=year, version=1,
        defaults={"title": f"{year}年度随机抽查计划", "status": PlanStatus.PUBLISHED},
    )
    line, _ = AnnualPlanLine.objects.get_or_create(plan=plan, item=world.items[key])
    task = Task.objects.create(
        owner=world.orgs[key], code=code, title=f"{year}年公共场所卫生双随机抽查{code}", year=year,
        methods=["on_site"], window_start=window[0], window_end=window[1], state=state, plan_line=line,
    )
    task.items.set([world.items[key]])
    task.specialties.set(Specialty.objects.filter(code__in=specialties))
    return task


def make_draw(world: World, task: Task, targets: list[Target], *, sequence: int = 1,
              status: str = DrawStatus.CONFIRMED, confirmed: datetime.date | None = None,
              previous: TargetDraw | None = None, pool: int | None = None) -> tuple[TargetDraw, list[DrawnTarget]]:
    admin = world.users["a_admin"] if task.owner == world.orgs["a"] else world.users["b_admin"]
    when = at(confirmed or task.window_start)
    draw = TargetDraw.objects.create(
        owner=task.owner, task=task, sequence=sequence, status=status, pool_size=pool or len(targets) * 10,
        pool_digest=hashlib.sha256(f"{task.pk}-{sequence}".encode()).hexdigest(), pool_file="pools/x.json",
        frozen_by=admin, frozen_at=when, drawn_by=admin, drawn_at=when,
        confirmed_by=admin if status in (DrawStatus.CONFIRMED, DrawStatus.SUPERSEDED) else None,
        confirmed_at=when if status in (DrawStatus.CONFIRMED, DrawStatus.SUPERSEDED) else None,
        previous=previous,
    )
    drawn = [
        DrawnTarget.objects.create(draw=draw, target=t, stratum="B", rank=i, reason="drawn")
        for i, t in enumerate(targets, start=1)
    ]
    return draw, drawn


_numbers: dict[int, int] = {}


def make_record(world: World, drawn: DrawnTarget, *, status: str = RecordStatus.APPROVED,
                inspected: datetime.date | None = None, codes: tuple[str, ...] = ("10",),
                reviewed: datetime.date | None = None) -> InspectionRecord:
    draw = drawn.draw
    admin = world.users["a_admin"] if draw.owner == world.orgs["a"] else world.users["b_admin"]
    n = InspectionRecord.objects.filter(owner=draw.owner).count() + 1
    entered = status in (RecordStatus.SUBMITTED, RecordStatus.RETURNED, RecordStatus.APPROVED)
    record = InspectionRecord.objects.create(
        owner=draw.owner, task=draw.task, draw=draw, drawn_target=drawn, target=drawn.target,
        number=f"{draw.task.code}-{n:04d}", status=status, methods=["on_site"], inspected_on=inspected,
        submitted_by=admin if entered else None, submitted_at=at(inspected) if entered and inspected else None,
        reviewed_by=admin if status == RecordStatus.APPROVED else None,
        reviewed_at=at(reviewed or inspected, 16) if status == RecordStatus.APPROVED and (reviewed or inspected) else None,
    )
    if entered:
        record.result_codes.set(ResultCode.objects.filter(code__in=codes))
    return record


def make_case(record: InspectionRecord, *, opened: datetime.date, closed: datetime.date | None = None,
              penalty: datetime.date | None = None, amount: Decimal | None = None, recheck: bool | None = None,
              rectify_deadline: datetime.date | None = None) -> FollowUpCase:
    n = FollowUpCase.objects.filter(owner=record.owner).count() + 1
    return FollowUpCase.objects.create(
        owner=record.owner, record=record, target=record.target, region=record.target.region,
        number=f"TZ-{record.owner.code}-{n:04d}", problem="从业人员健康合格证明过期", opened_on=opened,
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, closed_on=closed,
        rectify_ordered_on=opened if rectify_deadline else None, rectify_deadline=rectify_deadline,
        recheck_passed=recheck, recheck_on=(rectify_deadline if recheck is not None else None),
        penalty_decided_on=penalty, penalty_amount=amount,
        penalty_decision_number=f"卫罚〔{penalty.year}〕{n}号" if penalty else "",
        penalty_content="警告，罚款" if penalty else "",
    )


def publish(record: InspectionRecord, when: datetime.date) -> None:
    """Publish the record's result: the task becomes 已公示 and, with the disclosure app, a published result
    is stored (as the portal does)."""
    from django.apps import apps

    from shuangsuiji.oversight.dashboard_results import DISCLOSURE_RECORD_KEY, disclosure_installed

    Task.objects.filter(pk=record.task_id).update(state=TaskState.PUBLISHED)
    if disclosure_installed():
        model = apps.get_model("disclosure", "PublishedResult")
        model.objects.create(
            owner=record.owner, source_key=f"{DISCLOSURE_RECORD_KEY}{record.pk}", task=record.task,
            task_code=record.task.code, task_title=record.task.title, organization_name=record.owner.name,
            target=record.target, uscc=record.target.uscc, enterprise_name=record.target.name,
            name_search=record.target.name, region=record.target.region, year=record.task.year,
            inspected_on=record.inspected_on, result_group="no_problem", result_label="未发现问题",
            published_at=at(when),
        )


@dataclass
class Scenario:
    targets_a: list[Target]
    targets_b: list[Target]
    tasks: dict[str, Task] = field(default_factory=dict)
    records: dict[str, InspectionRecord] = field(default_factory=dict)
    cases: dict[str, FollowUpCase] = field(default_factory=dict)
    draws: dict[str, TargetDraw] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def scenario(world: World) -> Scenario:
    # County A: world target (悦来宾馆, in 营, never inspected) + 9 more in 营, one 停业, one removed.
    a = [world.targets["a"]]
    a += [add_target(world, "a", n, last=datetime.date(2024, 5, 1) if n <= 3 else None,
                     specialties=("public_places", "medical") if n % 2 else ("public_places",)) for n in range(1, 10)]
    add_target(world, "a", 90, status=TargetStatus.SUSPENDED)
    add_target(world, "a", 91, retired=True)
    b = [world.targets["b"], add_target(world, "b", 50, specialties=("medical",))]
    s = Scenario(a, b)

    a1 = make_task(world, "a", "A1")
    old, old_drawn = make_draw(world, a1, [a[0], a[1], a[2]], sequence=1, status=DrawStatus.SUPERSEDED,
                               confirmed=datetime.date(2026, 9, 2))
    new, new_drawn = make_draw(world, a1, [a[1], a[2]], sequence=2, previous=old, confirmed=datetime.date(2026, 9, 5))
    make_record(world, old_drawn[0], status=RecordStatus.CANCELLED)
    s.records["t1"] = make_record(world, new_drawn[0], inspected=datetime.date(2026, 10, 10))
    s.records["t2"] = make_record(world, new_drawn[1], status=RecordStatus.SUBMITTED,
                                  inspected=datetime.date(2026, 10, 12), codes=("21",))
    s.cases["t2"] = make_case(s.records["t2"], opened=datetime.date(2026, 10, 12),
                              rectify_deadline=datetime.date(2026, 10, 30))
    a2 = make_task(world, "a", "A2", year=2025, state=TaskState.COMPLETED,
                   window=(datetime.date(2025, 12, 1), datetime.date(2026, 1, 31)))
    d2, d2_drawn = make_draw(world, a2, [a[4]], confirmed=datetime.date(2025, 12, 2))
    s.records["t4"] = make_record(world, d2_drawn[0], inspected=datetime.date(2026, 1, 10))
    a3 = make_task(world, "a", "A3", state=TaskState.DRAFT)
    # a 2025 penalty of t5 (from an earlier task of 2025), rectified and re-checked
    a0 = make_task(world, "a", "A0", year=2025, state=TaskState.PUBLISHED,
                   window=(datetime.date(2025, 3, 1), datetime.date(2025, 5, 31)))
    d0, d0_drawn = make_draw(world, a0, [a[5]], confirmed=datetime.date(2025, 3, 2))
    s.records["t5"] = make_record(world, d0_drawn[0], inspected=datetime.date(2025, 4, 1), codes=("23",))
    publish(s.records["t5"], datetime.date(2025, 4, 20))
    s.cases["t5"] = make_case(s.records["t5"], opened=datetime.date(2025, 4, 1), closed=datetime.date(2026, 2, 1),
                              penalty=datetime.date(2025, 4, 20), amount=Decimal("2000"), recheck=True,
                              rectify_deadline=datetime.date(2025, 5, 1))
    s.tasks.update(A1=a1, A2=a2, A3=a3, A0=a0)
    s.draws.update(A1_old=old, A1=new, A2=d2, A0=d0)

    b1 = make_task(world, "b", "B1", state=TaskState.PUBLISHED,
                   window=(datetime.date(2026, 5, 1), datetime.date(2026, 6, 30)))
    db, db_drawn = make_draw(world, b1, [b[1]], confirmed=datetime.date(2026, 5, 5))
    s.records["b"] = make_record(world, db_drawn[0], inspected=datetime.date(2026, 6, 1), codes=("23",))
    publish(s.records["b"], datetime.date(2026, 6, 20))
    s.cases["b"] = make_case(s.records["b"], opened=datetime.date(2026, 6, 1), penalty=datetime.date(2026, 6, 10),
                             amount=Decimal("5000"))
    s.tasks["B1"] = b1
    s.draws["B1"] = db
    return s
