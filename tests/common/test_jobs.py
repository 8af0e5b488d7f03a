"""Periodic jobs run once per schedule slot whatever the number of job consumers (common.jobs)."""

from __future__ import annotations

import datetime

import pytest
from huey import crontab

from shuangsuiji.common.jobs import SKIPPED, claim_slot, periodic_once, schedule_slot
from shuangsuiji.common.models import PeriodicRun

pytestmark = pytest.mark.django_db


def test_slot_is_the_latest_matching_minute() -> None:
    hourly = crontab(minute="5", hour="23,0-14")
    assert schedule_slot(hourly, datetime.datetime(2026, 12, 4, 9, 7, 30)) == datetime.datetime(2026, 12, 4, 9, 5)
    assert schedule_slot(hourly, datetime.datetime(2026, 12, 4, 9, 5, 59)) == datetime.datetime(2026, 12, 4, 9, 5)
    # no scan at night: a consumer catching up at 16:00 UTC claims the 14:05 slot, not a new one
    assert schedule_slot(hourly, datetime.datetime(2026, 12, 4, 16, 0)) == datetime.datetime(2026, 12, 4, 14, 5)
    every_ten = crontab(minute="*/10")
    assert schedule_slot(every_ten, datetime.datetime(2026, 12, 4, 9, 19)) == datetime.datetime(2026, 12, 4, 9, 10)


def test_only_the_first_claim_of_a_slot_wins() -> None:
    slot = datetime.datetime(2026, 12, 4, 9, 5)
    assert claim_slot("job.a", slot) is True
    assert claim_slot("job.a", slot) is False
    assert claim_slot("job.b", slot) is True
    assert claim_slot("job.a", slot + datetime.timedelta(hours=1)) is True
    assert PeriodicRun.objects.filter(task="job.a").count() == 2


def test_second_run_in_the_same_slot_is_skipped() -> None:
    calls: list[int] = []

    @periodic_once(crontab(minute="*"))
    def job_for_test() -> int:
        calls.append(1)
        return len(calls)

    assert job_for_test.call_local() == 1
    assert job_for_test.call_local() in (SKIPPED, 2)  # 2 only when the minute turned between the calls
    assert PeriodicRun.objects.filter(task__endswith="job_for_test").count() == len(calls)
