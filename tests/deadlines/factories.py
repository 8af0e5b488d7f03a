"""Helpers for oversight tests: subjects, frozen clocks, deadlines."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.deadlines.services import deadline_open
from shuangsuiji.planning.models import AnnualPlan

SHANGHAI = ZoneInfo("Asia/Shanghai")
_years = itertools.count(2101)


def plan(world: Any, key: str = "a", year: int | None = None) -> AnnualPlan:
    """A minimal 年度抽查计划 of county ``key`` (subjects need only exist)."""
    return AnnualPlan.objects.create(
        owner=world.orgs[key], year=year or next(_years), title=f"{world.orgs[key].name}测试计划"
    )


@contextmanager
def frozen(day: datetime.date, hour: int = 9) -> Iterator[None]:
    """Freeze the clock at ``hour`` o'clock Beijing time on ``day``."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield


def result_entry(
    world: Any, *, start: datetime.date, key: str = "a", responsible: str | None = "a_inspector", **extra: Any
) -> Deadline:
    """A 检查结果录入 deadline (10 working days after ``start``) on a fresh subject."""
    return deadline_open(
        subject=plan(world, key), kind=DeadlineKind.RESULT_ENTRY, start_date=start,
        organization=world.orgs[key], responsible=world.users[responsible] if responsible else None, **extra,
    )


def oversight_objects(world: Any) -> dict[str, Any]:
    """County A: an overdue deadline run through the chain (督办, 问责, notifications). Cached per world."""
    cached = getattr(world, "_oversight_objects", None)
    if cached is not None:
        return dict(cached)
    from shuangsuiji.deadlines.models import Accountability, Notification, Supervision
    from shuangsuiji.deadlines.reminders import deadlines_scan

    deadline = result_entry(world, start=datetime.date(2026, 11, 2))  # due 11月16日
    deadlines_scan(today=datetime.date(2026, 11, 25))
    objects = {
        "deadline": deadline,
        "supervision": Supervision.objects.get(deadline=deadline),
        "accountability": Accountability.objects.get(deadline=deadline),
        "notification": Notification.objects.filter(recipient=world.users["a_admin"]).first(),
    }
    world._oversight_objects = objects
    return dict(objects)
