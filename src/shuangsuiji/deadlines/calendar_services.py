"""Changes to the working-day calendar table: notice import, single-day edits, seeding from the package.

Each change is one transaction that also replaces ``CalendarRevision.token`` (so every process rebuilds its
cached calendar), writes one audit entry and recomputes the open deadlines the change may move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.core.workdays import CalendarRow, HolidayNoticeError, notice_year, parse_holiday_notice
from shuangsuiji.deadlines.calendar import core_kind, model_kind, seed_from_package
from shuangsuiji.deadlines.models import CalendarDay, CalendarRevision, CalendarSource, CalendarYear, Deadline
from shuangsuiji.deadlines.permissions import require_calendar_manager
from shuangsuiji.deadlines.services import deadline_recompute_for_year

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


@dataclass
class DayChange:
    date: date
    old: str  # "" when the day had no entry
    new: str  # "" when the entry goes away


@dataclass
class NoticePreview:
    """What importing a notice would do; nothing is saved."""

    year: int
    rows: list[CalendarRow]
    year_known: bool
    current_source: str
    changes: list[DayChange] = field(default_factory=list)
    open_deadlines: int = 0

    @property
    def days_off(self) -> int:
        return sum(1 for row in self.rows if row.kind.value == "休")

    @property
    def makeup_days(self) -> int:
        return len(self.rows) - self.days_off


def _parse_notice(text: str) -> tuple[int, list[CalendarRow]]:
    try:
        rows = parse_holiday_notice(text)
    except HolidayNoticeError as error:
        raise ApplicationError("放假安排有误：\n" + "\n".join(error.errors), extra={"errors": error.errors}) from None
    year = notice_year(rows)
    outside = [row.date for row in rows if row.date > date(year, 12, 31) or row.date < date(year - 1, 12, 1)]
    if outside:
        raise ApplicationError(
            f"{format_cn_date(outside[0])}不属于{year}年的放假安排（只允许{year}年内的日期和上一年12月的元旦调休）"
        )
    return year, rows


def _full_clean(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError("；".join(error.messages)) from None


def _describe(kind: str, name: str) -> str:
    return f"{'放假' if kind == 'day_off' else '调休上班'}（{name}）"


def calendar_import_preview(*, actor: User, text: str) -> NoticePreview:
    """Parse the notice text and compare it with the table (read only)."""
    require_calendar_manager(actor)
    year, rows = _parse_notice(text)
    current_year = CalendarYear.objects.filter(year=year).first()
    new_by_date = {row.date: _describe(model_kind(row.kind), row.name) for row in rows}
    current = CalendarDay.objects.filter(Q(year=year) | Q(date__in=list(new_by_date)))
    old_by_date = {day.date: _describe(day.kind, day.name) for day in current}
    changes = [
        DayChange(day, old_by_date.get(day, ""), new_by_date.get(day, ""))
        for day in sorted(new_by_date.keys() | old_by_date.keys())
        if old_by_date.get(day) != new_by_date.get(day)
    ]
    open_deadlines = (
        Deadline.objects.open()
        .filter(Q(provisional=True) | Q(due_date__year__in=[year - 1, year, year + 1]))
        .count()
    )
    return NoticePreview(
        year=year, rows=rows, year_known=current_year is not None,
        current_source=current_year.get_source_display() if current_year else "",
        changes=changes, open_deadlines=open_deadlines,
    )


@transaction.atomic
def calendar_import_notice(*, actor: User, text: str, notice_title: str = "", note: str = "") -> CalendarYear:
    """Replace (or add) a whole year from the State Council notice: all or nothing."""
    require_calendar_manager(actor)
    year, rows = _parse_notice(text)
    new_dates = [row.date for row in rows]
    removed = CalendarDay.objects.filter(Q(year=year) | Q(date__in=new_dates))
    removed_count = removed.count()
    removed.delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                date=row.date, kind=model_kind(row.kind), year=year, name=row.name[:32],
                source=CalendarSource.NOTICE, updated_by=actor,
            )
            for row in rows
        ]
    )
    calendar_year, created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "source": CalendarSource.NOTICE, "notice_title": notice_title.strip()[:200], "note": note.strip(),
            "updated_by": actor,
        },
    )
    CalendarRevision.bump()
    recomputed = deadline_recompute_for_year(year=year, actor=actor)
    audit_record(
        actor=actor, event="calendar.import", target=calendar_year,
        changes={
            "year": year, "notice_title": calendar_year.notice_title, "created": created,
            "days": len(rows), "replaced_days": removed_count, "recomputed_deadlines": recomputed,
        },
    )
    return calendar_year


@transaction.atomic
def calendar_day_save(*, actor: User, day: CalendarDay) -> CalendarDay:
    """Add or correct one day (Django admin)."""
    require_calendar_manager(actor)
    old = CalendarDay.objects.filter(pk=day.pk).first() if day.pk else None
    if not day.year:
        day.year = day.date.year
    day.updated_by = actor
    _full_clean(day)
    day.save()
    CalendarRevision.bump()
    years = {day.year, day.date.year} | ({old.year, old.date.year} if old else set())
    for year in sorted(years):
        deadline_recompute_for_year(year=year, actor=actor)
    audit_record(
        actor=actor, event="calendar.day_save", target=day,
        changes={
            "old": str(old) if old else "", "new": str(day), "note": day.note,
        },
    )
    return day


@transaction.atomic
def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    require_calendar_manager(actor)
    description, years = str(day), {day.year, day.date.year}
    audit_record(actor=actor, event="calendar.day_delete", target=day, changes={"old": description})
    day.delete()
    CalendarRevision.bump()
    for year in sorted(years):
        deadline_recompute_for_year(year=year, actor=actor)


@transaction.atomic
def calendar_year_save(*, actor: User, calendar_year: CalendarYear) -> CalendarYear:
    """Mark a year as known (its days entered one by one in the admin) or edit its notice title."""
    require_calendar_manager(actor)
    calendar_year.updated_by = actor
    _full_clean(calendar_year)
    calendar_year.save()
    CalendarRevision.bump()
    deadline_recompute_for_year(year=calendar_year.year, actor=actor)
    audit_record(
        actor=actor, event="calendar.year_save", target=calendar_year,
        changes={"year": calendar_year.year, "source": calendar_year.source, "notice_title": calendar_year.notice_title},
    )
    return calendar_year


@transaction.atomic
def calendar_year_delete(*, actor: User, calendar_year: CalendarYear) -> None:
    """Withdraw a year (and its days): results in it become provisional again."""
    require_calendar_manager(actor)
    year = calendar_year.year
    days = CalendarDay.objects.filter(year=year)
    count = days.count()
    audit_record(actor=actor, event="calendar.year_delete", target=calendar_year, changes={"year": year, "days": count})
    days.delete()
    calendar_year.delete()
    CalendarRevision.bump()
    deadline_recompute_for_year(year=year, actor=actor)


@transaction.atomic
def calendar_seed(*, actor: User | None = None, years: list[int] | None = None) -> list[int]:
    """Add the ``chinesecalendar`` package's years that the table lacks (idempotent; ``ssj workdays seed``)."""
    if actor is not None:
        require_calendar_manager(actor)
    added = seed_from_package(year_model=CalendarYear, day_model=CalendarDay, years=years)
    if added:
        CalendarRevision.bump()
        for year in added:
            deadline_recompute_for_year(year=year, actor=actor)
        audit_record(actor=actor, event="calendar.seed", target=None, changes={"years": added})
    return added


def calendar_rows_for_year(year: int) -> list[CalendarRow]:
    """The table's entries of ``year``'s notice, in the import format (to export or edit)."""
    return [
        CalendarRow(day.date, core_kind(day.kind), day.name)
        for day in CalendarDay.objects.filter(year=year).order_by("date")
    ]
