"""Who may do what with deadlines, 督办, 问责 and the calendar (on top of the data scope of ``accounts.scope``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.deadlines.models import Accountability, Supervision

CALENDAR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.PROGRAM_ADMIN})
# Who sees every 督办 of their scope (others see the ones addressed to them).
OVERSIGHT_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.LEADER, Role.SUPERVISOR})
# 问责 records are for leaders, the upper level's supervisors and the 双随机办.
ACCOUNTABILITY_VIEW_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.PROGRAM_ADMIN})
ACCOUNTABILITY_CONCLUDE_ROLES = frozenset({Role.LEADER, Role.PROGRAM_ADMIN})
# The responsible person's supervisors inside the bureau: they receive 督办.
SUPERVISOR_ROLES = (Role.LEADER, Role.PROGRAM_ADMIN)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_manage_calendar(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in CALENDAR_ROLES)


def require_calendar_manager(user: User) -> None:
    if not can_manage_calendar(user):
        raise PermissionDeniedError("只有系统管理员和双随机办管理员可以维护工作日历")


def is_oversight_viewer(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in OVERSIGHT_ROLES)


def can_view_accountability(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in ACCOUNTABILITY_VIEW_ROLES)


def require_accountability_viewer(user: User) -> None:
    if not can_view_accountability(user):
        raise PermissionDeniedError("问责记录仅领导、上级监督人员和双随机办可以查看")


def can_conclude_accountability(user: User, accountability: Accountability) -> bool:
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    bureau = user_bureau(user)
    return user.role in ACCOUNTABILITY_CONCLUDE_ROLES and bureau is not None and bureau.pk == accountability.owner_id


def can_answer_supervision(user: User, supervision: Supervision) -> bool:
    """The responsible person answers; with no responsible person, the bureau's 双随机办 does."""
    if not _active(user):
        return False
    if supervision.responsible_id is not None:
        return bool(supervision.responsible_id == user.pk)
    bureau = user_bureau(user)
    return user.role == Role.PROGRAM_ADMIN and bureau is not None and bureau.pk == supervision.owner_id


def bureau_unit_ids(bureau: Organization) -> list[int]:
    """The bureau and the 科室/监督所 under it (their users belong to the bureau's scope)."""
    ids = [bureau.pk]
    frontier = [bureau.pk]
    inner_kinds = (OrganizationKind.SECTION, OrganizationKind.SUPERVISION_INSTITUTE)
    for _ in range(4):  # bureau → 监督所 → 科室: a few levels at most
        frontier = list(
            Organization.objects.filter(parent_id__in=frontier, kind__in=inner_kinds).values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids
