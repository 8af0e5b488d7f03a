"""The reminder chain of 涞源's 新三单: 事前懒政提醒, 事中怠政督办, 事后失职问责.

``deadlines_scan(today=…)`` looks at every open deadline whose reminder date has come:

1. **提醒** — from ``remind_on`` (N working days before the due date, N per region, default 3) up to the due
   date: the responsible person (or, without one, the bureau's 双随机办) gets a notification and an email.
2. **督办** — from the first working day after the due date: a ``Supervision`` addressed to the responsible
   person's 领导 and the 双随机办, who are notified with the person; the person must answer (reason and a
   promised date) on the 督办 page. When a promised date passes with the deadline still open, the
   supervisors are told once per promised date.
3. **问责** — overdue by more than ``accountability_after_workdays`` working days (default 5): an
   ``Accountability`` record, visible to leaders, who are notified. (Completing late also records one: see
   ``services.deadline_complete``.)

Every step is keyed (``Notification.key``, one ``Supervision`` and one ``Accountability`` per deadline),
so running the scan twice — or two workers at once — sends nothing twice. Emails go out at the end of the
scan through Django's email backend (``notification_send_emails``).

Run by huey (``deadlines.tasks``), by ``ssj deadlines scan`` and by ``manage.py deadlines_scan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.core.workdays import WorkdayCalendar
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import (
    Accountability,
    Deadline,
    Notification,
    NotificationKind,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.deadlines.rules import DeadlineRules, rules_for_organization
from shuangsuiji.deadlines.services import (
    BureauStaff,
    accountability_record,
    notification_build,
    notification_send_emails,
    notifications_create,
    responsible_users,
    supervision_open,
    supervisors_of,
)


@dataclass
class ScanReport:
    today: date
    scanned: int = 0
    reminders: int = 0
    supervisions: int = 0
    supervision_notices: int = 0
    promise_notices: int = 0
    accountabilities: int = 0
    emails_sent: int = 0

    def summary(self) -> str:
        return (
            f"{format_cn_date(self.today)}：检查期限 {self.scanned} 项，发出提醒 {self.reminders} 条，"
            f"新建督办 {self.supervisions} 件（通知 {self.supervision_notices} 条），"
            f"承诺到期通知 {self.promise_notices} 条，新建问责 {self.accountabilities} 件，"
            f"发送邮件 {self.emails_sent} 封"
        )


CHUNK = 100  # deadlines per transaction: few commits, short locks


@dataclass
class _ScanContext:
    today: date
    calendar: WorkdayCalendar
    report: ScanReport
    rules: dict[int, DeadlineRules] = field(default_factory=dict)
    staff: dict[int, BureauStaff] = field(default_factory=dict)

    def rules_for(self, deadline: Deadline) -> DeadlineRules:
        if deadline.organization_id not in self.rules:
            self.rules[deadline.organization_id] = rules_for_organization(deadline.organization)
        return self.rules[deadline.organization_id]

    def staff_for(self, deadline: Deadline) -> BureauStaff:
        if deadline.owner_id not in self.staff:
            self.staff[deadline.owner_id] = BureauStaff.of(deadline.owner)
        return self.staff[deadline.owner_id]


def deadlines_scan(*, today: date | None = None, send_emails: bool = True) -> ScanReport:
    """Run the chain for every open deadline that is near or overdue on ``today`` (default: today)."""
    today = today or timezone.localdate()
    context = _ScanContext(today=today, calendar=get_calendar(), report=ScanReport(today=today))
    ids = list(
        Deadline.objects.open().filter(remind_on__lte=today, suspended_since__isnull=True)  # 中止: not running
        .order_by("due_date", "pk").values_list("pk", flat=True)
    )
    for first in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _scan_chunk(ids[first : first + CHUNK], context)
    if send_emails:
        context.report.emails_sent = notification_send_emails()
    return context.report


def _scan_chunk(ids: list[int], context: _ScanContext) -> None:
    deadlines = list(
        Deadline.objects.select_for_update(of=("self",))
        .select_related("owner", "organization__region", "responsible")
        .filter(pk__in=ids, completed_at__isnull=True)  # completed meanwhile: skipped
        .order_by("due_date", "pk")
    )
    supervisions = {
        supervision.deadline_id: supervision
        for supervision in Supervision.objects.filter(deadline__in=deadlines).prefetch_related("addressees")
    }
    accountabilities = {
        record.deadline_id: record for record in Accountability.objects.filter(deadline__in=deadlines)
    }
    outbox: list[Notification] = []
    for deadline in deadlines:
        context.report.scanned += 1
        _scan_one(deadline, context, supervisions.get(deadline.pk), accountabilities.get(deadline.pk), outbox)
    counters = {
        NotificationKind.REMINDER: "reminders",
        NotificationKind.SUPERVISION: "supervision_notices",
        NotificationKind.PROMISE_BROKEN: "promise_notices",
    }
    for notification in notifications_create(outbox):
        name = counters.get(NotificationKind(notification.kind))
        if name:
            setattr(context.report, name, getattr(context.report, name) + 1)


def _scan_one(
    deadline: Deadline,
    context: _ScanContext,
    supervision: Supervision | None,
    accountability: Accountability | None,
    outbox: list[Notification],
) -> None:
    today, calendar, report = context.today, context.calendar, context.report
    staff = context.staff_for(deadline)
    url = deadline.get_absolute_url()
    due_text = format_cn_date(deadline.due_date)
    if today <= deadline.due_date:
        left = calendar.workdays_between(today, deadline.due_date)
        when = "今天到期" if today == deadline.due_date else f"还剩{left}个工作日"
        provisional = f"（暂定：{deadline.provisional_reason}）" if deadline.provisional else ""
        outbox.extend(
            notification_build(
                recipient=user, kind=NotificationKind.REMINDER, deadline=deadline,
                key=f"dl{deadline.pk}:reminder:{user.pk}",
                title=f"期限临近：{deadline}（{due_text}截止）",
                body=f"“{deadline}”应于{due_text}{provisional}前完成，{when}。规则：{deadline.rule}。",
                url=url,
            )
            for user in responsible_users(deadline, staff)
        )
        return

    overdue = calendar.workdays_between(deadline.due_date, today)
    if overdue < 1:  # after the due date, but only days off so far: escalate on the next working day
        return
    if supervision is None:
        supervision, created = supervision_open(deadline=deadline, overdue_workdays=overdue, staff=staff)
        report.supervisions += created
        addressees = supervisors_of(deadline, staff)
    else:
        addressees = [user for user in supervision.addressees.all() if user.is_active]
    person = deadline.responsible.display_name if deadline.responsible else deadline.organization.name
    sup_url = supervision.get_absolute_url()
    outbox.extend(
        notification_build(
            recipient=user, kind=NotificationKind.SUPERVISION, deadline=deadline,
            key=f"dl{deadline.pk}:supervision:{user.pk}",
            title=f"督办：{deadline}已逾期",
            body=(
                f"“{deadline}”应于{due_text}前完成，已逾期{overdue}个工作日。"
                "请尽快办理，并在督办页面答复逾期原因和承诺完成日期。"
            ),
            url=sup_url,
        )
        for user in responsible_users(deadline, staff)
    )
    outbox.extend(
        notification_build(
            recipient=user, kind=NotificationKind.SUPERVISION, deadline=deadline,
            key=f"dl{deadline.pk}:supervision:{user.pk}",
            title=f"督办：{person}负责的{deadline}已逾期",
            body=f"“{deadline}”应于{due_text}前完成，已逾期{overdue}个工作日，已向责任人发出督办。",
            url=sup_url,
        )
        for user in addressees
    )
    if (
        supervision.status == SupervisionStatus.ANSWERED
        and supervision.promised_date is not None
        and supervision.promised_date < today
    ):
        promised = format_cn_date(supervision.promised_date)
        outbox.extend(
            notification_build(
                recipient=user, kind=NotificationKind.PROMISE_BROKEN, deadline=deadline,
                key=f"dl{deadline.pk}:promise:{supervision.promised_date.isoformat()}:{user.pk}",
                title=f"承诺期限已过：{deadline}",
                body=f"{person}承诺于{promised}前完成“{deadline}”，至今仍未完成。",
                url=sup_url,
            )
            for user in addressees
        )
    if overdue > context.rules_for(deadline).accountability_after_workdays:
        if accountability is not None:
            if accountability.late_workdays != overdue:  # keep "how late" current while still open
                accountability.late_workdays = overdue
                accountability.save(update_fields=["late_workdays", "updated_at"])
        else:
            _, created = accountability_record(
                deadline=deadline, late_workdays=overdue, completed_on=None, staff=staff, outbox=outbox
            )
            report.accountabilities += created
