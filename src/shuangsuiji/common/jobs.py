"""Periodic background jobs that run once per schedule slot, however many job consumers there are.

huey's scheduler lives in each consumer: with one consumer beside each app server (README 部署), every
consumer enqueues the same periodic job at the same minute. ``periodic_once`` replaces huey's
``db_periodic_task``: the run first claims its slot — the latest minute at or before now that the crontab
matches — by inserting a ``PeriodicRun`` row under a unique constraint in the shared database; the first
consumer wins and runs the job, the others log that the slot is taken and return. A consumer that was
stopped and catches up later claims the slot it finds then, so a missed slot is not run twice either.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from shuangsuiji.common.models import PeriodicRun

logger = logging.getLogger(__name__)
FuncT = TypeVar("FuncT", bound=Callable[..., Any])
# A weekly crontab is the sparsest the project uses; look back a little further than that for the slot.
LOOKBACK_MINUTES = 8 * 24 * 60
KEEP_DAYS = 60
SKIPPED = "本时段已由其他任务进程运行"


def _now_for_huey() -> datetime.datetime:
    """Now as huey's scheduler sees it (naive; UTC unless huey is configured for local time)."""
    if getattr(HUEY, "utc", True):
        return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return datetime.datetime.now()


def schedule_slot(validate: Callable[[datetime.datetime], bool], now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest minute at or before ``now`` (naive, huey's clock) that the crontab ``validate`` matches."""
    minute = (now or _now_for_huey()).replace(second=0, microsecond=0)
    for _ in range(LOOKBACK_MINUTES):
        if validate(minute):
            return minute
        minute -= datetime.timedelta(minutes=1)
    return (now or _now_for_huey()).replace(second=0, microsecond=0)


def _aware(slot: datetime.datetime) -> datetime.datetime:
    return slot.replace(tzinfo=datetime.UTC) if getattr(HUEY, "utc", True) else timezone.make_aware(slot)


def claim_slot(task: str, slot: datetime.datetime) -> bool:
    """True for the first caller of (task, slot) across all processes sharing the database."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task, slot=_aware(slot), worker=worker)
    except IntegrityError:
        PeriodicRun.objects.filter(task=task, slot=_aware(slot)).update(duplicates=F("duplicates") + 1)
        return False
    PeriodicRun.objects.filter(slot__lt=timezone.now() - datetime.timedelta(days=KEEP_DAYS)).delete()
    return True


def periodic_once(validate: Callable[[datetime.datetime], bool], **options: Any) -> Callable[[FuncT], FuncT]:
    """``db_periodic_task(validate)`` whose body runs at most once per schedule slot (see the module text)."""

    def decorator(fn: FuncT) -> FuncT:
        name = f"{fn.__module__}.{fn.__name__}"

        @wraps(fn)
        def once(*args: Any, **kwargs: Any) -> Any:
            slot = schedule_slot(validate)
            if not claim_slot(name, slot):
                logger.info("%s %s：%s", name, slot.isoformat(), SKIPPED)
                return SKIPPED
            return fn(*args, **kwargs)

        return db_periodic_task(validate, **options)(once)  # type: ignore[no-any-return]

    return decorator


def register_moved_task(task: Any, old_name: str) -> Any:
    """Keep running a job that was queued under its name before it moved to another module.

    huey pickles a queued job (a periodic run enqueued by the scheduler, a retry, a delayed job) with the job's
    registry key ``<module>.<function>`` and finds the function by that key when a consumer dequeues it; after an
    upgrade moved the function, a message still waiting under the old key would fail with "not found in
    TaskRegistry". This registers a plain (never scheduled) job under ``old_name`` that runs ``task`` — the job as
    it is now, e.g. with ``periodic_once``'s slot claim — so the old message is executed by the new function.
    """
    module, _, name = old_name.rpartition(".")
    if not module or not name:
        raise ValueError(f"old job name must be <module>.<function>: {old_name!r}")

    def run_moved(*args: Any, **kwargs: Any) -> Any:
        logger.info("%s（旧名称）→ %s.%s", old_name, task.task_class.__module__, task.name)
        return task.call_local(*args, **kwargs)

    run_moved.__module__ = module  # huey's registry key is the function's module and name
    run_moved.__name__ = run_moved.__qualname__ = name
    run_moved.__doc__ = f"旧任务名称 {old_name}：运行 {task.task_class.__module__}.{task.name}。"
    return db_task(name=name)(run_moved)
