"""The reminder chain with the clock frozen: 提醒 → 督办 → 问责, idempotence, emails, jobs and commands."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from typer.testing import CliRunner

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.cli.main import app as ssj
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityTrigger,
    DeadlineKind,
    EmailStatus,
    Notification,
    NotificationKind,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.deadlines.reminders import deadlines_scan
from shuangsuiji.deadlines.services import deadline_complete, supervision_answer
from shuangsuiji.deadlines.tasks import deadline_scan_task, notification_email_task
from tests.conftest import World
from tests.deadlines.factories import frozen, result_entry

D = datetime.date


@pytest.fixture
def mailed_world(world: World) -> World:
    for key in ("a_inspector", "a_admin", "a_leader", "a_staff"):
        user = world.users[key]
        user.email = f"{key}@example.cn"
        user.save(update_fields=["email"])
    return world


def _scan(day: datetime.date) -> Any:
    with frozen(day):
        return deadlines_scan()


def _kinds_by_user(world: World) -> dict[str, list[str]]:
    names = {user.pk: key for key, user in world.users.items()}
    result: dict[str, list[str]] = {}
    for notification in Notification.objects.order_by("pk"):
        result.setdefault(names[notification.recipient_id], []).append(notification.kind)
    return result


def test_full_chain_is_idempotent_at_every_step(mailed_world: World) -> None:
    w = mailed_world
    deadline = result_entry(w, start=D(2026, 11, 25))  # due 12月9日 (Wed), reminder from 12月4日 (Fri)

    assert _scan(D(2026, 12, 3)).scanned == 0
    assert not Notification.objects.exists() and len(mail.outbox) == 0

    # 事前懒政提醒: the responsible person, in-app and by email — once
    report = _scan(D(2026, 12, 4))
    assert (report.reminders, report.emails_sent) == (1, 1)
    assert mail.outbox[0].to == ["a_inspector@example.cn"] and "期限临近" in mail.outbox[0].subject
    assert "/oversight/deadlines/" in mail.outbox[0].body
    for day in (D(2026, 12, 4), D(2026, 12, 8), D(2026, 12, 9)):
        again = _scan(day)
        assert (again.reminders, again.emails_sent, again.supervisions) == (0, 0, 0)
    assert len(mail.outbox) == 1

    # 事中怠政督办: first working day after the due date
    report = _scan(D(2026, 12, 10))
    assert (report.supervisions, report.supervision_notices, report.emails_sent) == (1, 3, 3)
    supervision = Supervision.objects.get(deadline=deadline)
    assert supervision.responsible == w.users["a_inspector"] and supervision.overdue_workdays == 1
    assert set(supervision.addressees.all()) == {w.users["a_admin"], w.users["a_leader"]}
    assert _kinds_by_user(w) == {
        "a_inspector": [NotificationKind.REMINDER, NotificationKind.SUPERVISION],
        "a_admin": [NotificationKind.SUPERVISION],
        "a_leader": [NotificationKind.SUPERVISION],
    }
    again = _scan(D(2026, 12, 10))
    assert (again.supervisions, again.supervision_notices, again.emails_sent) == (0, 0, 0)
    assert len(mail.outbox) == 4 and Supervision.objects.count() == 1

    # the responsible person answers: reason + new date; the supervisors are told
    with frozen(D(2026, 12, 10), hour=15):
        supervision_answer(actor=w.users["a_inspector"], supervision=supervision, reason="对象停业，补查中",
                           promised_date=D(2026, 12, 14))
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.ANSWERED and supervision.promised_date == D(2026, 12, 14)
    assert Notification.objects.filter(kind=NotificationKind.SUPERVISION_ANSWER).count() == 2

    # promised date passed: supervisors told once
    report = _scan(D(2026, 12, 15))
    assert report.promise_notices == 2 and report.accountabilities == 0  # 4 working days late: below threshold
    assert _scan(D(2026, 12, 15)).promise_notices == 0

    # 事后失职问责: more than 5 working days overdue
    report = _scan(D(2026, 12, 17))
    assert report.accountabilities == 1
    record = Accountability.objects.get(deadline=deadline)
    assert record.trigger == AccountabilityTrigger.OVERDUE and record.late_workdays == 6
    assert record.completed_on is None and record.person == w.users["a_inspector"]
    assert Notification.objects.filter(kind=NotificationKind.ACCOUNTABILITY).get().recipient == w.users["a_leader"]
    before = (Notification.objects.count(), len(mail.outbox))
    assert _scan(D(2026, 12, 17)).accountabilities == 0
    assert (Notification.objects.count(), len(mail.outbox)) == before

    # completed: 督办 closed, 问责 updated with the final delay, nothing more is sent
    with frozen(D(2026, 12, 18)):
        deadline_complete(subject=deadline.subject, kind=DeadlineKind.RESULT_ENTRY, actor=w.users["a_inspector"])
    supervision.refresh_from_db()
    record.refresh_from_db()
    assert supervision.status == SupervisionStatus.CLOSED
    assert (record.late_workdays, record.completed_on) == (7, D(2026, 12, 18))
    assert _scan(D(2026, 12, 21)).scanned == 0
    assert (Notification.objects.count(), len(mail.outbox)) == before
    assert AuditEntry.objects.filter(event="upper_supervision.open").count() == 1
    assert AuditEntry.objects.filter(event="accountability.open").count() == 1


def test_no_escalation_over_a_weekend(mailed_world: World) -> None:
    deadline = result_entry(mailed_world, start=D(2026, 11, 20))  # due Friday 12月4日
    assert deadline.due_date == D(2026, 12, 4)
    report = _scan(D(2026, 12, 5))  # Saturday: overdue, but 0 working days late
    assert report.scanned == 1 and report.supervisions == 0 and report.reminders == 0
    assert _scan(D(2026, 12, 7)).supervisions == 1


def test_without_responsible_person_the_bureau_program_office_is_reminded(mailed_world: World) -> None:
    result_entry(mailed_world, start=D(2026, 11, 25), responsible=None)
    report = _scan(D(2026, 12, 4))
    assert report.reminders == 1
    assert Notification.objects.get().recipient == mailed_world.users["a_admin"]


def test_deadline_opened_late_goes_straight_to_supervision(mailed_world: World) -> None:
    result_entry(mailed_world, start=D(2026, 11, 2))  # due 11月16日
    report = _scan(D(2026, 11, 25))
    assert report.reminders == 0 and report.supervisions == 1 and report.accountabilities == 1


def test_only_the_responsible_person_answers(mailed_world: World) -> None:
    w = mailed_world
    result_entry(w, start=D(2026, 11, 2))
    _scan(D(2026, 11, 25))
    supervision = Supervision.objects.get()
    with frozen(D(2026, 11, 25)):
        for key in ("a_admin", "a_leader", "b_admin"):
            with pytest.raises(PermissionDeniedError):
                supervision_answer(actor=w.users[key], supervision=supervision, reason="x",
                                   promised_date=D(2026, 11, 30))
        with pytest.raises(ApplicationError, match="不能早于今天"):
            supervision_answer(actor=w.users["a_inspector"], supervision=supervision, reason="x",
                               promised_date=D(2026, 11, 24))
        with pytest.raises(ApplicationError, match="逾期原因"):
            supervision_answer(actor=w.users["a_inspector"], supervision=supervision, reason="  ",
                               promised_date=D(2026, 11, 30))


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("SMTP 不可用")


def test_mail_failure_is_recorded_not_retried(mailed_world: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.deadlines.test_reminders.FailingBackend"
    result_entry(mailed_world, start=D(2026, 11, 25))
    report = _scan(D(2026, 12, 4))
    assert report.reminders == 1 and report.emails_sent == 0
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED and "SMTP" in notification.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_task.call_local() == 0


def test_user_without_email_gets_in_app_notification_only(world: World) -> None:
    result_entry(world, start=D(2026, 11, 25))
    assert _scan(D(2026, 12, 4)).emails_sent == 0
    assert Notification.objects.get().email_status == EmailStatus.NO_ADDRESS and not mail.outbox


def test_huey_task_management_command_and_cli_run_the_same_scan(mailed_world: World) -> None:
    result_entry(mailed_world, start=D(2026, 11, 25))
    with frozen(D(2026, 12, 4)):
        summary = deadline_scan_task.call_local()
    assert "发出提醒 1 条" in summary and len(mail.outbox) == 1
    call_command("deadlines_scan", date="2026-12-04")
    result = CliRunner().invoke(ssj, ["deadlines", "scan", "--date", "2026-12-10"])
    assert result.exit_code == 0, result.output
    assert "新建督办 1 件" in result.output
    status = CliRunner().invoke(ssj, ["deadlines", "status", "--date", "2026-12-10"])
    assert "莲池区卫生健康局\t0\t0\t1\t0\t0" in status.output
    bad = CliRunner().invoke(ssj, ["deadlines", "scan", "--date", "明天"])
    assert bad.exit_code == 2
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 1


def test_periodic_tasks_are_registered_with_beijing_daytime_schedule() -> None:
    from huey.contrib.djhuey import HUEY

    names = {task_class.__name__ for task_class in HUEY._registry._periodic_tasks}
    assert {"deadline_scan_task", "notification_email_task"} <= names
    scan_class = deadline_scan_task.task_class()
    # huey evaluates crontabs in UTC: 23:05 UTC is 07:05 in Beijing, 15:05 UTC is 23:05 (no scan at night)
    assert scan_class.validate_datetime(datetime.datetime(2026, 12, 3, 23, 5))
    assert scan_class.validate_datetime(datetime.datetime(2026, 12, 4, 14, 5))
    assert not scan_class.validate_datetime(datetime.datetime(2026, 12, 4, 15, 5))


def test_supervision_goes_to_the_responsible_persons_own_supervisor(world: World) -> None:
    """督办 of an inspector of the 监督所: the 监督所's own 领导 and the 双随机办, not every leader of the bureau;
    the 问责 still reaches the bureau's leaders."""
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.deadlines.models import Notification, NotificationKind
    from shuangsuiji.deadlines.reminders import deadlines_scan
    from tests.deadlines.factories import result_entry

    head = User.objects.create_user(username="a_institute_head", password="x", organization=world.orgs["a_institute"],
                                    role=Role.LEADER, real_name="监督所所长")
    deadline = result_entry(world, start=datetime.date(2026, 11, 2))  # a_inspector, due 11月16日
    deadlines_scan(today=datetime.date(2026, 11, 25))
    told = set(Notification.objects.filter(deadline=deadline, kind=NotificationKind.SUPERVISION)
               .values_list("recipient__username", flat=True))
    assert told == {head.username, "a_admin", "a_inspector"}  # the person, their own supervisor, the 双随机办
    warned = set(Notification.objects.filter(deadline=deadline, kind=NotificationKind.ACCOUNTABILITY)
                 .values_list("recipient__username", flat=True))
    assert {"a_leader", head.username} <= warned
