"""Reads of the reports, always scoped: a bureau reads all its reports; the upper level reads submitted ones
(``ReportQuerySet.visible_to``) and, for the overview, only the status of its subordinates' reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.deadlines.models import Deadline, DeadlineStatus
from shuangsuiji.oversight.dashboard import dashboard_scope
from shuangsuiji.oversight.models_reports import MonthlyReport, PeriodKind, PeriodReport, ReportStatus

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import Organization, User


def monthly_list(*, actor: User, year: int | None = None) -> QuerySet[MonthlyReport]:
    qs = MonthlyReport.objects.visible_to(actor).select_related("owner", "submitted_by")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-month", "owner__region__code", "owner__code")  # type: ignore[no-any-return]


def period_list(*, actor: User, year: int | None = None) -> QuerySet[PeriodReport]:
    qs = PeriodReport.objects.visible_to(actor).select_related("owner", "submitted_by")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "kind", "owner__region__code", "owner__code")  # type: ignore[no-any-return]


def monthly_get(*, actor: User, pk: int) -> MonthlyReport:
    return get_visible_or_404(MonthlyReport.objects.select_related("owner", "owner__region", "submitted_by"),  # type: ignore[no-any-return]
                              actor, pk=pk)


def period_get(*, actor: User, pk: int) -> PeriodReport:
    return get_visible_or_404(PeriodReport.objects.select_related("owner", "owner__region", "submitted_by"),  # type: ignore[no-any-return]
                              actor, pk=pk)


def report_deadline(report: MonthlyReport | PeriodReport) -> Deadline | None:
    return (
        Deadline.objects.with_status(timezone.localdate())
        .filter(content_type=ContentType.objects.get_for_model(report), object_id=report.pk)
        .first()
    )


@dataclass
class OverviewRow:
    organization: Organization
    months: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)


STATUS_TEXT = {
    DeadlineStatus.PENDING.value: "未到期", DeadlineStatus.NEAR.value: "临近", DeadlineStatus.OVERDUE.value: "逾期",
    DeadlineStatus.COMPLETED.value: "已报送",
}


def submission_overview(*, actor: User, year: int) -> list[OverviewRow]:
    """For the upper level: per subordinate bureau, the status of each month's and period's report (3 queries)."""
    scope = dashboard_scope(actor=actor)
    today = timezone.localdate()
    owners = scope.owners
    monthly = list(MonthlyReport.objects.filter(owner_id__in=owners, year=year).values("pk", "owner_id", "month", "status"))
    periods = list(PeriodReport.objects.filter(owner_id__in=owners, year=year).values("pk", "owner_id", "kind", "status"))
    statuses: dict[tuple[int, int], str] = {}
    for model, rows in ((MonthlyReport, monthly), (PeriodReport, periods)):
        content_type = ContentType.objects.get_for_model(model)
        for deadline in Deadline.objects.with_status(today).filter(
            content_type=content_type, object_id__in=[r["pk"] for r in rows]
        ).values("object_id", "current_status"):  # type: ignore[misc]
            statuses[(content_type.pk, deadline["object_id"])] = deadline["current_status"]
    monthly_type = ContentType.objects.get_for_model(MonthlyReport).pk
    period_type = ContentType.objects.get_for_model(PeriodReport).pk
    by_month = {(r["owner_id"], r["month"]): r for r in monthly}
    by_kind = {(r["owner_id"], r["kind"]): r for r in periods}
    result = []
    for pk in sorted(owners, key=lambda pk: (owners[pk].region.path, owners[pk].code)):
        row = OverviewRow(owners[pk])
        for month in range(1, 13):
            report = by_month.get((pk, month))
            row.months.append(_cell(report, statuses.get((monthly_type, report["pk"])) if report else None))
        for kind in PeriodKind.values:
            report = by_kind.get((pk, kind))
            row.periods.append(_cell(report, statuses.get((period_type, report["pk"])) if report else None))
        result.append(row)
    return result


def _cell(report: dict[str, Any] | None, status: str | None) -> dict[str, Any]:
    """Submitted: a link to the frozen report; a draft: only its deadline status (its content stays private)."""
    if report is None:
        return {"text": "—", "tone": "", "pk": None}
    if report["status"] == ReportStatus.SUBMITTED:
        return {"text": "已报送", "tone": "green", "pk": report["pk"]}
    text = "编辑中" if status in (None, DeadlineStatus.COMPLETED.value) else f"编辑中（{STATUS_TEXT[status]}）"
    return {"text": text, "tone": "red" if status == DeadlineStatus.OVERDUE.value else "", "pk": None}
