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

Run by huey (``oversight.tasks``), by ``ssj deadlines scan`` and by ``manage.py deadlines_scan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.core.workdays import WorkdayCalendar
from shuangsuiji.oversight.calendar import get_calendar
from shuangsuiji.oversight.models import Accountability, Deadline, NotificationKind, SupervisionStatus
from shuangsuiji.oversight.rules import DeadlineRules, rules_for_organization
from shuangsuiji.oversight.services import (
    accountability_record,
    notification_send_emails,
    notify,
    responsible_users,
    supervision_open,
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


def deadlines_scan(*, today: date | None = None, send_emails: bool = True) -> ScanReport:
    """Run the chain for every open deadline that is near or overdue on ``today`` (default: today)."""
    today = today or timezone.localdate()
    report = ScanReport(today=today)
    calendar = get_calendar()
    rules_cache: dict[int, DeadlineRules] = {}
    ids = list(
        Deadline.objects.open().filter(remind_on__lte=today).order_by("due_date", "pk").values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            deadline = (
                Deadline.objects.select_for_update(of=("self",))
                .select_related("owner", "organization__region", "responsible")
                .filter(pk=pk, completed_at__isnull=True)
                .first()
            )
            if deadline is None:  # completed meanwhile
                continue
            report.scanned += 1
            org_id = deadline.organization_id
            if org_id not in rules_cache:
                rules_cache[org_id] = rules_for_organization(deadline.organization)
            _scan_one(deadline, today=today, calendar=calendar, rules=rules_cache[org_id], report=report)
    if send_emails:
        report.emails_sent = notification_send_emails()
    return report


def _scan_one(
    deadline: Deadline, *, today: date, calendar: WorkdayCalendar, rules: DeadlineRules, report: ScanReport
) -> None:
    url = deadline.get_absolute_url()
    due_text = format_cn_date(deadline.due_date)
    if today <= deadline.due_date:
        left = calendar.workdays_between(today, deadline.due_date)
        when = "今天到期" if today == deadline.due_date else f"还剩{left}个工作日"
        provisional = f"（暂定：{deadline.provisional_reason}）" if deadline.provisional else ""
        for user in responsible_users(deadline):
            reminder = notify(
                recipient=user, kind=NotificationKind.REMINDER, deadline=deadline,
                key=f"dl{deadline.pk}:reminder:{user.pk}",
                title=f"期限临近：{deadline}（{due_text}截止）",
                body=f"“{deadline}”应于{due_text}{provisional}前完成，{when}。规则：{deadline.rule}。",
                url=url,
            )
            report.reminders += reminder is not None
        return

    overdue = calendar.workdays_between(deadline.due_date, today)
    if overdue < 1:  # after the due date, but only days off so far: escalate on the next working day
        return
    supervision, created = supervision_open(deadline=deadline, overdue_workdays=overdue)
    report.supervisions += created
    person = deadline.responsible.display_name if deadline.responsible else deadline.organization.name
    sup_url = supervision.get_absolute_url()
    for user in responsible_users(deadline):
        sent = notify(
            recipient=user, kind=NotificationKind.SUPERVISION, deadline=deadline,
            key=f"dl{deadline.pk}:supervision:{user.pk}",
            title=f"督办：{deadline}已逾期",
            body=(
                f"“{deadline}”应于{due_text}前完成，已逾期{overdue}个工作日。"
                "请尽快办理，并在督办页面答复逾期原因和承诺完成日期。"
            ),
            url=sup_url,
        )
        report.supervision_notices += sent is not None
    for user in supervision.addressees.filter(is_active=True):
        sent = notify(
            recipient=user, kind=NotificationKind.SUPERVISION, deadline=deadline,
            key=f"dl{deadline.pk}:supervision:{user.pk}",
            title=f"督办：{person}负责的{deadline}已逾期",
            body=f"“{deadline}”应于{due_text}前完成，已逾期{overdue}个工作日，已向责任人发出督办。",
            url=sup_url,
        )
        report.supervision_notices += sent is not None
    if (
        supervision.status == SupervisionStatus.ANSWERED
        and supervision.promised_date is not None
        and supervision.promised_date < today
    ):
        promised = format_cn_date(supervision.promised_date)
        for user in supervision.addressees.filter(is_active=True):
            promise = notify(
                recipient=user, kind=NotificationKind.PROMISE_BROKEN, deadline=deadline,
                key=f"dl{deadline.pk}:promise:{supervision.promised_date.isoformat()}:{user.pk}",
                title=f"承诺期限已过：{deadline}",
                body=f"{person}承诺于{promised}前完成“{deadline}”，至今仍未完成。",
                url=sup_url,
            )
            report.promise_notices += promise is not None
    if overdue > rules.accountability_after_workdays:
        existed = Accountability.objects.filter(deadline=deadline).exists()
        accountability_record(deadline=deadline, late_workdays=overdue, completed_on=None)
        report.accountabilities += not existed
