"""Working-day deadlines of inspections (entry, rectification, penalty publication, notices).

The calendar is the database one of the oversight app (administrators edit it; ``get_calendar`` caches it and
costs one small query per call): callers that need many results take ``calendar()`` once.
"""

from __future__ import annotations

import datetime

from shuangsuiji.core.workdays import DeadlineResult, WorkdayCalendar
from shuangsuiji.deadlines.calendar import get_calendar


def calendar() -> WorkdayCalendar:
    return get_calendar()


def add_workdays(start: datetime.date, count: int) -> DeadlineResult:
    """The ``count``-th working day after ``start`` (the start day is not counted)."""
    return calendar().add_workdays(start, count)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    return calendar().workdays_between(start, end)
