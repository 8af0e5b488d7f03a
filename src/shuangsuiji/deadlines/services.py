"""Statutory deadlines and the reminder chain — the API the other features call.

Open a deadline when the event that starts it happens, complete it when the duty is done::

    from shuangsuiji.deadlines.models import DeadlineKind
    from shuangsuiji.deadlines.services import deadline_complete, deadline_open

    # a task was completed → its results must be public within 20 working days
    deadline_open(subject=task, kind=DeadlineKind.RESULT_PUBLICATION, start_date=completed_on,
                  organization=task.owner, responsible=user, actor=actor)
    # … later, when the results are published
    deadline_complete(subject=task, kind=DeadlineKind.RESULT_PUBLICATION, actor=actor)

Kinds and what to pass (values per region in ``DeadlineSettings``, see ``deadlines.rules``):

==========================  ===============================  ======================================
kind                        subject                          pass
==========================  ===============================  ======================================
ANNUAL_PLAN_FILING          AnnualPlan                       ``year`` (or a subject with ``.year``)
JOINT_PLAN_FILING           JointPlan                        ``year`` (or a subject with ``.year``)
DRAW_CONFIRMATION           the draw record                  ``start_date`` = day of the draw
RESULT_ENTRY                the inspection record            ``start_date`` = day of the inspection
INSPECTION_REVIEW           the inspection record            ``start_date`` = day of the submission
RESULT_PUBLICATION          Task                             ``start_date`` = day the task completed
PENALTY_PUBLICATION         the penalty decision             ``start_date`` = day of the decision
RECTIFICATION               the follow-up case               ``start_date`` = day of the order, ``workdays``
HALF_YEAR_REPORT            the report (or the AnnualPlan)   ``year``
ANNUAL_REPORT               the report (or the AnnualPlan)   ``year``
==========================  ===============================  ======================================

Any kind also accepts an explicit ``due_date`` instead (then no rule is applied), and a working-day kind a
``workdays`` of its own instead of the region's (the deadline still follows the calendar and is recomputed
with it). ``deadline_reschedule`` moves a deadline when its start becomes known (the inspection day of a
record opened with a provisional start) or reopens a completed one (a record 退回, a new 整改 order);
``deadline_withdraw`` removes the open deadline of a subject that no longer exists as a duty (a record
cancelled by a re-draw).

* ``deadline_open`` is **idempotent** per (subject, kind): a second call returns the existing deadline
  unchanged, so callers need not check first. It runs in the caller's transaction.
* ``deadline_complete`` returns ``None`` when the subject has no such deadline (nothing to do), and the
  already-completed deadline when called twice. Completing late records a 问责 (``Accountability``).
* Permission is the caller's business: the calling service has already checked that ``actor`` may do the
  action that opens or completes the deadline; ``actor`` (``None`` for the system) goes to the audit log.
* Dates use the database calendar (``deadlines.calendar.get_calendar``); a date in a year without the State
  Council notice is stored with ``provisional=True`` and a reason, and is recomputed by
  ``deadline_recompute_for_year`` as soon as an administrator adds that year.
* Status (未到期 / 临近 / 逾期 / 已完成) is derived from the dates as of a given day and never stored:
  ``Deadline.objects.with_status(today)``; counts for dashboards are in ``deadlines.selectors``.

The reminder chain (提醒 → 督办 → 问责) is run by ``deadlines.reminders.deadlines_scan`` (huey, daily).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.deadlines import events
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import (
    Accountability,
    AccountabilityStatus,
    AccountabilityTrigger,
    Deadline,
    DeadlineKind,
    EmailStatus,
    Notification,
    NotificationKind,
    Supervision,
    SupervisionStatus,
)
from shuangsuiji.deadlines.permissions import (
    SUPERVISOR_ROLES,
    bureau_unit_ids,
    can_answer_supervision,
    can_conclude_accountability,
)
from shuangsuiji.deadlines.rules import (
    FIXED_DATE_KINDS,
    WORKDAY_KINDS,
    DeadlineRules,
    compute_schedule,
    recompute_schedule,
    rules_for_organization,
)

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import Organization, User


# ---------------------------------------------------------------------------------------- deadlines


def _subject_lookup(subject: models.Model) -> dict[str, Any]:
    if subject.pk is None:
        raise ApplicationError("期限所属事项尚未保存")
    return {"content_type": ContentType.objects.get_for_model(subject), "object_id": subject.pk}


def _kind(kind: str) -> DeadlineKind:
    try:
        return DeadlineKind(kind)
    except ValueError:
        raise ApplicationError(f"未知的期限类型“{kind}”") from None


@transaction.atomic
def deadline_open(
    *,
    subject: models.Model,
    kind: str,
    organization: Organization,
    responsible: User | None = None,
    start_date: date | None = None,
    due_date: date | None = None,
    year: int | None = None,
    workdays: int | None = None,
    start_event: str | None = None,
    actor: User | None = None,
) -> Deadline:
    """Open the deadline ``kind`` of ``subject`` (idempotent: returns the existing one if any)."""
    kind = _kind(kind)
    lookup = _subject_lookup(subject)
    existing = Deadline.objects.filter(**lookup, kind=kind).first()
    if existing is not None:
        return existing
    owner = organization.bureau
    if responsible is not None and (
        responsible.organization is None or responsible.organization.bureau.pk != owner.pk
    ):
        raise ApplicationError(f"责任人“{responsible.display_name}”不属于{owner.name}")
    rules = rules_for_organization(organization)
    if year is None:
        subject_year = getattr(subject, "year", None)
        year = subject_year if isinstance(subject_year, int) else None
    schedule = compute_schedule(
        kind=kind, rules=rules, calendar=get_calendar(), start_date=start_date, due_date=due_date, year=year,
        workdays=workdays, start_event=start_event,
    )
    deadline = Deadline(
        owner=owner,
        organization=organization,
        subject_repr=str(subject)[:255],
        kind=kind,
        responsible=responsible,
        start_date=schedule.start_date,
        workdays=schedule.workdays,
        nominal_due=schedule.nominal_due,
        due_explicit=schedule.due_explicit,
        rule=schedule.rule,
        due_date=schedule.due.date,
        provisional=schedule.due.provisional,
        provisional_reason=schedule.due.reason or "",
        remind_workdays=schedule.remind_workdays,
        remind_on=schedule.remind_on,
        **lookup,
    )
    try:
        with transaction.atomic():
            deadline.save()
    except IntegrityError:  # opened concurrently by another request: same result as the early return
        return Deadline.objects.get(**lookup, kind=kind)
    audit_record(
        actor=actor, event=events.DEADLINE_OPEN, target=deadline, organization=owner,
        changes={
            "kind": kind.label, "subject": deadline.subject_repr, "due_date": deadline.due_date,
            "provisional": deadline.provisional, "responsible": responsible.display_name if responsible else "",
        },
    )
    return deadline


@transaction.atomic
def deadlines_open_many(
    *,
    kind: str,
    organization: Organization,
    subjects: Sequence[tuple[models.Model, date, User | None]],
    workdays: int | None = None,
    start_event: str | None = None,
    actor: User | None = None,
) -> int:
    """``deadline_open`` for many subjects of one model at once: (subject, start date, responsible) each.

    For bulk writers (the 一企一表 of a whole task): a few queries and **one** audit entry for the batch
    instead of a handful per subject. Idempotent like ``deadline_open``: subjects that already have the
    deadline are skipped. Returns how many deadlines were opened.
    """
    kind = _kind(kind)
    if not subjects:
        return 0
    content_type = ContentType.objects.get_for_model(subjects[0][0])
    if any(ContentType.objects.get_for_model(subject) != content_type or subject.pk is None for subject, _, _ in subjects):
        raise ApplicationError("批量开启期限的事项须为同一类型且已保存")
    existing = set(
        Deadline.objects.filter(
            content_type=content_type, object_id__in=[subject.pk for subject, _, _ in subjects], kind=kind
        ).values_list("object_id", flat=True)
    )
    owner = organization.bureau
    rules = rules_for_organization(organization)
    calendar = get_calendar()
    schedules: dict[date, Any] = {}
    rows: list[Deadline] = []
    for subject, start_date, responsible in subjects:
        if subject.pk in existing:
            continue
        existing.add(subject.pk)
        if responsible is not None and (
            responsible.organization is None or responsible.organization.bureau.pk != owner.pk
        ):
            raise ApplicationError(f"责任人“{responsible.display_name}”不属于{owner.name}")
        if start_date not in schedules:
            schedules[start_date] = compute_schedule(
                kind=kind, rules=rules, calendar=calendar, start_date=start_date, workdays=workdays,
                start_event=start_event,
            )
        schedule = schedules[start_date]
        rows.append(Deadline(
            owner=owner, organization=organization, subject_repr=str(subject)[:255], kind=kind,
            responsible=responsible, start_date=schedule.start_date, workdays=schedule.workdays,
            nominal_due=schedule.nominal_due, due_explicit=schedule.due_explicit, rule=schedule.rule,
            due_date=schedule.due.date, provisional=schedule.due.provisional,
            provisional_reason=schedule.due.reason or "", remind_workdays=schedule.remind_workdays,
            remind_on=schedule.remind_on, content_type=content_type, object_id=subject.pk,
        ))
    if not rows:
        return 0
    Deadline.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    audit_record(
        actor=actor, event=events.DEADLINE_OPEN, target=None, organization=owner,
        changes={
            "kind": kind.label, "count": len(rows), "subject_type": content_type.model,
            "subjects": [row.object_id for row in rows][:500],
            "due_dates": sorted({str(row.due_date) for row in rows}),
            "provisional": any(row.provisional for row in rows),
        },
    )
    return len(rows)


@transaction.atomic
def deadline_complete(
    *, subject: models.Model, kind: str, actor: User | None, when: datetime | None = None
) -> Deadline | None:
    """Mark the deadline done (idempotent). Late → 问责 record; an open 督办 is closed."""
    kind = _kind(kind)
    deadline = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("owner", "organization", "responsible")
        .filter(**_subject_lookup(subject), kind=kind)
        .first()
    )
    if deadline is None or deadline.completed_at is not None:
        return deadline
    when = when or timezone.now()
    completed_on = timezone.localdate(when)
    calendar = get_calendar()
    deadline.completed_at = when
    deadline.completed_on = completed_on
    deadline.completed_by = actor
    deadline.completed_late = completed_on > deadline.due_date
    deadline.late_workdays = max(0, calendar.workdays_between(deadline.due_date, completed_on))
    deadline.save(
        update_fields=["completed_at", "completed_on", "completed_by", "completed_late", "late_workdays", "updated_at"]
    )
    Supervision.objects.filter(deadline=deadline).exclude(status=SupervisionStatus.CLOSED).update(
        status=SupervisionStatus.CLOSED, closed_at=when
    )
    audit_record(
        actor=actor, event=events.DEADLINE_COMPLETE, target=deadline, organization=deadline.owner,
        changes={
            "completed_on": completed_on, "due_date": deadline.due_date,
            "completed_late": deadline.completed_late, "late_workdays": deadline.late_workdays,
        },
    )
    if deadline.completed_late:
        accountability_record(deadline=deadline, late_workdays=deadline.late_workdays, completed_on=completed_on)
    return deadline


@transaction.atomic
def deadline_reschedule(
    *,
    subject: models.Model,
    kind: str,
    start_date: date | None = None,
    due_date: date | None = None,
    workdays: int | None = None,
    start_event: str | None = None,
    reopen: bool = False,
    actor: User | None = None,
) -> Deadline | None:
    """Recompute the dates of ``subject``'s deadline from a new start (or an explicit due date).

    ``reopen`` also clears the completion of a completed deadline (the duty is due again: a record 退回, a new
    整改 order); without it a completed deadline is left as it is. Returns ``None`` when the subject has no
    such deadline. No change, no write: calling it twice is harmless. The 问责 of an earlier late completion
    stays on record.
    """
    kind = _kind(kind)
    deadline = (
        Deadline.objects.select_for_update(of=("self",)).select_related("organization")
        .filter(**_subject_lookup(subject), kind=kind).first()
    )
    if deadline is None or (deadline.completed_at is not None and not reopen):
        return deadline
    rules = rules_for_organization(deadline.organization)
    if start_date is None and due_date is None:
        schedule = recompute_schedule(
            get_calendar(), start_date=deadline.start_date, workdays=deadline.workdays,
            nominal_due=deadline.nominal_due, remind=rules.reminder_workdays, rule=deadline.rule,
            explicit_due=deadline.due_date if deadline.due_explicit else None,
        )
    else:
        schedule = compute_schedule(
            kind=kind, rules=rules, calendar=get_calendar(), start_date=start_date, due_date=due_date,
            workdays=workdays if workdays is not None else deadline.workdays, start_event=start_event,
        )
    new: dict[str, Any] = {
        "start_date": schedule.start_date, "workdays": schedule.workdays, "nominal_due": schedule.nominal_due,
        "due_explicit": schedule.due_explicit, "rule": schedule.rule, "due_date": schedule.due.date,
        "provisional": schedule.due.provisional, "provisional_reason": schedule.due.reason or "",
        "remind_workdays": schedule.remind_workdays, "remind_on": schedule.remind_on,
    }
    if deadline.suspended_workdays:  # time held by a 中止 (deadlines/suspension.py) stays added after a re-plan
        from shuangsuiji.deadlines.suspension import extended

        new.update(extended(new, deadline.suspended_workdays))
    if reopen and deadline.completed_at is not None:
        new.update(completed_at=None, completed_on=None, completed_by=None, completed_late=False, late_workdays=0)
    old = {name: getattr(deadline, name) for name in new}
    changed = {name: (old[name], value) for name, value in new.items() if old[name] != value}
    if not changed:
        return deadline
    for name, value in new.items():
        setattr(deadline, name, value)
    deadline.save(update_fields=[*new, "updated_at"])
    audit_record(
        actor=actor, event=events.DEADLINE_REOPEN if "completed_at" in changed else "deadline.reschedule",
        target=deadline, organization=deadline.owner,
        changes={key: changed[key] for key in ("due_date", "start_date", "provisional", "completed_at") if key in changed},
    )
    return deadline


@transaction.atomic
def deadline_withdraw(*, subject: models.Model, kind: str, reason: str, actor: User | None = None) -> bool:
    """Withdraw the open deadline ``kind`` of a subject whose duty lapsed (e.g. a record voided by a re-draw).

    An open deadline with neither 督办 nor 问责 is deleted (the audit entry keeps its dates and the reason);
    one already escalated is completed instead, so the escalation stays on record. A completed deadline, or
    none, is left alone. Returns whether a deadline was withdrawn.
    """
    kind = _kind(kind)
    deadline = (
        Deadline.objects.select_for_update(of=("self",)).filter(**_subject_lookup(subject), kind=kind).first()
    )
    if deadline is None or deadline.completed_at is not None:
        return False
    escalated = (
        Supervision.objects.filter(deadline=deadline).exists()
        or Accountability.objects.filter(deadline=deadline).exists()
    )
    audit_record(
        actor=actor, event=events.DEADLINE_WITHDRAW, target=deadline, organization=deadline.owner,
        changes={
            "kind": deadline.get_kind_display(), "subject": deadline.subject_repr, "due_date": deadline.due_date,
            "reason": reason, "escalated": escalated,
        },
    )
    if escalated:
        deadline_complete(subject=subject, kind=kind, actor=actor)
    else:
        deadline.delete()
    return True


@transaction.atomic
def deadline_recompute_for_year(*, year: int, actor: User | None = None) -> int:
    """Recompute the open deadlines a change of ``year``'s calendar may move; returns how many changed.

    Concerns every provisional deadline and those whose dates touch ``year`` (or the New Year spill-over into
    the previous December). Called by the calendar services after each change, in the same transaction.
    """
    calendar = get_calendar()
    years = [year - 1, year, year + 1]
    candidates = (
        Deadline.objects.open()
        .filter(
            Q(provisional=True)
            | Q(due_date__year__in=years)
            | Q(remind_on__year__in=years)
            | Q(start_date__year__in=years)
            | Q(nominal_due__year__in=years)
        )
        .select_for_update()
    )
    changed: list[int] = []
    for deadline in candidates:
        schedule = recompute_schedule(
            calendar, start_date=deadline.start_date, workdays=deadline.workdays, nominal_due=deadline.nominal_due,
            remind=deadline.remind_workdays, rule=deadline.rule,
            explicit_due=deadline.due_date if deadline.due_explicit else None,
        )
        new = {
            "due_date": schedule.due.date, "provisional": schedule.due.provisional,
            "provisional_reason": schedule.due.reason or "", "remind_on": schedule.remind_on,
        }
        if any(getattr(deadline, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(deadline, name, value)
            deadline.save(update_fields=[*new, "updated_at"])
            changed.append(deadline.pk)
    if changed:
        audit_record(
            actor=actor, event=events.DEADLINE_RECOMPUTE, target=None,
            changes={"year": year, "count": len(changed), "deadline_ids": changed[:200]},
        )
    return len(changed)


@transaction.atomic
def deadline_settings_save(*, actor: User, row: Any) -> int:
    """Save a region's 时限 (``DeadlineSettings``) and re-plan the open deadlines that followed the old limits.

    Only what came from the settings moves: a working-day limit equal to the old default (not one the business
    set itself, such as a 责令整改 period), a fixed date equal to the old one, the old reminder lead. Returns
    how many open deadlines changed; one audit entry for the settings and one for the re-plan.
    """
    from shuangsuiji.deadlines.permissions import require_calendar_manager

    require_calendar_manager(actor)
    candidates = Deadline.objects.open().select_for_update().select_related("organization__region")
    if row.region_id is not None:  # only the region and the regions below it follow this row
        candidates = candidates.filter(organization__region__path__startswith=row.region.path)
    open_deadlines = list(candidates)

    def rules_by_organization() -> dict[int, DeadlineRules]:
        units = {d.organization_id: d.organization for d in open_deadlines}
        return {pk: rules_for_organization(unit) for pk, unit in units.items()}

    before = rules_by_organization()
    old = type(row).objects.filter(pk=row.pk).first() if row.pk else None
    row.save()
    audit_record(
        actor=actor, event=events.DEADLINE_SETTINGS_SAVE, target=row,
        changes={f.name: (getattr(old, f.name, None), getattr(row, f.name)) for f in row._meta.concrete_fields
                 if f.name not in ("id", "updated_at") and getattr(old, f.name, None) != getattr(row, f.name)},
    )
    calendar = get_calendar()
    after = rules_by_organization()
    changed: list[int] = []
    for deadline in open_deadlines:
        old_rules, new_rules = before[deadline.organization_id], after[deadline.organization_id]
        if new_rules == old_rules or deadline.due_explicit:
            continue
        workdays, nominal = deadline.workdays, deadline.nominal_due
        if deadline.kind in WORKDAY_KINDS and workdays == old_rules.workdays_for(deadline.kind):
            workdays = new_rules.workdays_for(deadline.kind)
        if deadline.kind in FIXED_DATE_KINDS and nominal is not None and nominal == old_rules.fixed_date(
            deadline.kind, nominal.year
        ):
            nominal = new_rules.fixed_date(deadline.kind, nominal.year)
        remind = deadline.remind_workdays
        if remind == old_rules.reminder_workdays:
            remind = new_rules.reminder_workdays
        if (workdays, nominal, remind) == (deadline.workdays, deadline.nominal_due, deadline.remind_workdays):
            continue
        rule = deadline.rule
        if workdays != deadline.workdays and deadline.workdays is not None:
            rule = rule.replace(f"{deadline.workdays}个工作日", f"{workdays}个工作日")
        if nominal != deadline.nominal_due and nominal is not None:
            rule = f"{format_cn_date(nominal)}前（遇法定休假日顺延至下一个工作日）"
        schedule = recompute_schedule(
            calendar, start_date=deadline.start_date, workdays=workdays, nominal_due=nominal, remind=remind, rule=rule,
        )
        for name, value in {
            "workdays": schedule.workdays, "nominal_due": schedule.nominal_due, "rule": schedule.rule,
            "due_date": schedule.due.date, "provisional": schedule.due.provisional,
            "provisional_reason": schedule.due.reason or "", "remind_workdays": schedule.remind_workdays,
            "remind_on": schedule.remind_on,
        }.items():
            setattr(deadline, name, value)
        deadline.save()
        changed.append(deadline.pk)
    if changed:
        audit_record(
            actor=actor, event=events.DEADLINE_REPLAN, target=None,
            changes={"settings": str(row), "count": len(changed), "deadline_ids": changed[:200]},
        )
    return len(changed)


# ---------------------------------------------------------------------------------------- notifications


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str,
    key: str,
    url: str = "",
    deadline: Deadline | None = None,
) -> Notification | None:
    """Create the in-app notification ``key`` once (email follows via ``notification_send_emails``).

    Returns ``None`` when a notification with that key exists already: every caller can retry safely.
    """
    created = notifications_create(
        [notification_build(recipient=recipient, kind=kind, title=title, body=body, key=key, url=url,
                            deadline=deadline)]
    )
    return created[0] if created else None


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Reading one's own inbox is not a business state change: no audit entry."""
    if notification.recipient_id != actor.pk:
        raise PermissionDeniedError("只能处理本人的提醒")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: User) -> int:
    return Notification.objects.for_user(actor).unread().update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------- recipients


