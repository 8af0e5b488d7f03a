"""中止 of a deadline: the time limit stops while a recorded reason holds it and resumes with the same working
days left (e.g. the 10-working-day entry of results while a 检验检测报告 is awaited: 平顶山 检测由疾控机构承担).

``deadline_suspend`` marks the open deadline held from a day with the reason (no reminder, 督办 or 问责 while held:
the reminder scan and the statuses skip it); ``deadline_resume`` adds the working days held — those in
(since, resumed on] — to the due date and logs the period. The added days stay when the deadline is re-planned
(``deadline_reschedule``). Both are idempotent and audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import Deadline, DeadlineKind


def extended(values: dict[str, Any], workdays: int) -> dict[str, Any]:
    """Due date, reminder day and rule text of ``values`` moved by ``workdays`` held working days."""
    calendar = get_calendar()
    due = calendar.add_workdays(values["due_date"], workdays)
    remind = calendar.add_workdays(due.date, -int(values["remind_workdays"])).date
    return {
        "due_date": due.date, "remind_on": remind, "provisional": bool(values["provisional"] or due.provisional),
        "rule": f"{values['rule']}（中止{workdays}个工作日，顺延）"[:255],
    }


def _locked(subject: models.Model, kind: str) -> Deadline | None:
    return (
        Deadline.objects.select_for_update(of=("self",))
        .filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind=DeadlineKind(kind))
        .first()
    )


@transaction.atomic
def deadline_suspend(
    *, subject: models.Model, kind: str, since: datetime.date, reason: str, actor: User | None
) -> Deadline | None:
    """Hold the open deadline ``kind`` of ``subject`` from ``since`` (None when there is no open deadline)."""
    if not reason.strip():
        raise ApplicationError("中止期限须写明原因")
    deadline = _locked(subject, kind)
    if deadline is None or deadline.completed_at is not None:
        return deadline
    if deadline.suspended_since is not None:
        return deadline  # already held (by the same or another reason): one hold at a time
    deadline.suspended_since = since
    deadline.suspension_reason = reason.strip()[:255]
    deadline.save(update_fields=["suspended_since", "suspension_reason", "updated_at"])
    audit_record(
        actor=actor, event="deadline.suspend", target=deadline, organization=deadline.owner,
        changes={"kind": deadline.get_kind_display(), "since": since, "reason": deadline.suspension_reason,
                 "due_date": deadline.due_date},
    )
    return deadline


@transaction.atomic
def deadline_resume(
    *, subject: models.Model, kind: str, on: datetime.date, actor: User | None
) -> Deadline | None:
    """Let the held deadline run again from ``on``: the due date moves by the working days held."""
    deadline = _locked(subject, kind)
    if deadline is None or deadline.suspended_since is None:
        return deadline
    since = deadline.suspended_since
    if on < since:
        raise ApplicationError(f"恢复日期不能早于中止起始日（{format_cn_date(since)}）")
    held = max(0, get_calendar().workdays_between(since, on))
    old_due = deadline.due_date
    if held and deadline.completed_at is None:
        values = extended(
            {"due_date": deadline.due_date, "remind_workdays": deadline.remind_workdays,
             "provisional": deadline.provisional, "rule": deadline.rule.split("（中止")[0]}, held,
        )
        if deadline.suspended_workdays:  # keep one note with the total
            values["rule"] = f"{deadline.rule.split('（中止')[0]}（中止{deadline.suspended_workdays + held}个工作日，顺延）"[:255]
        for name, value in values.items():
            setattr(deadline, name, value)
    deadline.suspended_workdays += held
    deadline.suspensions = [
        *deadline.suspensions,
        {"from": since.isoformat(), "to": on.isoformat(), "workdays": held, "reason": deadline.suspension_reason},
    ]
    deadline.suspended_since = None
    deadline.suspension_reason = ""
    deadline.save()
    audit_record(
        actor=actor, event="deadline.resume", target=deadline, organization=deadline.owner,
        changes={"kind": deadline.get_kind_display(), "held_workdays": held, "due_date": (old_due, deadline.due_date)},
    )
    return deadline
