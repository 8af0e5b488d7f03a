"""Figures that need inspection results (一企一表, 后续处置台账, 行政处罚) and their publication.

Kept apart from ``oversight.dashboard`` because they read other apps' tables: ``inspections`` (records,
result codes, follow-up cases) and, when it is installed, ``disclosure`` (published results and penalties).
Without the disclosure app a result counts as published when its task is 已公示.

Definitions (see ``oversight.dashboard`` for the period rules):

* records of the year's tasks (current draws only): ``records`` (not cancelled), ``entered`` (submitted,
  returned or approved by the end of the period), ``approved`` (审核通过 — the 完结 of 完结率), ``published``
  (approved and published by the end of the period), ``pending_entry`` (still to enter), ``entered_late``;
* records inspected within the period (``inspected_on``, results entered): ``inspected_records``,
  ``inspected_targets`` (distinct targets: the numerator of coverage),
  ``problem_records`` (a result code marked 发现问题) and ``group_<g>`` — the publication group of seed 003
  (未发现问题 / 发现问题已责令整改 / 行政处罚 / 无法联系 / 其他), the first in ``PUBLICATION_PRECEDENCE``
  among the record's codes;
* follow-up cases: ``cases_opened`` / ``cases_closed`` within the period, ``cases_open`` at its end and by
  age (``case_age_<bucket>``: days since opened), closed ones by duration (``case_took_<bucket>``);
* 行政处罚: decisions within the period (``penalties``, ``penalty_amount`` in 元, ``penalties_published``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Substr

from shuangsuiji.draws.models import DrawStatus
from shuangsuiji.inspections.models import (
    PUBLICATION_PRECEDENCE,
    CaseStatus,
    FollowUpCase,
    InspectionRecord,
    PublicationGroup,
    RecordStatus,
)
from shuangsuiji.oversight.dashboard import Figures, Period, _by_owner, _merge
from shuangsuiji.planning.models import TaskKind, TaskState

ENTERED = (RecordStatus.SUBMITTED, RecordStatus.RETURNED, RecordStatus.APPROVED)
RESULT_ENTERED = (RecordStatus.SUBMITTED, RecordStatus.APPROVED)
NO_RESULT = "none"
# (key, label, lower bound in days inclusive, upper bound inclusive or None)
AGE_BUCKETS: list[tuple[str, str, int, int | None]] = [
    ("0_30", "30日以内", 0, 30),
    ("31_90", "31—90日", 31, 90),
    ("91_180", "91—180日", 91, 180),
    ("181", "180日以上", 181, None),
]
GROUP_LABELS: dict[str, str] = {**dict(PublicationGroup.choices), NO_RESULT: "未填写结果"}
DISCLOSURE_RECORD_KEY = "inspections.record:"
DISCLOSURE_CASE_KEY = "inspections.case:"
# Read through the app registry: the disclosure app is optional here.
DISCLOSURE_APP: str = "disclosure"
PUBLISHED_RESULT: str = "PublishedResult"
PUBLISHED_PENALTY: str = "PublishedPenalty"


class DaysBetween(models.Func):
    """Whole days from ``first`` to ``second`` (``second - first``), on PostgreSQL and SQLite."""

    output_field = models.IntegerField()
    template = "((%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(second, first)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra_context,
        )


def disclosure_installed() -> bool:
    """The disclosure app and its published-result tables are there (an empty app shell does not count)."""
    if not apps.is_installed("shuangsuiji.disclosure"):
        return False
    models_ = apps.get_app_config(DISCLOSURE_APP).models
    return PUBLISHED_RESULT.lower() in models_ and PUBLISHED_PENALTY.lower() in models_


# ---------------------------------------------------------------------------------------- querysets


def records_queryset(owner_ids: list[int], period: Period) -> QuerySet[InspectionRecord]:
    """Records of the period's tasks from the current (confirmed) draws."""
    return InspectionRecord.objects.filter(
        owner_id__in=owner_ids, task__year=period.year, draw__status=DrawStatus.CONFIRMED
    ).exclude(status=RecordStatus.CANCELLED)