@dataclass
class BureauStaff:
    """The active 双随机办管理员 and 领导 of a bureau (its 科室 and 监督所 included): one query."""

    program_admins: list[User]
    leaders: list[User]

    @classmethod
    def of(cls, bureau: Organization) -> BureauStaff:

        users = list(
            User.objects.filter(
                is_active=True, role__in=SUPERVISOR_ROLES, organization_id__in=bureau_unit_ids(bureau)
            ).order_by("pk")
        )
        return cls(
            program_admins=[user for user in users if user.role == Role.PROGRAM_ADMIN],
            leaders=[user for user in users if user.role == Role.LEADER],
        )


def responsible_users(deadline: Deadline, staff: BureauStaff | None = None) -> list[User]:
    """Who is reminded: the responsible person, or (none or inactive) the bureau's 双随机办."""
    if deadline.responsible is not None and deadline.responsible.is_active:
        return [deadline.responsible]
    return list((staff or BureauStaff.of(deadline.owner)).program_admins)


def supervisors_of(deadline: Deadline, staff: BureauStaff | None = None) -> list[User]:
    """Who gets the 督办: the responsible person's own supervisor (the 领导 of their unit — their 科室 or the
    监督所 — else the bureau's 领导) and the 双随机办管理员; never the person."""
    staff = staff or BureauStaff.of(deadline.owner)
    unit_id = deadline.responsible.organization_id if deadline.responsible is not None else None
    direct = [user for user in staff.leaders if unit_id is not None and user.organization_id == unit_id]
    users = sorted([*(direct or staff.leaders), *staff.program_admins], key=lambda user: user.pk)
    return [user for user in users if user.pk != deadline.responsible_id]


