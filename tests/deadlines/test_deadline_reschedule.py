"""The new inspection deadline kinds, ``workdays`` of the caller, ``deadline_reschedule`` and ``deadline_withdraw``."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.deadlines.models import Accountability, Deadline, DeadlineKind, Supervision
from shuangsuiji.deadlines.services import (
    deadline_complete,
    deadline_open,
    deadline_reschedule,
    deadline_withdraw,
)
from tests.conftest import World
from tests.deadlines.factories import frozen, plan

D = datetime.date


def test_review_kind_counts_five_working_days_across_national_day(world: World) -> None:
    deadline = deadline_open(
        subject=plan(world), kind=DeadlineKind.INSPECTION_REVIEW, start_date=D(2026, 9, 30),
        organization=world.orgs["a"],
    )
    assert deadline.due_date == D(2026, 10, 13)  # 8, 9, 10 (调休), 12, 13
    assert "提交检查结果" in deadline.rule


def test_rectification_needs_its_own_number_of_working_days(world: World) -> None:
    subject = plan(world)
    with pytest.raises(ApplicationError, match="工作日数"):
        deadline_open(subject=subject, kind=DeadlineKind.RECTIFICATION, start_date=D(2026, 9, 30),
                      organization=world.orgs["a"])
    deadline = deadline_open(
        subject=subject, kind=DeadlineKind.RECTIFICATION, start_date=D(2026, 9, 30), workdays=3,
        organization=world.orgs["a"],
    )
    assert deadline.due_date == D(2026, 10, 10) and deadline.workdays == 3  # 10月10日 is a 调休 Saturday
    assert "自责令整改之日" in deadline.rule


def test_caller_workdays_and_start_event_override_the_rule(world: World) -> None:
    deadline = deadline_open(
        subject=plan(world), kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 12, 15), workdays=5,
        start_event="任务检查期限届满", organization=world.orgs["a"],
    )
    assert deadline.due_date == D(2026, 12, 22) and "任务检查期限届满" in deadline.rule


def test_reschedule_moves_an_open_deadline_and_is_idempotent(world: World) -> None:
    subject = plan(world)
    deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 12, 15),
                  organization=world.orgs["a"])
    moved = deadline_reschedule(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 20))
    assert moved is not None and moved.due_date == D(2026, 12, 4) and moved.start_date == D(2026, 11, 20)
    assert deadline_reschedule(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 20)) == moved
    assert AuditEntry.objects.filter(event="deadline.reschedule").count() == 1
    assert deadline_reschedule(subject=subject, kind=DeadlineKind.PENALTY_PUBLICATION, start_date=D(2026, 11, 20)) is None


def test_reschedule_leaves_a_completed_deadline_unless_reopened(world: World) -> None:
    subject = plan(world)
    deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 6),
                  organization=world.orgs["a"])
    with frozen(D(2026, 11, 25)):
        done = deadline_complete(subject=subject, kind=DeadlineKind.RESULT_ENTRY, actor=None)
    assert done is not None and done.completed_late and Accountability.objects.filter(deadline=done).exists()
    same = deadline_reschedule(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 20))
    assert same is not None and same.due_date == D(2026, 11, 20) and same.completed_at is not None
    reopened = deadline_reschedule(subject=subject, kind=DeadlineKind.RESULT_ENTRY, reopen=True)
    assert reopened is not None and reopened.completed_at is None and not reopened.completed_late
    assert reopened.due_date == D(2026, 11, 20)  # same start, same statutory date
    assert Accountability.objects.filter(deadline=reopened).exists()  # the earlier late entry stays on record
    assert AuditEntry.objects.filter(event="deadline.reopen").count() == 1


def test_withdraw_deletes_an_open_deadline_but_completes_an_escalated_one(world: World) -> None:
    first, second = plan(world), plan(world, year=2025)
    for subject in (first, second):
        deadline_open(subject=subject, kind=DeadlineKind.RESULT_ENTRY, start_date=D(2026, 11, 6),
                      organization=world.orgs["a"])
    escalated = Deadline.objects.get(object_id=second.pk, kind=DeadlineKind.RESULT_ENTRY)
    Supervision.objects.create(owner=escalated.owner, deadline=escalated, overdue_workdays=2)
    with frozen(D(2026, 11, 25)):
        assert deadline_withdraw(subject=first, kind=DeadlineKind.RESULT_ENTRY, reason="重新抽取") is True
        assert deadline_withdraw(subject=second, kind=DeadlineKind.RESULT_ENTRY, reason="重新抽取") is True
    assert not Deadline.objects.filter(object_id=first.pk, kind=DeadlineKind.RESULT_ENTRY).exists()
    escalated.refresh_from_db()
    assert escalated.completed_at is not None
    assert deadline_withdraw(subject=first, kind=DeadlineKind.RESULT_ENTRY, reason="重新抽取") is False
    assert deadline_withdraw(subject=second, kind=DeadlineKind.RESULT_ENTRY, reason="重新抽取") is False
    assert AuditEntry.objects.filter(event="deadline.withdraw").count() == 2