def _source_ids(model_name: str, prefix: str, owner_field: str, owner_ids: list[int], period: Period) -> QuerySet[Any]:
    """Ids of the inspections rows a disclosure model published by the period's ``as_of`` (``source_key`` is
    ``<prefix><id>``), as an uncorrelated sub-query (PostgreSQL hashes it once)."""
    model = apps.get_model(DISCLOSURE_APP, model_name)
    return (
        model.objects.filter(**{f"{owner_field}__in": owner_ids}, source_key__startswith=prefix,
                             published_at__lt=period.as_of_dt)
        .annotate(source_id=Cast(Substr("source_key", len(prefix) + 1), models.BigIntegerField()))
        .values("source_id")
    )


def published_condition(owner_ids: list[int], period: Period) -> Q:
    """A record's result is published by the period's ``as_of`` (also when held back with a recorded legal
    reason — 依法不宜公开 discharges the duty to publish)."""
    if disclosure_installed():
        return Q(pk__in=_source_ids(PUBLISHED_RESULT, DISCLOSURE_RECORD_KEY, "owner_id", owner_ids, period))
    return Q(task__state=TaskState.PUBLISHED)


def record_conditions(owner_ids: list[int], period: Period) -> dict[str, Q]:
    approved = Q(status=RecordStatus.APPROVED, reviewed_at__lt=period.as_of_dt)
    return {
        "records": Q(),
        "entered": Q(status__in=ENTERED, submitted_at__lt=period.as_of_dt),
        "approved": approved,
        "published": approved & published_condition(owner_ids, period),
        "pending_entry": Q(status__in=[RecordStatus.PENDING, RecordStatus.RETURNED]),
        "entered_late": Q(entered_late=True),
    }


def inspected_queryset(owner_ids: list[int], period: Period) -> QuerySet[InspectionRecord]:
    """Records inspected within the period whose results are entered (the bureau's own records: their targets
    come from its library, so they are also the numerator of its coverage)."""
    return InspectionRecord.objects.filter(
        owner_id__in=owner_ids, inspected_on__gte=period.start, inspected_on__lte=period.end,
        status__in=RESULT_ENTERED, submitted_at__lt=period.as_of_dt,
    ).exclude(task__kind=TaskKind.NONRANDOM)  # 非随机检查 are counted apart (oversight/nonrandom_stats.py)


def inspected_codes_queryset(owner_ids: list[int], period: Period) -> QuerySet[Any]:
    """The result codes chosen on the records of ``inspected_queryset`` (one row per record and code)."""
    return InspectionRecord.result_codes.through.objects.filter(
        inspectionrecord__owner_id__in=owner_ids, inspectionrecord__inspected_on__gte=period.start,
        inspectionrecord__inspected_on__lte=period.end, inspectionrecord__status__in=RESULT_ENTERED,
        inspectionrecord__submitted_at__lt=period.as_of_dt,
    ).exclude(inspectionrecord__task__kind=TaskKind.NONRANDOM)


def problem_condition(owner_ids: list[int], period: Period, *, field: str = "pk") -> Q:
    """The record (``field``: the path to its id) has a result code marked 发现问题 (a hashed sub-plan, not a
    correlated one: PostgreSQL evaluates it once per query)."""
    problems = inspected_codes_queryset(owner_ids, period).filter(resultcode__is_problem=True)
    return Q(**{f"{field}__in": problems.values("inspectionrecord_id")})


def group_condition(group: str, owner_ids: list[int], period: Period) -> Q:
    """The record is published under ``group``: it has a code of that group and none of a group before it in
    ``PUBLICATION_PRECEDENCE`` (``NO_RESULT``: no code at all)."""
    codes = inspected_codes_queryset(owner_ids, period)
    if group == NO_RESULT:
        return ~Q(pk__in=codes.values("inspectionrecord_id"))
    order = [str(g) for g in PUBLICATION_PRECEDENCE]
    earlier = order[: order.index(group)]
    condition = Q(pk__in=codes.filter(resultcode__publication_group=group).values("inspectionrecord_id"))
    if earlier:
        condition &= ~Q(pk__in=codes.filter(resultcode__publication_group__in=earlier).values("inspectionrecord_id"))
    return condition


