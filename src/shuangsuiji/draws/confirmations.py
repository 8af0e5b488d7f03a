"""Per-department confirmation of a joint draw (issue 18 item 6; 莲池 2023: "由抽查部门系统管理员在两个工作日内完成比对
和确认"). Each participating department confirms its part on its own, with its own deadline and reminders (the
deadlines engine: kind 抽取结果确认, subject = the department's confirmation); the draw becomes 已确认 when the
发起部门's 双人确认 and every department's confirmation are in (``draw_finish_if_complete``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.models import DeadlineKind
from shuangsuiji.deadlines.services import deadline_complete, deadline_open
from shuangsuiji.directory.models import Target
from shuangsuiji.draws.models import DepartmentConfirmation, DrawnTarget, DrawStatus, TargetDraw
from shuangsuiji.draws.pool import task_scopes

CONFIRM_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER})


def open_department_confirmations(draw: TargetDraw, *, actor: User) -> list[DepartmentConfirmation]:
    """After a joint draw: one confirmation per participating department, each with its 2-working-day deadline."""
    task = draw.task
    drawn_on = timezone.localdate(draw.drawn_at) if draw.drawn_at else timezone.localdate()
    picked = list(DrawnTarget.objects.filter(draw=draw).values_list("target__code", flat=True))
    made = []
    for scope in task_scopes(task)[1:]:  # the first scope is the 发起部门 (its 双人确认 is draw_confirm)
        org = scope.organization
        specialties = Target.specialties.through.objects.filter(specialty_id__in=scope.specialty_ids)
        mine = Target.objects.filter(code__in=picked).filter(
            pk__in=specialties.values("target_id")
        ) if scope.specialty_ids else Target.objects.none()
        owned = set(Target.objects.filter(code__in=picked, owner=org).values_list("code", flat=True))
        count = len(set(mine.values_list("code", flat=True)) | owned)
        confirmation = DepartmentConfirmation.objects.create(
            owner_id=draw.owner_id, draw=draw, organization=org, target_count=count,
        )
        deadline = deadline_open(
            subject=confirmation, kind=DeadlineKind.DRAW_CONFIRMATION, start_date=drawn_on, organization=org,
            responsible=None, actor=actor,
        )
        confirmation.due_date = deadline.due_date
        confirmation.save(update_fields=["due_date"])
        made.append(confirmation)
    return made


def pending_departments(draw: TargetDraw) -> list[str]:
    return [
        c.organization.name
        for c in draw.department_confirmations.filter(confirmed_at__isnull=True).select_related("organization")
    ]


def can_confirm_part(user: User, confirmation: DepartmentConfirmation) -> bool:
    if not user.is_active or (not user.is_superuser and user.role not in CONFIRM_ROLES):
        return False
    bureau = user_bureau(user)
    return user.is_superuser or (bureau is not None and bureau.pk == confirmation.organization.bureau.pk)


@transaction.atomic
def department_confirm(*, actor: User, confirmation: DepartmentConfirmation, comment: str = "") -> DepartmentConfirmation:
    """A participating department confirms its part of the drawn list (its own users only)."""
    confirmation = (
        DepartmentConfirmation.objects.select_for_update(of=("self",))
        .select_related("organization", "draw", "draw__task")
        .get(pk=confirmation.pk)
    )
    if not can_confirm_part(actor, confirmation):
        raise PermissionDeniedError(f"只有“{confirmation.organization.name}”的管理员、科室人员或领导可以确认本部门的抽取结果")
    if confirmation.confirmed_at is not None:
        raise ApplicationError(f"{confirmation.organization.name}已确认，无需重复确认")
    draw = TargetDraw.objects.select_for_update().get(pk=confirmation.draw_id)
    if draw.status != DrawStatus.DRAWN:
        raise ApplicationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能确认")
    late = confirmation.due_date is not None and timezone.localdate() > confirmation.due_date
    confirmation.confirmed_by, confirmation.confirmed_at = actor, timezone.now()
    confirmation.comment = comment.strip()[:255]
    confirmation.save(update_fields=["confirmed_by", "confirmed_at", "comment", "updated_at"])
    deadline_complete(subject=confirmation, kind=DeadlineKind.DRAW_CONFIRMATION, actor=actor, when=confirmation.confirmed_at)
    audit_record(
        actor=actor, event="draw.department_confirm", target=draw,
        changes={"department": confirmation.organization.name, "late": late, "comment": confirmation.comment,
                 "pending": pending_departments(draw)},
    )
    return confirmation


def close_department_confirmations(draw: TargetDraw, *, actor: User) -> None:
    """A re-draw replaced the draw: the departments' duties to confirm it are gone."""
    for confirmation in draw.department_confirmations.filter(confirmed_at__isnull=True):
        deadline_complete(subject=confirmation, kind=DeadlineKind.DRAW_CONFIRMATION, actor=actor)
