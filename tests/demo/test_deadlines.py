"""Demo deadlines: every state per bureau, the chain run once, idempotent."""

from __future__ import annotations

import datetime

from django.core import mail

from shuangsuiji.deadlines import selectors
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityTrigger,
    Deadline,
    Notification,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.demo.deadlines import demo_bureaus, load_demo_deadlines
from tests.conftest import World
from tests.deadlines.factories import frozen

TODAY = datetime.date(2026, 11, 25)


def test_demo_has_every_state_and_is_idempotent(world: World) -> None:
    with frozen(TODAY):
        bureaus = demo_bureaus()
        assert {b.name for b in bureaus} == {"保定市卫生健康委员会", "莲池区卫生健康局", "涞源县卫生健康局"}
        first = load_demo_deadlines(today=TODAY, bureaus=[world.orgs["a"]])
        counts = selectors.deadline_status_counts(actor=world.users["a_admin"])
        snapshot = (
            Deadline.objects.count(), Notification.objects.count(), Supervision.objects.count(),
            Accountability.objects.count(), len(mail.outbox),
        )
        second = load_demo_deadlines(today=TODAY, bureaus=[world.orgs["a"]])
        assert snapshot == (
            Deadline.objects.count(), Notification.objects.count(), Supervision.objects.count(),
            Accountability.objects.count(), len(mail.outbox),
        )
    assert first.deadlines == second.deadlines == 8  # the 半年/全年报告 deadlines belong to the reports (oversight/reports/demo.py)
    assert all(counts[status] >= 1 for status in ("pending", "near", "overdue", "completed", "completed_late"))
    assert counts["overdue"] == 2 and counts["near"] == 1
    triggers = set(Accountability.objects.values_list("trigger", flat=True))
    assert triggers == {AccountabilityTrigger.OVERDUE, AccountabilityTrigger.COMPLETED_LATE}
    assert set(Supervision.objects.values_list("status", flat=True)) == {
        SupervisionStatus.ANSWERED, SupervisionStatus.AWAITING_ANSWER
    }
    assert Deadline.objects.filter(provisional=True).count() == 1  # next year's plan: 2027 not entered yet
    assert first.scan is not None and first.scan.reminders >= 1
    assert second.scan is not None and second.scan.reminders == 0 and second.scan.supervisions == 0