def group_aggregates(record_field: str = "inspectionrecord_id") -> dict[str, Count]:
    """Over result-code rows: problem records and, per precedence step, the records with a code in any of the
    groups up to it (``cum_<n>``); group n is ``cum_n - cum_(n-1)`` — one scan, no per-record sub-query."""
    aggregates = {"problem_records": Count(record_field, distinct=True, filter=Q(resultcode__is_problem=True))}
    order = [str(g) for g in PUBLICATION_PRECEDENCE]
    for n in range(1, len(order) + 1):
        aggregates[f"cum_{n}"] = Count(record_field, distinct=True,
                                       filter=Q(resultcode__publication_group__in=order[:n]))
    return aggregates


def groups_from_cumulative(figures: Figures) -> None:
    """Turn the ``cum_<n>`` counts into ``group_<g>`` (and ``group_none`` from ``inspected_records``)."""
    order = [str(g) for g in PUBLICATION_PRECEDENCE]
    previous = 0
    for n, group in enumerate(order, start=1):
        current = figures.pop(f"cum_{n}", 0)
        figures[f"group_{group}"] = current - previous
        previous = current
    figures[f"group_{NO_RESULT}"] = figures["inspected_records"] - previous


def open_cases_queryset(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    """Cases open on the period's ``as_of`` day (opened by then and not closed by then)."""
    return FollowUpCase.objects.filter(owner_id__in=owner_ids, opened_on__lte=period.as_of).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period.as_of)
    )


