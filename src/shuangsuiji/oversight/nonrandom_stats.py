"""非随机检查 (投诉举报、转办交办、专项检查) counted apart: the 双随机 figures (coverage, ratios, results of
``dashboard_results``) exclude them; this table shows them by source, for the dashboard and the 月报表."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.oversight.dashboard import Period
from shuangsuiji.oversight.dashboard_results import RESULT_ENTERED, published_condition
from shuangsuiji.planning.models import NonRandomSource, Task, TaskKind


@dataclass
class NonRandomRow:
    source: str
    label: str
    tasks: int = 0
    inspected_records: int = 0
    inspected_targets: int = 0
    problem_records: int = 0
    published: int = 0


@dataclass
class NonRandomFigures:
    rows: list[NonRandomRow] = field(default_factory=list)

    @property
    def total(self) -> NonRandomRow:
        total = NonRandomRow("total", "合计")
        for row in self.rows:
            for name in ("tasks", "inspected_records", "inspected_targets", "problem_records", "published"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total

    @property
    def any(self) -> bool:
        return self.total.tasks > 0 or self.total.inspected_records > 0


def nonrandom_figures(owner_ids: list[int], period: Period) -> NonRandomFigures:
    """Per source: tasks of the year, records inspected within the period (results entered), distinct targets,
    records with a 发现问题 result, and results published by the period's ``as_of``."""
    rows = {value: NonRandomRow(value, label) for value, label in NonRandomSource.choices}
    tasks = (
        Task.objects.filter(owner_id__in=owner_ids, year=period.year, kind=TaskKind.NONRANDOM)
        .order_by().values("nonrandom_basis__source").annotate(n=Count("pk"))
    )
    for row in tasks:
        if row["nonrandom_basis__source"] in rows:
            rows[row["nonrandom_basis__source"]].tasks = row["n"]
    records = InspectionRecord.objects.filter(
        owner_id__in=owner_ids, task__kind=TaskKind.NONRANDOM, inspected_on__gte=period.start,
        inspected_on__lte=period.end, status__in=RESULT_ENTERED, submitted_at__lt=period.as_of_dt,
    )
    figures = records.order_by().values("task__nonrandom_basis__source").annotate(
        inspected=Count("pk", distinct=True), targets=Count("target_id", distinct=True),
        problems=Count("pk", distinct=True, filter=Q(result_codes__is_problem=True)),
    )
    for row in figures:
        found = rows.get(row["task__nonrandom_basis__source"])
        if found is not None:
            found.inspected_records, found.inspected_targets = row["inspected"], row["targets"]
            found.problem_records = row["problems"]
    published = records.filter(published_condition(owner_ids, period)).order_by().values(
        "task__nonrandom_basis__source").annotate(n=Count("pk", distinct=True))
    for row in published:
        found = rows.get(row["task__nonrandom_basis__source"])
        if found is not None:
            found.published = row["n"]
    return NonRandomFigures(rows=list(rows.values()))
