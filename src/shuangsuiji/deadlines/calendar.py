"""The working-day calendar of the database: ``get_calendar()`` is what every deadline in the app uses.

The table (``CalendarYear`` + ``CalendarDay``) is seeded from the ``chinesecalendar`` package by migration
``0002_seed_calendar`` and by ``ssj workdays seed`` (idempotent: only adds years the table lacks), and edited
by administrators (Django admin, or the notice import page ``/oversight/calendar/import/``) through
``deadlines.calendar_services``. Years without a ``CalendarYear`` row give provisional results
(weekends only, flagged with a Chinese reason) — never an exception.

The built ``WorkdayCalendar`` is cached per process and keyed by ``CalendarRevision.token``, which every
change replaces with a fresh UUID: each call costs one small query, and a change made by another process
(the web server vs. the huey consumer) is seen on the next call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from typing import Any

from shuangsuiji.core.workdays import CalendarRow, DayKind, WorkdayCalendar, default_calendar

_lock = threading.Lock()
_cached: tuple[str, WorkdayCalendar] | None = None

_KIND_TO_CORE = {"day_off": DayKind.DAY_OFF, "makeup_workday": DayKind.MAKEUP_WORKDAY}
_CORE_TO_KIND = {DayKind.DAY_OFF: "day_off", DayKind.MAKEUP_WORKDAY: "makeup_workday"}


def core_kind(kind: str) -> DayKind:
    return _KIND_TO_CORE[kind]


def model_kind(kind: DayKind) -> str:
    return _CORE_TO_KIND[kind]


def get_calendar() -> WorkdayCalendar:
    """The calendar of the database (cached, rebuilt after any change)."""
    global _cached
    from shuangsuiji.deadlines.models import CalendarRevision

    token = CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    cached = _cached
    if token is not None and cached is not None and cached[0] == token:
        return cached[1]
    calendar = build_calendar()
    if token is not None:
        with _lock:
            _cached = (token, calendar)
    return calendar


def build_calendar() -> WorkdayCalendar:
    """Read the table (two queries) and build the immutable calendar."""
    from shuangsuiji.deadlines.models import CalendarDay, CalendarYear

    rows = [
        CalendarRow(day, core_kind(kind), name)
        for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name")
    ]
    years = list(CalendarYear.objects.values_list("year", flat=True))
    return WorkdayCalendar.from_rows(rows, known_years=years)


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def notice_year_of(day: date, name: str) -> int:
    """The yearly notice a ``chinesecalendar`` entry belongs to: late-December 元旦 days → next year."""
    if day.month == 12 and day.day >= 29 and name == "元旦":
        return day.year + 1
    return day.year


def package_rows_by_year(calendar: WorkdayCalendar | None = None) -> dict[int, list[CalendarRow]]:
    """The package's entries grouped by notice year (every known year present, even if empty)."""
    calendar = calendar or default_calendar()
    grouped: dict[int, list[CalendarRow]] = {year: [] for year in calendar.known_years}
    for row in calendar.rows():
        grouped.setdefault(notice_year_of(row.date, row.name), []).append(row)
    return grouped


def seed_from_package(
    *, year_model: Any, day_model: Any, years: Iterable[int] | None = None
) -> list[int]:
    """Add the package's years that the table lacks; returns the years added. Idempotent.

    Takes the model classes so the data migration can pass its historical models. Years already in the table
    (perhaps corrected by an administrator) are never touched; a day already stored by another year's notice
    is left alone.
    """
    grouped = package_rows_by_year()
    known = set(grouped) & set(default_calendar().known_years)
    wanted = sorted(known if years is None else known & set(years))
    present = set(year_model.objects.filter(year__in=wanted).values_list("year", flat=True))
    added = [year for year in wanted if year not in present]
    if not added:
        return []
    candidate_dates = [row.date for year in added for row in grouped[year]]
    taken = set(day_model.objects.filter(date__in=candidate_dates).values_list("date", flat=True))
    year_model.objects.bulk_create(
        [year_model(year=year, source="chinesecalendar", note="由 chinesecalendar 软件包导入") for year in added]
    )
    day_model.objects.bulk_create(
        [
            day_model(date=row.date, kind=model_kind(row.kind), year=year, name=row.name, source="chinesecalendar")
            for year in added
            for row in grouped[year]
            if row.date not in taken
        ],
        batch_size=500,
    )
    return added
