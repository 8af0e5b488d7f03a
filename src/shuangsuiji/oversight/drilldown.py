"""Drill-down: the list of rows behind every number of the dashboards and statistics.

``drill_list(actor=…, metric=…, params=…)`` rebuilds the figure's own queryset (the functions of
``oversight.dashboard`` / ``dashboard_results``), so the list has exactly as many rows as the number said.
Parameters: ``org`` and ``year`` (as on the dashboard), optionally ``group`` (a region row), ``owner`` (one
bureau), ``specialty``, ``state`` (task state), ``g`` (result group), ``age`` / ``took`` (case age bucket),
``start`` / ``end`` (a report's period, ISO dates).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.common.exceptions import NotFoundError, PermissionDeniedError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.deadlines.models import AccountabilityStatus, Deadline, Supervision, SupervisionStatus
from shuangsuiji.deadlines.permissions import can_view_accountability, is_oversight_viewer
from shuangsuiji.directory.models import CheckItem, Inspector, InspectorStatus, ItemStatus, Target
from shuangsuiji.draws.models import DrawStatus, TargetDraw
from shuangsuiji.inspections.models import RecordMember
from shuangsuiji.oversight import dashboard as d
from shuangsuiji.oversight import dashboard_results as r
from shuangsuiji.planning.models import Task, TaskState

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


@dataclass(frozen=True)
class DrillContext:
    owner_ids: list[int]
    period: d.Period
    params: Mapping[str, str]

    def param(self, name: str) -> str:
        return str(self.params.get(name) or "")

    def int_param(self, name: str) -> int | None:
        try:
            return int(self.param(name))
        except ValueError:
            return None


@dataclass(frozen=True)
class DrillColumn:
    label: str
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass
class DrillList:
    title: str
    queryset: QuerySet[Any]
    columns: list[DrillColumn]
    scope_label: str
    period: d.Period

    def rows(self, objects: Any) -> list[list[tuple[Any, str]]]:
        """Cell values and links for the objects of one page."""
        return [
            [(_text(column.value(obj)), column.link(obj) if column.link else "") for column in self.columns]
            for obj in objects
        ]


def _text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return format_cn_date(timezone.localdate(value))
    if isinstance(value, datetime.date):
        return format_cn_date(value)
    if value is None or value == "":
        return "—"
    return value


def _url(name: str) -> Callable[[Any], str]:
    return lambda obj: reverse(name, args=[obj.pk])


# ---------------------------------------------------------------------------------------- columns per kind

TARGET_COLUMNS = [
    DrillColumn("检查对象", lambda t: t.name, _url("directory:target_detail")),
    DrillColumn("统一社会信用代码/编码", lambda t: t.uscc or t.code),
    DrillColumn("所属区划", lambda t: t.region.name),
    DrillColumn("经营状态", lambda t: t.get_status_display()),
    DrillColumn("最近检查日期", lambda t: t.last_inspected_on),
]
ITEM_COLUMNS = [
    DrillColumn("事项编码", lambda i: i.code, _url("directory:item_detail")),
    DrillColumn("抽查事项", lambda i: i.name),
    DrillColumn("专业", lambda i: i.specialty.name),
    DrillColumn("事项类别", lambda i: i.get_kind_display()),
]
INSPECTOR_COLUMNS = [
    DrillColumn("姓名", lambda i: i.name, _url("directory:inspector_detail")),
    DrillColumn("工作单位", lambda i: i.organization.name),
    DrillColumn("人员类别", lambda i: i.get_kind_display()),
    DrillColumn("执法证有效期至", lambda i: i.licence_valid_to),
]
TASK_COLUMNS = [
    DrillColumn("任务编号", lambda t: t.code, _url("planning:task_detail")),
    DrillColumn("任务名称", lambda t: t.title),
    DrillColumn("组织单位", lambda t: t.owner.name),
    DrillColumn("状态", lambda t: t.get_state_display()),
    DrillColumn("检查开始", lambda t: t.window_start),
    DrillColumn("检查结束", lambda t: t.window_end),
]
DRAW_COLUMNS = [
    DrillColumn("抽取", lambda x: f"{x.task.code} 第{x.sequence}次", _url("draws:draw_detail")),
    DrillColumn("任务名称", lambda x: x.task.title),
    DrillColumn("状态", lambda x: x.get_status_display()),
    DrillColumn("对象池户数", lambda x: x.pool_size),
    DrillColumn("确认时间", lambda x: x.confirmed_at),
]
DRAWN_COLUMNS = [
    DrillColumn("检查对象", lambda x: x.target.name, lambda x: reverse("directory:target_detail", args=[x.target_id])),
    DrillColumn("任务", lambda x: x.draw.task.code, lambda x: reverse("planning:task_detail", args=[x.draw.task_id])),
    DrillColumn("抽取", lambda x: f"第{x.draw.sequence}次", lambda x: reverse("draws:draw_detail", args=[x.draw_id])),
    DrillColumn("纳入原因", lambda x: x.get_reason_display()),
]
RECORD_COLUMNS = [
    DrillColumn("编号", lambda x: x.number, _url("inspections:record_detail")),
    DrillColumn("检查对象", lambda x: x.target.name),
    DrillColumn("任务", lambda x: x.task.code),
    DrillColumn("检查日期", lambda x: x.inspected_on),
    DrillColumn("状态", lambda x: x.get_status_display()),
]
CASE_COLUMNS = [
    DrillColumn("台账编号", lambda x: x.number, _url("inspections:case_detail")),
    DrillColumn("检查对象", lambda x: x.target.name),
    DrillColumn("登记日期", lambda x: x.opened_on),
    DrillColumn("状态", lambda x: x.get_status_display()),
    DrillColumn("已采取措施", lambda x: "、".join(x.measures_taken)),
    DrillColumn("处罚决定书", lambda x: x.penalty_decision_number),
    DrillColumn("办结日期", lambda x: x.closed_on),
]
DEADLINE_COLUMNS = [
    DrillColumn("事项", lambda x: x.subject_repr, _url("deadlines:deadline_detail")),
    DrillColumn("期限类型", lambda x: x.get_kind_display()),
    DrillColumn("截止日期", lambda x: x.due_date),
    DrillColumn("责任人", lambda x: x.responsible.display_name if x.responsible else ""),
    DrillColumn("完成日期", lambda x: x.completed_on),
]
SUPERVISION_COLUMNS = [
    DrillColumn("督办", lambda x: x.number, _url("deadlines:supervision_detail")),
    DrillColumn("事项", lambda x: x.deadline.subject_repr),
    DrillColumn("状态", lambda x: x.get_status_display()),
    DrillColumn("承诺完成日期", lambda x: x.promised_date),
]
ACCOUNTABILITY_COLUMNS = [
    DrillColumn("事项", lambda x: x.what, _url("deadlines:accountability_detail")),
    DrillColumn("责任单位", lambda x: x.organization.name),
    DrillColumn("逾期工作日", lambda x: x.late_workdays),
    DrillColumn("处理状态", lambda x: x.get_status_display()),
]

KINDS: dict[str, tuple[list[DrillColumn], tuple[str, ...], str, tuple[str, ...]]] = {
    # kind: columns, select_related, 专业 path, ordering. Targets, items and inspectors are filtered by the 专业 of
    # the library; tasks, draws, records and cases by the 专业 of the task (as the statistics count them).
    "target": (TARGET_COLUMNS, ("region",), "specialties", ("name", "pk")),
    "item": (ITEM_COLUMNS, ("specialty",), "specialty", ("code", "pk")),
    "inspector": (INSPECTOR_COLUMNS, ("organization",), "qualifications", ("name", "pk")),
    "task": (TASK_COLUMNS, ("owner",), "specialties", ("-year", "code", "pk")),
    "draw": (DRAW_COLUMNS, ("task",), "task__specialties", ("task__code", "sequence")),
    "drawn": (DRAWN_COLUMNS, ("target", "draw", "draw__task"), "draw__task__specialties",
              ("draw__task__code", "rank", "pk")),
    "record": (RECORD_COLUMNS, ("target", "task"), "task__specialties", ("number", "pk")),
    "case": (CASE_COLUMNS, ("target",), "record__task__specialties", ("opened_on", "pk")),
    "deadline": (DEADLINE_COLUMNS, ("responsible",), "", ("due_date", "pk")),
    "supervision": (SUPERVISION_COLUMNS, ("deadline",), "", ("-created_at", "pk")),
    "accountability": (ACCOUNTABILITY_COLUMNS, ("organization",), "", ("-created_at", "pk")),
}


# ---------------------------------------------------------------------------------------- metrics

Builder = Callable[[DrillContext], QuerySet[Any]]


def _targets(c: DrillContext) -> QuerySet[Any]:
    return Target.objects.filter(owner_id__in=c.owner_ids, is_retired=False, status=d.OPERATING)


def _covered(years: int) -> Builder:
    def build(c: DrillContext) -> QuerySet[Any]:
        first = datetime.date(c.period.year - years + 1, 1, 1)
        return _targets(c).filter(last_inspected_on__gte=first, last_inspected_on__lte=datetime.date(c.period.year, 12, 31))

    return build


def _tasks(c: DrillContext) -> QuerySet[Any]:
    qs = d.tasks_queryset(c.owner_ids, c.period)
    state = c.param("state")
    return qs.filter(state=state) if state in TaskState.values else qs


def _tasks_drawn(c: DrillContext) -> QuerySet[Any]:
    """Tasks with a current confirmed draw (counted by the draws' owner, as the figure is)."""
    drawn = d.current_draws_queryset(c.owner_ids, c.period)
    qs = Task.objects.filter(pk__in=drawn.values("task_id"))
    state = c.param("state")
    return qs.filter(state=state) if state in TaskState.values else qs


def _draws(condition: Q) -> Builder:
    return lambda c: TargetDraw.objects.filter(condition, owner_id__in=c.owner_ids, task__year=c.period.year)


def _records(key: str, negate: str = "") -> Builder:
    def build(c: DrillContext) -> QuerySet[Any]:
        conditions = r.record_conditions(c.owner_ids, c.period)
        qs = r.records_queryset(c.owner_ids, c.period).filter(conditions[key])
        return qs.exclude(conditions[negate]) if negate else qs

    return build


def _not_completed(c: DrillContext) -> QuerySet[Any]:
    approved = r.records_queryset(c.owner_ids, c.period).filter(r.record_conditions(c.owner_ids, c.period)["approved"])
    return d.drawn_queryset(c.owner_ids, c.period).exclude(pk__in=approved.values("drawn_target_id"))


def _inspected_targets(c: DrillContext) -> QuerySet[Any]:
    inspected = r.inspected_queryset(c.owner_ids, c.period)
    specialty = c.int_param("specialty")
    if specialty:  # per 专业: the 专业 of the task the target was inspected under
        inspected = inspected.filter(task__specialties=specialty)
    return Target.objects.filter(pk__in=inspected.values("target_id"))


def _inspected(c: DrillContext) -> QuerySet[Any]:
    return r.inspected_queryset(c.owner_ids, c.period)


def _problems(c: DrillContext) -> QuerySet[Any]:
    return _inspected(c).filter(r.problem_condition(c.owner_ids, c.period))


def _group(c: DrillContext) -> QuerySet[Any]:
    group = c.param("g")
    if group not in r.GROUP_LABELS:
        raise NotFoundError("未知的结果类别")
    return _inspected(c).filter(r.group_condition(group, c.owner_ids, c.period))


def _bucket(c: DrillContext, name: str) -> tuple[int, int | None] | None:
    key = c.param(name)
    for bucket, _label, lower, upper in r.AGE_BUCKETS:
        if bucket == key:
            return lower, upper
    return None


def _cases_open(c: DrillContext) -> QuerySet[Any]:
    qs = r.open_cases_with_age(c.owner_ids, c.period)
    bucket = _bucket(c, "age")
    return qs.filter(r.age_condition("age", *bucket)) if bucket else qs


def _cases_closed(c: DrillContext) -> QuerySet[Any]:
    qs = r.closed_cases_with_duration(c.owner_ids, c.period)
    bucket = _bucket(c, "took")
    return qs.filter(r.age_condition("took", *bucket)) if bucket else qs


def _penalties(c: DrillContext) -> QuerySet[Any]:
    qs = r.penalties_queryset(c.owner_ids, c.period)
    if c.param("published") == "1":
        qs = qs.filter(r.penalty_published_condition(c.owner_ids, c.period))
    return qs


def _late(c: DrillContext) -> QuerySet[Any]:
    return Deadline.objects.filter(
        owner_id__in=c.owner_ids, completed_late=True, completed_on__gte=c.period.start,
        completed_on__lte=c.period.end,
    )


def _inspector_records(c: DrillContext) -> QuerySet[Any]:
    inspector = c.int_param("inspector") or 0
    members = RecordMember.objects.filter(
        inspector_id=inspector, present=True, record_id=OuterRef("pk")
    )
    return _inspected(c).filter(Exists(members))


# Metrics whose builder applies the 专业 itself (targets counted through the tasks they were inspected under).
SELF_FILTERED = {"inspected_targets"}
# metric → (title, kind, builder)
METRICS: dict[str, tuple[str, str, Builder]] = {
    "targets": ("检查对象（在营）", "target", _targets),
    "targets_total": ("检查对象（名录库）", "target",
                      lambda c: Target.objects.filter(owner_id__in=c.owner_ids, is_retired=False)),
    "covered_3y": ("近3年内检查过的在营对象", "target", _covered(3)),
    "covered_5y": ("近5年内检查过的在营对象", "target", _covered(5)),
    "items": ("已公布的抽查事项", "item", lambda c: CheckItem.objects.filter(
        owner_id__in=c.owner_ids, is_current=True, status=ItemStatus.PUBLISHED)),
    "inspectors": ("在岗执法检查人员", "inspector", lambda c: Inspector.objects.filter(
        owner_id__in=c.owner_ids, is_retired=False, status=InspectorStatus.ON_DUTY)),
    "tasks": ("抽查任务", "task", _tasks),
    "tasks_joint": ("联合抽查任务", "task", lambda c: _tasks(c).filter(joint_plan__isnull=False)),
    "tasks_drawn": ("已完成抽取的任务", "task", _tasks_drawn),
    "draws_confirmed": ("已确认的抽取", "draw", lambda c: d.current_draws_queryset(c.owner_ids, c.period)),
    "redraws": ("重新抽取（已确认）", "draw",
                lambda c: d.current_draws_queryset(c.owner_ids, c.period).filter(previous__isnull=False)),
    "draws_superseded": ("被重新抽取取代的抽取", "draw", _draws(Q(status=DrawStatus.SUPERSEDED))),
    "draws_pending": ("待抽取/待确认的抽取", "draw", _draws(Q(status__in=[DrawStatus.POOL_FROZEN, DrawStatus.DRAWN]))),
    "drawn": ("抽中对象（当前有效抽取）", "drawn", lambda c: d.drawn_queryset(c.owner_ids, c.period)),
    "not_completed": ("抽中但尚未完结的对象", "drawn", _not_completed),
    "records": ("一企一表", "record", _records("records")),
    "entered": ("已录入结果的一企一表", "record", _records("entered")),
    "approved": ("已完结（审核通过）的一企一表", "record", _records("approved")),
    "published": ("已公示的抽查结果", "record", _records("published")),
    "unpublished": ("已审核、尚未公示的抽查结果", "record", _records("approved", negate="published")),
    "pending_entry": ("待录入结果的一企一表", "record", _records("pending_entry")),
    "inspected_targets": ("统计期内已检查的对象", "target", _inspected_targets),
    "inspected_records": ("统计期内检查的一企一表", "record", _inspected),
    "problem_records": ("发现问题的一企一表", "record", _problems),
    "group": ("按结果类别", "record", _group),
    "inspector_records": ("执法人员参加检查的一企一表", "record", _inspector_records),
    "cases_open": ("未办结的后续处置", "case", _cases_open),
    "cases_closed": ("统计期内办结的后续处置", "case", _cases_closed),
    "cases_opened": ("统计期内登记的后续处置", "case", lambda c: r.opened_cases_queryset(c.owner_ids, c.period)),
    "penalties": ("统计期内的行政处罚", "case", _penalties),
    "deadlines_overdue": ("逾期未完成的期限", "deadline", lambda c: d.overdue_deadlines_queryset(c.owner_ids, c.period)),
    "deadlines_near": ("临近截止（已提醒）的期限", "deadline", lambda c: d.near_deadlines_queryset(c.owner_ids, c.period)),
    "deadlines_late": ("统计期内逾期完成的期限", "deadline", _late),
    "reminders": ("统计期内发出懒政提醒的期限", "deadline", lambda c: d.reminded_deadlines_queryset(c.owner_ids, c.period)),
    "supervisions": ("统计期内的怠政督办", "supervision", lambda c: d.supervisions_queryset(c.owner_ids, c.period)),
    "supervisions_open": ("统计期内未办结的怠政督办", "supervision", lambda c: d.supervisions_queryset(
        c.owner_ids, c.period).exclude(status=SupervisionStatus.CLOSED)),
    "accountabilities": ("统计期内的失职问责", "accountability",
                         lambda c: d.accountabilities_queryset(c.owner_ids, c.period)),
    "accountabilities_open": ("统计期内待处理的失职问责", "accountability", lambda c: d.accountabilities_queryset(
        c.owner_ids, c.period).filter(status=AccountabilityStatus.OPEN)),
}


def _parse_day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def drill_period(params: Mapping[str, str], today: datetime.date) -> d.Period:
    try:
        year = int(params.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise NotFoundError("年度超出范围")
    start, end = _parse_day(str(params.get("start") or "")), _parse_day(str(params.get("end") or ""))
    if start and end and start.year == year and end.year == year and start <= end:
        return d.Period(year, start, end, min(end, today))
    return d.Period.year_to_date(year, today)


def _filters_text(c: DrillContext) -> str:
    """The filters of the list, in words (appended to its title)."""
    from shuangsuiji.directory.models import Specialty

    parts: list[str] = []
    specialty = c.int_param("specialty")
    if specialty:
        name = Specialty.objects.filter(pk=specialty).values_list("name", flat=True).first()
        parts.append(f"专业：{name or specialty}")
    if c.param("state") in TaskState.values:
        parts.append(f"状态：{TaskState(c.param('state')).label}")
    labels = {key: label for key, label, _lo, _hi in r.AGE_BUCKETS}
    if c.param("age") in labels:
        parts.append(f"已登记{labels[c.param('age')]}")
    if c.param("took") in labels:
        parts.append(f"办理用时{labels[c.param('took')]}")
    if c.param("published") == "1":
        parts.append("已公示")
    return f"（{'，'.join(parts)}）" if parts else ""


def drill_list(*, actor: User, metric: str, params: Mapping[str, str], today: datetime.date | None = None) -> DrillList:
    if metric not in METRICS:
        raise NotFoundError("没有这项统计")
    title, kind, build = METRICS[metric]
    if kind == "supervision" and not is_oversight_viewer(actor):
        raise PermissionDeniedError("督办明细仅领导、上级监督人员和双随机办可以查看")
    if kind == "accountability" and not can_view_accountability(actor):
        raise PermissionDeniedError("问责记录仅领导、上级监督人员和双随机办可以查看")
    today = today or timezone.localdate()
    org_param = params.get("org")
    scope = d.dashboard_scope(actor=actor, org_id=int(org_param) if org_param and str(org_param).isdigit() else None)
    owner_ids = scope.owner_ids
    scope_label = scope.organization.name
    group_key = str(params.get("group") or "")
    if group_key:
        group = next((g for g in scope.groups if g.key == group_key), None)
        if group is None:
            raise NotFoundError("区划不在统计范围内")
        owner_ids, scope_label = group.owner_ids, group.name
    owner = params.get("owner")
    if owner:
        if not str(owner).isdigit() or int(owner) not in scope.owners:
            raise NotFoundError("单位不在统计范围内")
        owner_ids, scope_label = [int(owner)], scope.owners[int(owner)].name
    period = drill_period(params, today)
    context = DrillContext(owner_ids, period, params)
    columns, related, specialty_path, ordering = KINDS[kind]
    qs = build(context)
    specialty = context.int_param("specialty")
    if specialty and specialty_path and metric not in SELF_FILTERED:
        qs = qs.filter(**{specialty_path: specialty}).distinct()
    if metric == "group":
        title = f"结果类别：{r.GROUP_LABELS[context.param('g')]}"
    title += _filters_text(context)
    if kind == "supervision":
        qs = qs.filter(pk__in=Supervision.objects.visible_to(actor).values("pk"))
    return DrillList(title, qs.select_related(*related).order_by(*ordering), columns, scope_label, period)
