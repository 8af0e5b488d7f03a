"""Publication deadlines of 一公开 — the one place that computes them.

* 抽查结果: within 20 working days of the task's completion (玉溪 2020, 大洼, 平顶山 2021).
* 行政处罚信息: within 7 working days of the decision (大洼, 平顶山 2021).

Counting follows ``shuangsuiji.core.workdays`` (starts the day after; holidays and 调休 of the State Council
notices; provisional beyond the known calendar).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from shuangsuiji.core.workdays import DeadlineResult, WorkdayCalendar

RESULT_WORKDAYS = 20
PENALTY_WORKDAYS = 7
NEAR_WORKDAYS = 3


class PublicationKind(StrEnum):
    RESULT = "result"
    PENALTY = "penalty"


WORKDAYS_BY_KIND = {PublicationKind.RESULT: RESULT_WORKDAYS, PublicationKind.PENALTY: PENALTY_WORKDAYS}


class DeadlineState(StrEnum):
    PENDING = "未到期"
    NEAR = "临近"
    OVERDUE = "逾期未公示"
    ON_TIME = "按期公示"
    LATE = "逾期公示"


@dataclass(frozen=True)
class PublicationDeadline:
    kind: PublicationKind
    start: datetime.date
    due: DeadlineResult
    published_on: datetime.date | None
    state: DeadlineState

    @property
    def is_late(self) -> bool:
        return self.state in (DeadlineState.OVERDUE, DeadlineState.LATE)


def _calendar() -> WorkdayCalendar:
    """The administrators' calendar table of the oversight app (seeded from chinesecalendar, editable)."""
    from shuangsuiji.deadlines.calendar import get_calendar

    return get_calendar()


def publication_due(kind: PublicationKind, start: datetime.date) -> DeadlineResult:
    """Last day for publishing: ``start`` (completion or decision date) plus 20 / 7 working days."""
    return _calendar().add_workdays(start, WORKDAYS_BY_KIND[kind])


def publication_deadline(
    kind: PublicationKind, *, start: datetime.date, published_on: datetime.date | None, today: datetime.date
) -> PublicationDeadline:
    """The deadline of one publication and its state on ``today``."""
    due = publication_due(kind, start)
    if published_on is not None:
        state = DeadlineState.ON_TIME if published_on <= due.date else DeadlineState.LATE
    elif today > due.date:
        state = DeadlineState.OVERDUE
    elif _calendar().workdays_between(today, due.date) <= NEAR_WORKDAYS:
        state = DeadlineState.NEAR
    else:
        state = DeadlineState.PENDING
    return PublicationDeadline(kind=kind, start=start, due=due, published_on=published_on, state=state)
