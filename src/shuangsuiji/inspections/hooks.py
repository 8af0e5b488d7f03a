"""Points where inspections tell the rest of the system that something happened.

The services call these functions **inside their transaction**, after the state change they audit, so a record
or case never exists without its deadline and a failure rolls both back. ``deadlines.services`` is idempotent
(``deadline_open`` returns the existing deadline, ``deadline_complete`` does nothing twice), so a repeated call
is harmless. All dates come from the working-day calendar of ``oversight`` (provisional beyond the known years).

=============================  ======================================================================
event                          deadline (``deadlines.models.DeadlineKind``) / task state
=============================  ======================================================================
on_records_generated           检查结果录入 opens for every new record, due ``record.entry_deadline``: the
                               inspection day is not known yet, so it counts from the end of the task's
                               window (provisional), in one batch (``deadlines_open_many``); then the task
                               moves 已匹配人员 → 检查中 (planning's guarded ``task_transition``, audited)
on_record_created              nothing of its own: the generation's batch above opens its deadline
on_record_cancelled            the record's open 录入 / 审核 deadlines are withdrawn (``deadline_withdraw``)
on_result_submitted            检查结果录入 moves to the real inspection day and is completed (late if
                               ``record.entered_late``); 检查结果审核 opens (reopens after a 退回)
on_record_reviewed             审核 completed; 退回 reopens 检查结果录入 with its statutory due date;
                               通过 of the task's last open record: task 检查中 → 已完成, which opens
                               抽查结果公示 (20 working days, ``planning.deadline_hooks.on_task_completed``)
on_case_opened                 nothing (the measures open their own deadlines)
on_rectification_ordered       责令整改复查 opens (reopens for a new order), due ``case.rectify_deadline``
on_recheck_recorded            责令整改复查 completed on the re-check day
on_penalty_decided             行政处罚信息公示 opens, due ``case.penalty_publish_deadline`` (7 working days);
                               completed by ``disclosure.services.penalty_publish_case``
on_case_closed                 nothing (a closed case has no open deadline left of its own)
=============================  ======================================================================

Results are published by the disclosure app: ``results_publish_task`` moves the task 已完成 → 已公示, which
completes 抽查结果公示 through the planning hooks; nothing here does it a second time.

``suspended()`` switches the deadline side off (the task transitions stay) for bulk loaders that set their
deadlines themselves.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from shuangsuiji.accounts.scope import Perm, has_perm, writable_owner_id
from shuangsuiji.deadlines.hook_switch import HookSwitch
from shuangsuiji.deadlines.models import DeadlineKind
from shuangsuiji.deadlines.services import (
    deadline_complete,
    deadline_open,
    deadline_reschedule,
    deadline_withdraw,
    deadlines_open_many,
)
from shuangsuiji.planning.deadline_hooks import responsible_in
from shuangsuiji.planning.models import TaskState
from shuangsuiji.planning.services import task_transition

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord
    from shuangsuiji.planning.models import Task

PROVISIONAL_START = "任务检查期限届满（检查日期未定，暂按此计算）"
# turned off by the demo generator (deadlines.hook_switch)
_switch = HookSwitch("ssj_inspection_deadline_hooks_suspended")
suspended = _switch.suspended
_active = _switch.active


def _local(day: datetime.date) -> datetime.datetime:
    """A business day as a moment (noon, local time) for ``deadline_complete(when=…)``."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _entry_workdays(record: InspectionRecord) -> int:
    from shuangsuiji.inspections.services import bureau_settings

    return bureau_settings(record.owner_id).entry_workdays


def _responsible(record: InspectionRecord, actor: User | None) -> User | None:
    """Who is reminded of a record's entry: the team leader's account, else ``actor``, in the record's bureau."""

    members = sorted(
        record.members.select_related("inspector__user"), key=lambda m: (m.role != "leader", m.sort_order)
    )
    users = [m.inspector.user for m in members if m.inspector.user is not None and m.inspector.user.is_active]
    for user in [*users, actor]:
        found = responsible_in(record.owner, user)
        if found is not None:
            return found
    return None