def leaders_of(deadline: Deadline, staff: BureauStaff | None = None) -> list[User]:
    """Who is told about a 问责 record: every 领导 of the bureau, else its 双随机办."""
    staff = staff or BureauStaff.of(deadline.owner)
    leaders = [user for user in staff.leaders if user.pk != deadline.responsible_id]
    return leaders or supervisors_of(deadline, staff)


def notification_build(
    *, recipient: User, kind: str, title: str, body: str, key: str, url: str = "", deadline: Deadline | None = None
) -> Notification:
    """An unsaved notification, for ``notifications_create`` (batch) or ``notify`` (one)."""
    return Notification(
        recipient=recipient, kind=kind, title=title[:200], body=body, key=key[:160], url=url, deadline=deadline,
        email_status=EmailStatus.PENDING if recipient.email else EmailStatus.NO_ADDRESS,
    )


def notifications_create(notifications: list[Notification]) -> list[Notification]:
    """Insert the notifications whose key is new (two queries for the whole batch); returns those inserted.

    A key inserted concurrently between the check and the insert is skipped by ``ignore_conflicts``.
    """
    if not notifications:
        return []
    unique = {n.key: n for n in notifications}
    existing = set(Notification.objects.filter(key__in=list(unique)).values_list("key", flat=True))
    new = [n for key, n in unique.items() if key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return new


# ---------------------------------------------------------------------------------------- 督办 / 问责


def supervision_open(
    *, deadline: Deadline, overdue_workdays: int, staff: BureauStaff | None = None
) -> tuple[Supervision, bool]:
    """The 督办 of an overdue deadline (one per deadline); ``True`` when it was created now."""
    existing = Supervision.objects.filter(deadline=deadline).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(
                owner=deadline.owner, deadline=deadline, responsible=deadline.responsible,
                overdue_workdays=overdue_workdays,
            )
    except IntegrityError:
        return Supervision.objects.get(deadline=deadline), False
    supervision.addressees.set(supervisors_of(deadline, staff))
    audit_record(
        actor=None, event=events.UPPER_SUPERVISION_OPEN, target=supervision, organization=deadline.owner,
        changes={"deadline": str(deadline), "due_date": deadline.due_date, "overdue_workdays": overdue_workdays},
    )
    return supervision, True


@transaction.atomic
def supervision_answer(*, actor: User, supervision: Supervision, reason: str, promised_date: date) -> Supervision:
    """The responsible person explains the delay and promises a date; the supervisors are told."""
    supervision = Supervision.objects.select_for_update(of=("self",)).select_related("deadline").get(pk=supervision.pk)
    if not can_answer_supervision(actor, supervision):
        raise PermissionDeniedError("只有被督办的责任人可以答复督办")
    if supervision.status == SupervisionStatus.CLOSED:
        raise ApplicationError("该督办已办结，无需答复")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请填写逾期原因")
    today = timezone.localdate()
    if promised_date < today:
        raise ApplicationError(f"承诺完成日期不能早于今天（{format_cn_date(today)}）")
    old = {"answer_reason": supervision.answer_reason, "promised_date": supervision.promised_date}
    supervision.answer_reason = reason
    supervision.promised_date = promised_date
    supervision.answered_at = timezone.now()
    supervision.answered_by = actor
    supervision.status = SupervisionStatus.ANSWERED
    supervision.save(update_fields=["answer_reason", "promised_date", "answered_at", "answered_by", "status"])
    audit_record(
        actor=actor, event=events.UPPER_SUPERVISION_ANSWER, target=supervision, organization=supervision.owner,
        changes={"old": old, "answer_reason": reason, "promised_date": promised_date},
    )
    deadline = supervision.deadline
    for user in supervision.addressees.filter(is_active=True):
        notify(
            recipient=user, kind=NotificationKind.SUPERVISION_ANSWER, deadline=deadline,
            key=f"sup{supervision.pk}:answer:{supervision.answered_at.isoformat()}:{user.pk}",
            title=f"督办已答复：{deadline}",
            body=(
                f"{actor.display_name}答复了督办。逾期原因：{reason.rstrip('。.')}。"
                f"承诺于{format_cn_date(promised_date)}前完成。"
            ),
            url=supervision.get_absolute_url(),
        )
    transaction.on_commit(notification_send_emails_safely)
    return supervision


def accountability_record(
    *,
    deadline: Deadline,
    late_workdays: int,
    completed_on: date | None,
    staff: BureauStaff | None = None,
    outbox: list[Notification] | None = None,
) -> tuple[Accountability, bool]:
    """Create or update the 问责 record of ``deadline`` (system action; leaders are told once).

    Returns the record and whether it was created now. Notifications go to ``outbox`` when given (the scan
    inserts them in batches), else they are created at once.
    """
    existing = Accountability.objects.filter(deadline=deadline).first()
    if existing is not None:
        changed = existing.late_workdays != late_workdays or existing.completed_on != completed_on
        if changed:
            existing.late_workdays = late_workdays
            existing.completed_on = completed_on
            existing.save(update_fields=["late_workdays", "completed_on", "updated_at"])
        return existing, False
    trigger = AccountabilityTrigger.COMPLETED_LATE if completed_on else AccountabilityTrigger.OVERDUE
    accountability = Accountability.objects.create(
        owner=deadline.owner, deadline=deadline, person=deadline.responsible, organization=deadline.organization,
        what=str(deadline)[:255], due_date=deadline.due_date, completed_on=completed_on,
        late_workdays=late_workdays, trigger=trigger,
    )
    audit_record(
        actor=None, event=events.ACCOUNTABILITY_OPEN, target=accountability, organization=deadline.owner,
        changes={
            "deadline": str(deadline), "person": deadline.responsible.display_name if deadline.responsible else "",
            "late_workdays": late_workdays, "trigger": trigger.label,
        },
    )
    person = deadline.responsible.display_name if deadline.responsible else deadline.organization.name
    notices = [
        notification_build(
            recipient=user, kind=NotificationKind.ACCOUNTABILITY, deadline=deadline,
            key=f"dl{deadline.pk}:accountability:{user.pk}",
            title=f"失职问责：{deadline}",
            body=(
                f"{person}负责的“{deadline}”截止日期为{format_cn_date(deadline.due_date)}，"
                f"{trigger.label}，逾期{late_workdays}个工作日，已记录问责。"
            ),
            url=accountability.get_absolute_url(),
        )
        for user in leaders_of(deadline, staff)
    ]
    if outbox is not None:
        outbox.extend(notices)
    else:
        notifications_create(notices)
    return accountability, True


@transaction.atomic
def accountability_conclude(*, actor: User, accountability: Accountability, conclusion: str) -> Accountability:
    """A leader records how the case was handled (谈话提醒, 通报批评 …)."""
    accountability = Accountability.objects.select_for_update().get(pk=accountability.pk)
    if not can_conclude_accountability(actor, accountability):
        raise PermissionDeniedError("只有本单位领导或双随机办管理员可以填写处理意见")
    conclusion = conclusion.strip()
    if not conclusion:
        raise ApplicationError("请填写处理意见")
    old = accountability.conclusion
    accountability.conclusion = conclusion
    accountability.status = AccountabilityStatus.CONCLUDED
    accountability.concluded_by = actor
    accountability.concluded_at = timezone.now()
    accountability.save(update_fields=["conclusion", "status", "concluded_by", "concluded_at", "updated_at"])
    audit_record(
        actor=actor, event=events.ACCOUNTABILITY_CONCLUDE, target=accountability, organization=accountability.owner,
        changes={"conclusion": (old, conclusion)},
    )
    return accountability


# ---------------------------------------------------------------------------------------- email


def notification_send_emails(*, batch_size: int = 200) -> int:
    """Send every pending notification email once (Django email backend); returns how many were sent.

    Rows are locked while sending (``SKIP LOCKED`` on PostgreSQL) and marked in the same transaction, batch by
    batch, so two workers never send the same email, and a second run sends nothing.
    """
    sent = 0
    while True:
        batch_sent, batch_count = _send_email_batch(batch_size)
        sent += batch_sent
        if batch_count < batch_size:
            return sent


def _send_email_batch(limit: int) -> tuple[int, int]:
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.db import connection as db_connection

    base_url = getattr(settings, "SITE_URL", "").rstrip("/")
    sent = 0
    with transaction.atomic():
        qs = Notification.objects.filter(email_status=EmailStatus.PENDING).select_related("recipient")
        if db_connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        batch = list(qs.order_by("pk")[:limit])
        if not batch:
            return 0, 0
        mail = get_connection(fail_silently=False)
        now = timezone.now()
        for notification in batch:
            address = notification.recipient.email
            if not address:
                notification.email_status = EmailStatus.NO_ADDRESS
                continue
            link = f"\n\n查看：{base_url}{notification.url}" if notification.url else ""
            message = EmailMessage(
                subject=f"【双随机、一公开】{notification.title}",
                body=f"{notification.recipient.display_name}：\n\n{notification.body}{link}\n\n（系统自动发送，请勿回复）",
                to=[address],
                connection=mail,
            )
            try:
                message.send()
            except Exception as exc:  # any backend failure is recorded, not retried forever
                notification.email_status = EmailStatus.FAILED
                notification.email_error = str(exc)[:255]
            else:
                notification.email_status = EmailStatus.SENT
                notification.emailed_at = now
                sent += 1
        Notification.objects.bulk_update(batch, ["email_status", "emailed_at", "email_error"])
    return sent, len(batch)


def notification_send_emails_safely() -> None:
    """For ``on_commit``: a mail failure must not break the request that already committed."""
    try:
        notification_send_emails()
    except Exception:  # logged, never raised
        import logging

        logging.getLogger(__name__).exception("发送提醒邮件失败")