def closed_cases_queryset(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    return FollowUpCase.objects.filter(
        owner_id__in=owner_ids, status=CaseStatus.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end
    )


def opened_cases_queryset(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    return FollowUpCase.objects.filter(owner_id__in=owner_ids, opened_on__gte=period.start, opened_on__lte=period.end)


def age_condition(field: str, lower: int, upper: int | None) -> Q:
    condition = Q(**{f"{field}__gte": lower})
    if upper is not None:
        condition &= Q(**{f"{field}__lte": upper})
    return condition


def open_cases_with_age(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    return open_cases_queryset(owner_ids, period).annotate(age=DaysBetween(F("opened_on"), Value(period.as_of)))


def closed_cases_with_duration(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    return closed_cases_queryset(owner_ids, period).annotate(took=DaysBetween(F("opened_on"), F("closed_on")))


def penalties_queryset(owner_ids: list[int], period: Period) -> QuerySet[FollowUpCase]:
    return FollowUpCase.objects.filter(
        owner_id__in=owner_ids, penalty_decided_on__gte=period.start, penalty_decided_on__lte=period.end
    )


def penalty_published_condition(owner_ids: list[int], period: Period) -> Q:
    if disclosure_installed():
        return Q(pk__in=_source_ids(PUBLISHED_PENALTY, DISCLOSURE_CASE_KEY, "result__owner_id", owner_ids, period))
    return Q(pk__in=[])


# ---------------------------------------------------------------------------------------- figures


def result_figures(owner_ids: list[int], period: Period, into: dict[int, Figures]) -> None:
    conditions = record_conditions(owner_ids, period)
    aggregates: dict[str, Any] = {key: Count("pk", filter=condition) for key, condition in conditions.items()}
    _merge(into, _by_owner(records_queryset(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates)

    inspected = inspected_queryset(owner_ids, period)
    aggregates = {"inspected_records": Count("pk"), "inspected_targets": Count("target_id", distinct=True)}
    _merge(into, _by_owner(inspected, "owner_id", aggregates), "owner_id", aggregates)
    codes = inspected_codes_queryset(owner_ids, period)
    aggregates = group_aggregates()
    _merge(into, _by_owner(codes, "inspectionrecord__owner_id", aggregates), "inspectionrecord__owner_id", aggregates)
    for figures in into.values():
        groups_from_cumulative(figures)

    aggregates = {"cases_open": Count("pk")}
    aggregates.update({
        f"case_age_{key}": Count("pk", filter=age_condition("age", lower, upper))
        for key, _label, lower, upper in AGE_BUCKETS
    })
    _merge(into, _by_owner(open_cases_with_age(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates)
    aggregates = {"cases_closed": Count("pk")}
    aggregates.update({
        f"case_took_{key}": Count("pk", filter=age_condition("took", lower, upper))
        for key, _label, lower, upper in AGE_BUCKETS
    })
    _merge(
        into, _by_owner(closed_cases_with_duration(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates
    )
    _merge(
        into, _by_owner(opened_cases_queryset(owner_ids, period), "owner_id", {"cases_opened": Count("pk")}),
        "owner_id", ["cases_opened"],
    )
    aggregates = {
        "penalties": Count("pk"),
        "penalty_amount": Sum("penalty_amount"),
        "penalties_published": Count("pk", filter=penalty_published_condition(owner_ids, period)),
    }
    _merge(into, _by_owner(penalties_queryset(owner_ids, period), "owner_id", aggregates), "owner_id", aggregates)


def result_code_counts(owner_ids: list[int], period: Period) -> list[dict[str, Any]]:
    """How often each result code was chosen (multi-select: a record may count under several codes)."""
    rows = (
        inspected_codes_queryset(owner_ids, period)
        .order_by()
        .values("resultcode__code", "resultcode__name", "resultcode__sort_order")
        .annotate(n=Count("pk"))
        .order_by("resultcode__sort_order", "resultcode__code")
    )
    return [dict(row) for row in rows]


# ---------------------------------------------------------------------------------------- rectification


RECTIFICATION_LABELS = {
    "passed": "已整改，复查合格",
    "failed": "复查不合格",
    "closed": "已办结",
    "overdue": "整改期限已过，未复查",
    "rectifying": "整改中",
    "none": "未责令整改",
}


def penalised_units(owner_ids: list[int], year: int, *, today: datetime.date) -> list[dict[str, Any]]:
    """The units penalised in ``year`` and how their rectification stands (seed 003: 上年度被处罚单位整改落实情况)."""
    cases = (
        FollowUpCase.objects.filter(owner_id__in=owner_ids, penalty_decided_on__year=year)
        .select_related("target", "owner")
        .order_by("penalty_decided_on", "pk")
    )
    rows: list[dict[str, Any]] = []
    for case in cases:  # one row per penalised unit: a short list, not a scan
        if case.recheck_passed is True:
            status = "passed"
        elif case.recheck_passed is False:
            status = "failed"
        elif case.status == CaseStatus.CLOSED:
            status = "closed"
        elif case.rectify_deadline and case.rectify_deadline < today:
            status = "overdue"
        elif case.rectify_ordered_on:
            status = "rectifying"
        else:
            status = "none"
        rows.append({
            "case": case, "unit": case.target.name, "organization": case.owner.name,
            "decision_number": case.penalty_decision_number, "decided_on": case.penalty_decided_on,
            "content": case.penalty_content, "amount": case.penalty_amount, "status": status,
            "status_label": RECTIFICATION_LABELS[status], "recheck_on": case.recheck_on,
            "closed": case.status == CaseStatus.CLOSED,
        })
    return rows


# ---------------------------------------------------------------------------------------- published in a period


def published_in_period(owner_ids: list[int], period: Period) -> dict[int, int]:
    """Results made public within the period, per bureau (the 月报表's “公示数量”).

    With the disclosure app: its published results (held-back ones excluded). Without it: the reviewed records
    of the tasks that became 已公示 within the period.
    """
    if disclosure_installed():
        model = apps.get_model(DISCLOSURE_APP, PUBLISHED_RESULT)
        qs: QuerySet[Any] = model.objects.filter(
            owner_id__in=owner_ids, is_public=True, published_at__gte=period.start_dt, published_at__lt=period.end_dt
        )
    else:
        from shuangsuiji.planning.models import TaskTransition

        published_tasks = TaskTransition.objects.filter(
            to_state=TaskState.PUBLISHED, created_at__gte=period.start_dt, created_at__lt=period.end_dt
        ).values("task_id")
        qs = InspectionRecord.objects.filter(
            owner_id__in=owner_ids, task_id__in=published_tasks, status=RecordStatus.APPROVED
        )
    rows = qs.order_by().values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n")
    return {owner_id: int(n) for owner_id, n in rows}


def penalties_published_in_period(owner_ids: list[int], period: Period) -> dict[int, int]:
    """行政处罚 information made public within the period, per bureau (needs the disclosure app)."""
    if not disclosure_installed():
        return {}
    model = apps.get_model(DISCLOSURE_APP, PUBLISHED_PENALTY)
    rows = (
        model.objects.filter(result__owner_id__in=owner_ids, is_public=True, published_at__gte=period.start_dt,
                             published_at__lt=period.end_dt)
        .order_by().values("result__owner_id").annotate(n=Count("pk")).values_list("result__owner_id", "n")
    )
    return {owner_id: int(n) for owner_id, n in rows}
