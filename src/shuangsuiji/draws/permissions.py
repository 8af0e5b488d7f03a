"""Who may do what with draws, on top of accounts.scope (which decides the bureau)."""

from __future__ import annotations

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, has_perm, user_bureau
from shuangsuiji.common.exceptions import PermissionDeniedError

# 双人确认: a second person of the 抽查部门 who works on plans/draws or leads it.
CONFIRM_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER})
# Approval of a re-draw: a leader or a 双随机办 administrator.
APPROVE_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.LEADER})


def _in_bureau(user: User, owner_id: int) -> bool:
    if user.is_superuser:
        return True
    bureau = user_bureau(user)
    return bureau is not None and bureau.pk == owner_id


def check_can_run(user: User, owner_id: int) -> None:
    """Freeze, draw, match, re-match, request a re-draw: 双随机办 (Perm.DRAW_RUN) of the owning bureau."""
    check_can_edit(user, owner_id, Perm.DRAW_RUN)


def can_run(user: User, owner_id: int) -> bool:
    return has_perm(user, Perm.DRAW_RUN) and _in_bureau(user, owner_id)


def can_confirm(user: User, owner_id: int) -> bool:
    return user.is_active and (user.is_superuser or user.role in CONFIRM_ROLES) and _in_bureau(user, owner_id)


def check_can_confirm(user: User, owner_id: int) -> None:
    if not can_confirm(user, owner_id):
        raise PermissionDeniedError("只有抽查部门的双随机办、科室人员或领导可以确认抽取结果")


def can_approve(user: User, owner_id: int) -> bool:
    return user.is_active and (user.is_superuser or user.role in APPROVE_ROLES) and _in_bureau(user, owner_id)


def check_can_approve(user: User, owner_id: int) -> None:
    if not can_approve(user, owner_id):
        raise PermissionDeniedError("只有本单位领导或双随机办管理员可以审批重新抽取")
