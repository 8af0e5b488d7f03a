"""Working-day deadlines of inspections (entry, rectification, penalty publication, notices).

One place that picks the calendar, so the lead can swap in the database-backed calendar of the working-day
issue without touching the services.
"""

from __future__ import annotations

import datetime

from shuangsuiji.core.workdays import DeadlineResult, WorkdayCalendar, default_calendar


def calendar() -> WorkdayCalendar:
    return default_calendar()


def add_workdays(start: datetime.date, count: int) -> DeadlineResult:
    """The ``count``-th working day after ``start`` (the start day is not counted)."""
    return calendar().add_workdays(start, count)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    return calendar().workdays_between(start, end)
