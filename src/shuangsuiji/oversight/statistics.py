"""Statistics tables by 专业, region, organization, inspector, month and year, each exportable to .xlsx.

Every table is built from grouped aggregate queries over the same querysets as the dashboard
(``oversight.dashboard``, ``oversight.dashboard_results``); Python only arranges the grouped rows (one per
专业 / bureau / inspector / month / year), never the underlying records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from shuangsuiji.common.stat_tables import Column, StatRow, StatTable, list_table, table_xlsx  # noqa: F401
from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty
from shuangsuiji.draws.models import Assignment, DrawnTarget, DrawStatus, MatchStatus
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordMember, RecordStatus
from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import (
    CYCLE_YEARS,
    OPERATING,
    Dashboard,
    Figures,
    Period,
    current_draws_queryset,
    drawn_queryset,
    rate,
    rates,
)
from shuangsuiji.oversight.models_reports import TargetStat, WorkEvent, WorkEventKind
from shuangsuiji.planning.models import Task, TaskKind

# Tables and their .xlsx writer are shared with the deadline pages: common.stat_tables.


# ---------------------------------------------------------------------------------------- per bureau / region

SUMMARY_COLUMNS = [
    Column("targets_operating", "检查对象（在营）", drill="targets"),
    Column("inspected_targets", "已检查对象", drill="inspected_targets"),
    Column("coverage", "年度覆盖率", "pct"),
    Column("covered_3y", "近3年已覆盖", drill="covered_3y"),
    Column("tasks", "抽查任务", drill="tasks"),
    Column("drawn", "抽中对象", drill="drawn"),
    Column("approved", "已完结", drill="approved"),
    Column("completion", "完结率", "pct"),
    Column("published", "已公示", drill="published"),
    Column("publication", "公示率", "pct"),
    Column("problem_records", "发现问题", drill="problem_records"),
    Column("cases_open", "未办结处置", drill="cases_open"),
    Column("penalties", "行政处罚", drill="penalties"),
    Column("deadlines_overdue", "逾期事项", drill="deadlines_overdue"),
]


def _summary_values(figures: Figures) -> dict[str, Any]:
    values: dict[str, Any] = dict(figures)
    values.update(rates(figures))
    return values


def region_table(board: Dashboard) -> StatTable:
    rows = [
        StatRow(row.group.name, _summary_values(row.figures), {"group": row.group.key},
                link=f"?org={row.org_id}&year={board.period.year}" if row.org_id else "")
        for row in board.rows
    ]
    return StatTable("region", "按区划统计", "区划", SUMMARY_COLUMNS, rows,
                     StatRow("合计", _summary_values(board.figures)))


def organization_table(board: Dashboard) -> StatTable:
    owners = board.scope.owners
    rows = [
        StatRow(owners[pk].name, _summary_values(board.by_owner[pk]), {"owner": pk},
                link=f"?org={pk}&year={board.period.year}")
        for pk in sorted(owners, key=lambda pk: (owners[pk].region.path, owners[pk].code))
    ]
    return StatTable("organization", "按单位统计", "单位", SUMMARY_COLUMNS, rows,
                     StatRow("合计", _summary_values(board.figures)))


# ---------------------------------------------------------------------------------------- per 专业

SPECIALTY_COLUMNS = [
    Column("items", "抽查事项", drill="items"),
    Column("targets_operating", "检查对象（在营）", drill="targets"),
    Column("tasks", "抽查任务", drill="tasks"),
    Column("drawn", "抽中对象", drill="drawn"),
    Column("draw_ratio", "抽查比例", "pct"),
    Column("inspected_targets", "已检查对象", drill="inspected_targets"),
    Column("coverage", "年度覆盖率", "pct"),
    Column("covered_3y", "近3年已覆盖", drill="covered_3y"),
    Column("approved", "已完结", drill="approved"),
    Column("completion", "完结率", "pct"),
    Column("published", "已公示", drill="published"),
    Column("problem_records", "发现问题", drill="problem_records"),
    Column("cases_opened", "立案/处置", drill="cases_opened"),
    Column("penalties", "行政处罚", drill="penalties"),
    Column("penalty_amount", "罚没款（元）", "money"),
]


def _merge_keyed(into: dict[Any, Figures], rows: Iterable[Any], key: str, fields: Iterable[str]) -> None:
    fields = list(fields)
    for row in rows:
        if row[key] is None:
            continue
        figures = into.setdefault(row[key], Figures())
        for name in fields:
            if row.get(name):
                figures[name] += row[name]


def _merge_pairs(into: dict[tuple[int, int], Figures], rows: Iterable[Any], owner: str, key: str,
                 fields: Iterable[str]) -> None:
    fields = list(fields)
    for row in rows:
        if row[key] is None:
            continue
        figures = into.setdefault((row[owner], row[key]), Figures())
        for name in fields:
            if row.get(name):
                figures[name] += row[name]


def specialty_library(owner_ids: list[int], period: Period) -> dict[int, Figures]:
    """Per 专业 of the library (a target with several 专业 counts under each): 在营 targets, 3/5-year coverage
    (from the maintained ``TargetStat``) and published items."""
    by: dict[int, Figures] = {}
    operating = Q(status=OPERATING)
    aggregates: dict[str, Any] = {"targets_operating": Sum("count", filter=operating)}
    for years in CYCLE_YEARS:
        aggregates[f"covered_{years}y"] = Sum(
            "count", filter=operating & Q(last_year__gte=period.year - years + 1, last_year__lte=period.year)
        )
    stats = TargetStat.objects.filter(owner_id__in=owner_ids, specialty__isnull=False)
    _merge_keyed(by, stats.order_by().values("specialty_id").annotate(**aggregates), "specialty_id", aggregates)
    items = CheckItem.objects.filter(owner_id__in=owner_ids, is_current=True, status=ItemStatus.PUBLISHED)
    _merge_keyed(by, items.order_by().values("specialty_id").annotate(items=Count("pk")), "specialty_id", ["items"])
    return by


def specialty_work(owner_ids: list[int], period: Period) -> dict[tuple[int, int], Figures]:
    """Work figures per (bureau, 专业 of the task): tasks, drawn, pool, approved, published, inspected, problems,
    cases, penalties — grouped queries over the small task tables, never the million targets."""
    by: dict[tuple[int, int], Figures] = {}
    tasks = Task.specialties.through.objects.filter(task__owner_id__in=owner_ids, task__year=period.year)
    _merge_pairs(by, tasks.order_by().values("task__owner_id", "specialty_id").annotate(
        tasks=Count("task_id", distinct=True)), "task__owner_id", "specialty_id", ["tasks"])
    drawn = drawn_queryset(owner_ids, period).order_by().values("draw__owner_id", "draw__task__specialties").annotate(
        drawn=Count("pk"))
    _merge_pairs(by, drawn, "draw__owner_id", "draw__task__specialties", ["drawn"])
    pools = current_draws_queryset(owner_ids, period)
    pool_rows = (
        Task.specialties.through.objects.filter(task__draws__in=pools).order_by()
        .values("task__owner_id", "specialty_id").annotate(pool=Sum("task__draws__pool_size"))
    )
    _merge_pairs(by, pool_rows, "task__owner_id", "specialty_id", ["pool"])
    spec = "task__specialties"
    conditions = results.record_conditions(owner_ids, period)
    record_aggregates = {key: Count("pk", filter=conditions[key]) for key in ("approved", "published")}
    records = results.records_queryset(owner_ids, period).order_by().values("owner_id", spec).annotate(
        **record_aggregates)
    _merge_pairs(by, records, "owner_id", spec, record_aggregates)
    covered = results.inspected_queryset(owner_ids, period).order_by().values("owner_id", spec).annotate(
        inspected_targets=Count("target_id", distinct=True)
    )
    _merge_pairs(by, covered, "owner_id", spec, ["inspected_targets"])
    code_spec = "inspectionrecord__task__specialties"
    problems = results.inspected_codes_queryset(owner_ids, period).order_by().values(
        "inspectionrecord__owner_id", code_spec).annotate(
        problem_records=Count("inspectionrecord_id", distinct=True, filter=Q(resultcode__is_problem=True))
    )
    _merge_pairs(by, problems, "inspectionrecord__owner_id", code_spec, ["problem_records"])
    case_spec = "record__task__specialties"
    opened = results.opened_cases_queryset(owner_ids, period).order_by().values("owner_id", case_spec).annotate(
        cases_opened=Count("pk"))
    _merge_pairs(by, opened, "owner_id", case_spec, ["cases_opened"])
    penalties = results.penalties_queryset(owner_ids, period).order_by().values("owner_id", case_spec).annotate(
        penalties=Count("pk"), penalty_amount=Sum("penalty_amount")
    )
    _merge_pairs(by, penalties, "owner_id", case_spec, ["penalties", "penalty_amount"])
    return by


def specialty_figures(owner_ids: list[int], period: Period,
                      work: dict[tuple[int, int], Figures] | None = None) -> dict[int, Figures]:
    """Per 专业: the library figures and the work figures (``work``: precomputed per bureau and 专业)."""
    by = specialty_library(owner_ids, period)
    for (_owner, specialty), figures in (specialty_work(owner_ids, period) if work is None else work).items():
        by.setdefault(specialty, Figures()).update(figures)
    return by


def specialty_table(owner_ids: list[int], period: Period,
                    work: dict[tuple[int, int], Figures] | None = None) -> StatTable:
    by = specialty_figures(owner_ids, period, work)
    rows: list[StatRow] = []
    for specialty in Specialty.objects.filter(is_active=True).order_by("sort_order", "code"):
        figures = by.get(specialty.pk, Figures())
        values: dict[str, Any] = dict(figures)
        values.update(rates(figures))
        rows.append(StatRow(specialty.name, values, {"specialty": specialty.pk}))
    return StatTable(
        "specialty", "按专业统计", "专业", SPECIALTY_COLUMNS, rows,
        note="事项和检查对象按名录库中的专业计（一个对象涉及多个专业的分别计入）；任务、抽中、检查、完结、发现问题、"
             "处置和处罚按抽查任务的专业计（联合抽查任务涉及多个专业的分别计入）。",
    )


# ---------------------------------------------------------------------------------------- per inspector

INSPECTOR_COLUMNS = [
    Column("organization", "工作单位", "text"),
    Column("assignments", "分派检查户数"),
    Column("records", "参加检查户数"),
    Column("problems", "发现问题户数"),
    Column("approved", "已审核户数"),
]


def inspector_table(owner_ids: list[int], period: Period) -> StatTable:
    assigned = (
        Assignment.objects.filter(
            is_active=True, match__owner_id__in=owner_ids, match__task__year=period.year,
            match__status__in=[MatchStatus.MATCHED, MatchStatus.CONFIRMED], match__draw__status=DrawStatus.CONFIRMED,
        )
        .order_by().values("inspector_id", "inspector__name", "inspector__organization__name")
        .annotate(assignments=Count("drawn_target_id", distinct=True))
    )
    inspected = results.inspected_queryset(owner_ids, period).values("pk")
    members = (
        RecordMember.objects.filter(record_id__in=inspected, present=True)
        .order_by().values("inspector_id", "inspector__name", "inspector__organization__name")
        .annotate(
            records=Count("record_id", distinct=True),
            problems=Count("record_id", distinct=True,
                           filter=results.problem_condition(owner_ids, period, field="record_id")),
            approved=Count("record_id", distinct=True, filter=Q(record__status="approved")),
        )
    )
    by: dict[int, dict[str, Any]] = {}
    all_rows: list[dict[str, Any]] = [dict(r) for r in assigned] + [dict(r) for r in members]
    for row in all_rows:
        entry = by.setdefault(row["inspector_id"], {
            "name": row["inspector__name"], "organization": row["inspector__organization__name"],
        })
        for key in ("assignments", "records", "problems", "approved"):
            if key in row:
                entry[key] = entry.get(key, 0) + row[key]
    rows = [
        StatRow(entry["name"], entry, {"inspector": pk})
        for pk, entry in sorted(by.items(), key=lambda item: (-item[1].get("records", 0), item[1]["name"]))
    ]
    return StatTable("inspector", "按执法人员统计", "执法检查人员", INSPECTOR_COLUMNS, rows,
                     note="分派检查户数：本年度任务当前有效的人员匹配；参加检查户数：统计期内录入结果且本人到场的一企一表。")


# ---------------------------------------------------------------------------------------- per month / year

MONTH_COLUMNS = [
    Column("draws_confirmed", "完成抽取（次）"),
    Column("drawn", "抽中对象"),
    Column("inspected_records", "检查户数"),
    Column("problem_records", "发现问题"),
    Column("approved", "审核通过"),
    Column("cases_opened", "后续处置登记"),
    Column("cases_closed", "后续处置办结"),
    Column("penalties", "行政处罚"),
    Column("meetings", "会议"),
    Column("documents", "印发文件"),
    Column("trainings", "培训"),
]


def _by_month(into: dict[int, Figures], rows: Iterable[Any], fields: Iterable[str]) -> None:
    _merge_keyed(into, rows, "m", fields)


def month_table(owner_ids: list[int], period: Period) -> StatTable:
    year = Period(period.year, period.start.replace(month=1, day=1), period.start.replace(month=12, day=31),
                  period.as_of)
    by: dict[int, Figures] = {}
    draws = current_draws_queryset(owner_ids, year).annotate(m=ExtractMonth("confirmed_at"))
    _by_month(by, draws.filter(confirmed_at__year=period.year).order_by().values("m").annotate(draws_confirmed=Count("pk")),
              ["draws_confirmed"])
    drawn = drawn_queryset(owner_ids, year).filter(draw__confirmed_at__year=period.year).annotate(
        m=ExtractMonth("draw__confirmed_at"))
    _by_month(by, drawn.order_by().values("m").annotate(drawn=Count("pk")), ["drawn"])
    inspected = results.inspected_queryset(owner_ids, year).annotate(m=ExtractMonth("inspected_on"))
    _by_month(by, inspected.order_by().values("m").annotate(inspected_records=Count("pk")), ["inspected_records"])
    codes = results.inspected_codes_queryset(owner_ids, year).annotate(m=ExtractMonth("inspectionrecord__inspected_on"))
    _by_month(by, codes.order_by().values("m").annotate(
        problem_records=Count("inspectionrecord_id", distinct=True, filter=Q(resultcode__is_problem=True))),
        ["problem_records"])
    approved = results.records_queryset(owner_ids, year).filter(
        results.record_conditions(owner_ids, year)["approved"], reviewed_at__year=period.year
    ).annotate(m=ExtractMonth("reviewed_at"))
    _by_month(by, approved.order_by().values("m").annotate(approved=Count("pk")), ["approved"])
    opened = results.opened_cases_queryset(owner_ids, year).annotate(m=ExtractMonth("opened_on"))
    _by_month(by, opened.order_by().values("m").annotate(cases_opened=Count("pk")), ["cases_opened"])
    closed = results.closed_cases_queryset(owner_ids, year).annotate(m=ExtractMonth("closed_on"))
    _by_month(by, closed.order_by().values("m").annotate(cases_closed=Count("pk")), ["cases_closed"])
    penalties = results.penalties_queryset(owner_ids, year).annotate(m=ExtractMonth("penalty_decided_on"))
    _by_month(by, penalties.order_by().values("m").annotate(penalties=Count("pk")), ["penalties"])
    events = WorkEvent.objects.filter(owner_id__in=owner_ids, held_on__year=period.year).annotate(
        m=ExtractMonth("held_on"))
    _by_month(by, events.order_by().values("m").annotate(
        meetings=Count("pk", filter=Q(kind=WorkEventKind.MEETING)),
        documents=Count("pk", filter=Q(kind=WorkEventKind.DOCUMENT)),
        trainings=Count("pk", filter=Q(kind=WorkEventKind.TRAINING)),
    ), ["meetings", "documents", "trainings"])
    rows = [StatRow(f"{m}月", dict(by.get(m, Figures())), {"month": m}) for m in range(1, 13)]
    totals: Figures = Figures()
    for figures in by.values():
        totals.update(figures)
    return StatTable("month", f"{period.year}年按月统计", "月份", MONTH_COLUMNS, rows, StatRow("全年", dict(totals)),
                     note="抽取按确认日期、检查按检查日期、审核按审核日期、处罚按决定日期计入月份。")


YEAR_COLUMNS = [
    Column("tasks", "抽查任务"),
    Column("drawn", "抽中对象"),
    Column("approved", "已完结"),
    Column("completion", "完结率", "pct"),
    Column("inspected_targets", "已检查对象"),
    Column("problem_records", "发现问题"),
    Column("penalties", "行政处罚"),
    Column("penalty_amount", "罚没款（元）", "money"),
]


def year_table(owner_ids: list[int], period: Period, *, years: int = 5) -> StatTable:
    first = period.year - years + 1
    by: dict[int, Figures] = {}
    tasks = Task.objects.filter(owner_id__in=owner_ids, year__gte=first, year__lte=period.year)
    _merge_keyed(by, tasks.order_by().values("year").annotate(tasks=Count("pk")), "year", ["tasks"])
    drawn = DrawnTarget.objects.filter(
        draw__owner_id__in=owner_ids, draw__task__year__gte=first, draw__task__year__lte=period.year,
        draw__status=DrawStatus.CONFIRMED,
    )
    _merge_keyed(by, drawn.order_by().values("draw__task__year").annotate(drawn=Count("pk")),
                 "draw__task__year", ["drawn"])
    records = InspectionRecord.objects.filter(
        owner_id__in=owner_ids, task__year__gte=first, task__year__lte=period.year, draw__status=DrawStatus.CONFIRMED,
        status=RecordStatus.APPROVED,
    )
    _merge_keyed(by, records.order_by().values("task__year").annotate(approved=Count("pk")), "task__year", ["approved"])
    inspected = InspectionRecord.objects.filter(
        owner_id__in=owner_ids, inspected_on__year__gte=first, inspected_on__year__lte=period.year,
        status__in=results.RESULT_ENTERED,
    ).exclude(task__kind=TaskKind.NONRANDOM).annotate(y=ExtractYear("inspected_on"))
    _merge_keyed(by, inspected.order_by().values("y").annotate(
        inspected_targets=Count("target_id", distinct=True)), "y", ["inspected_targets"])
    codes = InspectionRecord.result_codes.through.objects.filter(
        inspectionrecord__owner_id__in=owner_ids, inspectionrecord__inspected_on__year__gte=first,
        inspectionrecord__inspected_on__year__lte=period.year, inspectionrecord__status__in=results.RESULT_ENTERED,
    ).exclude(inspectionrecord__task__kind=TaskKind.NONRANDOM).annotate(y=ExtractYear("inspectionrecord__inspected_on"))
    _merge_keyed(by, codes.order_by().values("y").annotate(  # type: ignore[misc]
        problem_records=Count("inspectionrecord_id", distinct=True, filter=Q(resultcode__is_problem=True))),
        "y", ["problem_records"])
    penalties = FollowUpCase.objects.filter(
        owner_id__in=owner_ids, penalty_decided_on__year__gte=first, penalty_decided_on__year__lte=period.year
    ).annotate(y=ExtractYear("penalty_decided_on"))
    _merge_keyed(by, penalties.order_by().values("y").annotate(
        penalties=Count("pk"), penalty_amount=Sum("penalty_amount")), "y", ["penalties", "penalty_amount"])
    rows: list[StatRow] = []
    for year in range(period.year, first - 1, -1):
        figures = by.get(year, Figures())
        values: dict[str, Any] = dict(figures)
        values["completion"] = rate(figures["approved"], figures["drawn"])
        rows.append(StatRow(f"{year}年", values, {"year": year}))
    return StatTable("year", "按年度统计", "年度", YEAR_COLUMNS, rows,
                     note="任务、抽中和完结按任务年度计；检查对象、发现问题按检查日期、处罚按决定日期计入年度。")


# ---------------------------------------------------------------------------------------- registry

TABLES: dict[str, str] = {
    "specialty": "按专业",
    "region": "按区划",
    "organization": "按单位",
    "inspector": "按执法人员",
    "month": "按月份",
    "year": "按年度",
}


def build_table(key: str, board: Dashboard) -> StatTable:
    owner_ids, period = board.scope.owner_ids, board.period
    builders: dict[str, Callable[[], StatTable]] = {
        "specialty": lambda: specialty_table(owner_ids, period, board.specialty_work() if board.work else None),
        "region": lambda: region_table(board),
        "organization": lambda: organization_table(board),
        "inspector": lambda: inspector_table(owner_ids, period),
        "month": lambda: month_table(owner_ids, period),
        "year": lambda: year_table(owner_ids, period),
    }
    return builders[key]()


def as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
