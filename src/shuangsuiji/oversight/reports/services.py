"""Writes of the reports: open (with its tracked deadline), edit while a draft, submit (frozen snapshot).

* ``monthly_report_open`` / ``period_report_open`` — idempotent per (bureau, period); they open the deadline
  through ``deadlines.services.deadline_open``: the 月报表 is due on day ``SSJ_MONTHLY_REPORT_DUE_DAY`` (default
  5) of the following month, rolled to the next working day; the 半年/全年 reports follow the fixed dates of
  ``DeadlineSettings`` (7月2日 / 11月15日 by default, rolled likewise).
* ``…_update`` — only drafts; only the bureau's own 双随机办 (``can_edit_reports``).
* ``…_submit`` — builds the content from the data, stores it as JSON with its SHA-256 (every later download is
  rendered from the snapshot, so it never changes), completes the deadline (late → 问责 by the deadline app).
* ``reports_ensure`` — the daily job: opens last month's 月报表 and, in season, the half-year / annual report
  of every 卫生健康 bureau, so their deadlines are tracked even before anyone opens them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.services import model_update
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import DeadlineKind
from shuangsuiji.deadlines.services import deadline_complete, deadline_open
from shuangsuiji.oversight.models_reports import MonthlyReport, PeriodKind, PeriodReport, ReportStatus
from shuangsuiji.oversight.permissions import require_report_editor
from shuangsuiji.oversight.reports.monthly import build_monthly
from shuangsuiji.oversight.reports.period import build_period, default_period_end

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

PERIOD_DEADLINE = {PeriodKind.HALF_YEAR: DeadlineKind.HALF_YEAR_REPORT, PeriodKind.ANNUAL: DeadlineKind.ANNUAL_REPORT}
HEADER_FIELDS = ["contact_person", "contact_phone", "mobile"]


def monthly_due_day() -> int:
    return int(getattr(settings, "SSJ_MONTHLY_REPORT_DUE_DAY", 5))


def monthly_due_date(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, min(monthly_due_day(), 28))
    return get_calendar().roll_to_workday(following).date


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _responsible(actor: User | None, owner: Organization) -> User | None:
    if actor is None or actor.role != Role.PROGRAM_ADMIN:
        return None
    bureau = user_bureau(actor)
    return actor if bureau is not None and bureau.pk == owner.pk else None


def _previous_header(model: Any, owner: Organization) -> dict[str, Any]:
    previous = model.objects.filter(owner=owner).order_by("-created_at").first()
    if previous is None:
        return {}
    data = {name: getattr(previous, name) for name in HEADER_FIELDS}
    if model is MonthlyReport:
        data["website"] = previous.website
    return data


# ---------------------------------------------------------------------------------------- 月报表


@transaction.atomic
def monthly_report_open(*, actor: User | None, owner: Organization, year: int, month: int) -> MonthlyReport:
    """The draft 月报表 of ``owner`` for the month (created with its deadline if missing). ``actor`` None: system."""
    if actor is not None:
        require_report_editor(actor, owner.pk)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ApplicationError("年度或月份无效")
    existing = MonthlyReport.objects.filter(owner=owner, year=year, month=month).first()
    if existing is not None:
        return existing
    report = MonthlyReport.objects.create(owner=owner, year=year, month=month, **_previous_header(MonthlyReport, owner))
    deadline_open(subject=report, kind=DeadlineKind.MONTHLY_REPORT, organization=owner,
                  responsible=_responsible(actor, owner), due_date=monthly_due_date(year, month), actor=actor)
    audit_record(actor=actor, event="report.monthly.open", target=report, organization=owner,
                 changes={"year": year, "month": month})
    return report


def _require_draft(report: MonthlyReport | PeriodReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ApplicationError("报表已报送，内容已冻结，不能再修改")


@transaction.atomic
def monthly_report_update(*, actor: User, report: MonthlyReport, data: dict[str, Any]) -> MonthlyReport:
    require_report_editor(actor, report.owner_id)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    _require_draft(report)
    report, changes = model_update(instance=report, data=data,
                                   fields=[*HEADER_FIELDS, "filled_on", "website", "texts"])
    if changes:
        audit_record(actor=actor, event="report.monthly.update", target=report, organization=report.owner,
                     changes=changes)
    return report


@transaction.atomic
def monthly_report_submit(*, actor: User, report: MonthlyReport, today: datetime.date | None = None) -> MonthlyReport:
    require_report_editor(actor, report.owner_id)
    report = MonthlyReport.objects.select_for_update().select_related("owner", "owner__region").get(pk=report.pk)
    _require_draft(report)
    today = today or timezone.localdate()
    last_day = datetime.date(report.year + (report.month == 12), report.month % 12 + 1, 1) - datetime.timedelta(days=1)
    if today < last_day:
        raise ApplicationError(f"{report.year}年{report.month}月尚未结束，月末（{last_day.month}月{last_day.day}日）起才能报送")
    if report.filled_on is None:
        report.filled_on = today
    snapshot = build_monthly(report).as_json()
    _freeze(actor, report, snapshot)
    deadline_complete(subject=report, kind=DeadlineKind.MONTHLY_REPORT, actor=actor)
    audit_record(actor=actor, event="report.monthly.submit", target=report, organization=report.owner,
                 changes={"snapshot_sha256": report.snapshot_sha256})
    return report


def _freeze(actor: User, report: MonthlyReport | PeriodReport, snapshot: dict[str, Any]) -> None:
    report.snapshot = snapshot
    report.snapshot_sha256 = snapshot_digest(snapshot)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    fields = ["snapshot", "snapshot_sha256", "status", "submitted_at", "submitted_by", "updated_at"]
    if isinstance(report, MonthlyReport):
        fields.append("filled_on")
    report.save(update_fields=fields)


# ---------------------------------------------------------------------------------------- 半年 / 全年报告


@transaction.atomic
def period_report_open(*, actor: User | None, owner: Organization, year: int, kind: str) -> PeriodReport:
    if actor is not None:
        require_report_editor(actor, owner.pk)
    if kind not in PeriodKind.values:
        raise ApplicationError("报告类别无效")
    existing = PeriodReport.objects.filter(owner=owner, year=year, kind=kind).first()
    if existing is not None:
        return existing
    report = PeriodReport.objects.create(owner=owner, year=year, kind=kind, period_end=default_period_end(kind, year),
                                         **_previous_header(PeriodReport, owner))
    deadline_open(subject=report, kind=PERIOD_DEADLINE[PeriodKind(kind)], organization=owner,
                  responsible=_responsible(actor, owner), year=year, actor=actor)
    audit_record(actor=actor, event="report.period.open", target=report, organization=owner,
                 changes={"year": year, "kind": PeriodKind(kind).label})
    return report


@transaction.atomic
def period_report_update(*, actor: User, report: PeriodReport, data: dict[str, Any]) -> PeriodReport:
    require_report_editor(actor, report.owner_id)
    report = PeriodReport.objects.select_for_update().get(pk=report.pk)
    _require_draft(report)
    end = data.get("period_end")
    if end is not None and (end.year != report.year or end < datetime.date(report.year, 1, 31)):
        raise ApplicationError(f"统计截止日期应在{report.year}年内（2月及以后）")
    report, changes = model_update(instance=report, data=data, fields=[*HEADER_FIELDS, "period_end", "texts"])
    if changes:
        audit_record(actor=actor, event="report.period.update", target=report, organization=report.owner,
                     changes=changes)
    return report


@transaction.atomic
def period_report_submit(*, actor: User, report: PeriodReport, today: datetime.date | None = None) -> PeriodReport:
    require_report_editor(actor, report.owner_id)
    report = PeriodReport.objects.select_for_update().select_related("owner", "owner__region").get(pk=report.pk)
    _require_draft(report)
    today = today or timezone.localdate()
    if today < report.period_end:
        raise ApplicationError(f"统计截止日期（{report.period_end.month}月{report.period_end.day}日）之后才能报送")
    snapshot = build_period(report, today=today).as_json()
    _freeze(actor, report, snapshot)
    deadline_complete(subject=report, kind=PERIOD_DEADLINE[PeriodKind(report.kind)], actor=actor)
    audit_record(actor=actor, event="report.period.submit", target=report, organization=report.owner,
                 changes={"snapshot_sha256": report.snapshot_sha256})
    return report


# ---------------------------------------------------------------------------------------- daily job


def reporting_bureaus() -> list[Organization]:
    return list(Organization.objects.filter(kind=OrganizationKind.HEALTH_BUREAU, is_active=True,
                                            system="卫生健康").select_related("region"))


def reports_ensure(*, today: datetime.date | None = None) -> int:
    """Open the reports (and deadlines) due around ``today`` for every 卫生健康 bureau; returns how many exist."""
    today = today or timezone.localdate()
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    count = 0
    for bureau in reporting_bureaus():  # one row per bureau, a few dozen at most
        monthly_report_open(actor=None, owner=bureau, year=previous.year, month=previous.month)
        count += 1
        if today.month >= 6:
            period_report_open(actor=None, owner=bureau, year=today.year, kind=PeriodKind.HALF_YEAR)
            count += 1
        if today.month >= 10:
            period_report_open(actor=None, owner=bureau, year=today.year, kind=PeriodKind.ANNUAL)
            count += 1
    return count