def _open_entry(record: InspectionRecord, *, actor: User | None) -> None:
    """Open the entry deadline: from the inspection day when known, else (provisionally) the window's end."""
    if record.inspected_on is not None:
        start, event = record.inspected_on, "检查"
    else:
        start, event = record.task.window_end, PROVISIONAL_START
    deadline_open(
        subject=record, kind=DeadlineKind.RESULT_ENTRY, start_date=start, workdays=_entry_workdays(record),
        start_event=event, organization=record.owner, responsible=_responsible(record, actor), actor=actor,
    )


# ---------------------------------------------------------------------------------------- records


def on_records_generated(*, actor: User, task: Task, created: list[InspectionRecord]) -> None:
    """一企一表 generated for a task: their entry deadlines open (one batch), and the task moves
    已匹配人员 → 检查中 (once; later runs change nothing)."""
    from shuangsuiji.inspections.models import InspectionRecord, RecordStatus

    if _active() and created:
        _open_entries(task, created, actor=actor)
    if task.state != TaskState.INSPECTORS_MATCHED:
        return
    if not InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.CANCELLED).exists():
        return
    task_transition(actor=actor, task=task, to_state=TaskState.INSPECTING, comment="已生成一企一表，开始检查")


def on_record_created(*, actor: User, record: InspectionRecord) -> None:
    """A record exists. Its entry deadline (``record.entry_deadline``, provisional until inspected) is opened
    with the others of the generation by ``on_records_generated``, which the service calls right after."""


def _open_entries(task: Task, records: list[InspectionRecord], *, actor: User) -> None:
    """The entry deadlines of newly generated records, in one batch (a few queries for the whole task)."""
    from shuangsuiji.inspections.models import RecordMember
    from shuangsuiji.inspections.services import bureau_settings

    leaders: dict[int, User] = {}
    members = (
        RecordMember.objects.filter(record_id__in=[r.pk for r in records], inspector__user__is_active=True)
        .select_related("inspector__user__organization")
        .order_by("record_id", "sort_order")
    )
    for member in members:
        user = member.inspector.user
        if user is None or (member.record_id in leaders and member.role != "leader"):
            continue
        if responsible_in(task.owner, user) is not None:
            leaders[member.record_id] = user
    fallback = responsible_in(task.owner, actor)
    deadlines_open_many(
        kind=DeadlineKind.RESULT_ENTRY, organization=task.owner,
        subjects=[(r, task.window_end, leaders.get(r.pk, fallback)) for r in records],
        workdays=bureau_settings(task.owner_id).entry_workdays, start_event=PROVISIONAL_START, actor=actor,
    )


def on_record_cancelled(*, actor: User, record: InspectionRecord) -> None:
    """The drawn target left the task (re-draw): withdraw the record's open deadlines."""
    if not _active():
        return
    reason = record.cancel_reason or "一企一表已作废"
    for kind in (DeadlineKind.RESULT_ENTRY, DeadlineKind.INSPECTION_REVIEW):
        deadline_withdraw(subject=record, kind=kind, reason=reason, actor=actor)


def on_result_submitted(*, actor: User, record: InspectionRecord) -> None:
    """Results entered: the entry deadline counts from the real inspection day and is met; the review opens."""
    if not _active() or record.inspected_on is None:
        return
    _open_entry(record, actor=actor)  # a record that predates the hooks
    deadline_reschedule(
        subject=record, kind=DeadlineKind.RESULT_ENTRY, start_date=record.inspected_on,
        workdays=_entry_workdays(record), start_event="检查", actor=actor,
    )
    deadline_complete(subject=record, kind=DeadlineKind.RESULT_ENTRY, actor=actor, when=record.submitted_at)
    submitted_on = timezone.localdate(record.submitted_at) if record.submitted_at else timezone.localdate()
    review = deadline_open(
        subject=record, kind=DeadlineKind.INSPECTION_REVIEW, start_date=submitted_on, organization=record.owner,
        actor=actor,
    )
    if review.completed_at is not None or review.start_date != submitted_on:  # resubmitted after a 退回
        deadline_reschedule(
            subject=record, kind=DeadlineKind.INSPECTION_REVIEW, start_date=submitted_on, reopen=True, actor=actor
        )


def on_record_reviewed(*, actor: User, record: InspectionRecord, approved: bool) -> None:
    """退回 (approved=False: the entry deadline reopens) or 通过 (ready for publication; may complete the task)."""
    if _active():
        deadline_complete(subject=record, kind=DeadlineKind.INSPECTION_REVIEW, actor=actor, when=record.reviewed_at)
        if not approved:
            # The duty to enter the results is due again, by the same statutory date (10 working days after
            # the inspection): a returned entry is not an entry.
            deadline_reschedule(subject=record, kind=DeadlineKind.RESULT_ENTRY, reopen=True, actor=actor)
    if approved:
        task_complete_if_reviewed(actor=actor, task=record.task)


def task_complete_if_reviewed(*, actor: User, task: Task) -> bool:
    """检查中 → 已完成 when every record of the task is 审核通过 or 作废 (at least one approved).

    The transition is the reviewer's, through planning's guarded ``task_transition`` (its permission check,
    ``TaskTransition`` row and audit entry). A reviewer without the planning permission (a 领导) leaves the
    task 检查中: the 双随机办 completes it with the task page's “检查完成”. Returns whether the task moved.
    """
    from shuangsuiji.inspections.models import InspectionRecord, RecordStatus

    task.refresh_from_db(fields=["state", "completed_at"])
    if task.state != TaskState.INSPECTING:
        return False
    records = InspectionRecord.objects.filter(task=task)
    if records.exclude(status__in=[RecordStatus.APPROVED, RecordStatus.CANCELLED]).exists():
        return False
    if not records.filter(status=RecordStatus.APPROVED).exists():
        return False
    if not has_perm(actor, Perm.PLAN_EDIT):
        return False
    if not actor.is_superuser and writable_owner_id(actor, Perm.PLAN_EDIT) != task.owner_id:
        return False
    task_transition(actor=actor, task=task, to_state=TaskState.COMPLETED, comment="一企一表已全部审核通过")
    return True


# ---------------------------------------------------------------------------------------- follow-up cases


def on_case_opened(*, actor: User, case: FollowUpCase) -> None:
    """A follow-up case was opened for a problem (its measures open their own deadlines)."""


def on_rectification_ordered(*, actor: User, case: FollowUpCase) -> None:
    """责令整改 with ``case.rectify_deadline``: remind before it, escalate when it passes without a 复查."""
    if not _active() or case.rectify_ordered_on is None or case.rectify_deadline is None:
        return
    from shuangsuiji.inspections.workdays import workdays_between

    workdays = max(1, workdays_between(case.rectify_ordered_on, case.rectify_deadline))
    inspector_user = case.inspector.user if case.inspector is not None else None
    responsible = responsible_in(case.owner, inspector_user) or responsible_in(case.owner, actor)
    deadline = deadline_open(
        subject=case, kind=DeadlineKind.RECTIFICATION, start_date=case.rectify_ordered_on, workdays=workdays,
        organization=case.owner, responsible=responsible, actor=actor,
    )
    if deadline.completed_at is not None or deadline.start_date != case.rectify_ordered_on:  # a new order
        deadline_reschedule(
            subject=case, kind=DeadlineKind.RECTIFICATION, start_date=case.rectify_ordered_on, workdays=workdays,
            reopen=True, actor=actor,
        )


def on_recheck_recorded(*, actor: User, case: FollowUpCase) -> None:
    """复查 recorded: complete the rectification deadline (on the re-check day)."""
    if _active() and case.recheck_on is not None:
        deadline_complete(subject=case, kind=DeadlineKind.RECTIFICATION, actor=actor, when=_local(case.recheck_on))


def on_penalty_decided(*, actor: User, case: FollowUpCase) -> None:
    """行政处罚决定: publish within 7 working days (``case.penalty_publish_deadline``)."""
    if not _active() or case.penalty_decided_on is None:
        return
    from shuangsuiji.inspections.followup import PENALTY_PUBLICATION_WORKDAYS

    deadline_open(
        subject=case, kind=DeadlineKind.PENALTY_PUBLICATION, start_date=case.penalty_decided_on,
        workdays=PENALTY_PUBLICATION_WORKDAYS, organization=case.owner, responsible=responsible_in(case.owner, actor),
        actor=actor,
    )


def on_case_closed(*, actor: User, case: FollowUpCase) -> None:
    """A case was closed with evidence. Its 整改 deadline was completed by the re-check (closing requires it);
    the penalty publication deadline stays until the decision is published."""
