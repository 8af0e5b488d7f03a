"""Who may do what in planning, beyond the generic `plan.edit` permission of accounts.scope.

- 合法性审查 of an annual plan: the same rule as the 抽查事项清单 (``accounts.legal.can_legal_review``, 玉溪 2020):
  the users of the bureau's 政策法规 section when it has one, otherwise its 双随机办 administrator.
- Approval (plan, 工作方案): a leader (领导) or the 双随机办 administrator of the bureau.
- Confirmation of a joint-plan part: a user of the participating department (its own users only).
"""

from __future__ import annotations

from shuangsuiji.accounts.legal import can_legal_review, legal_reviewer_text
from shuangsuiji.accounts.legal import (
    is_legal_section as is_legal_section,  # re-exported: demo code imports it from here
)
from shuangsuiji.accounts.models import Organization, Role, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, has_perm, user_bureau
from shuangsuiji.common.exceptions import PermissionDeniedError


def _same_bureau(user: User, owner_id: int) -> bool:
    bureau = user_bureau(user)
    return bureau is not None and bureau.pk == owner_id


def can_edit_plans(user: User, owner_id: int) -> bool:
    if user.is_superuser:
        return True
    return has_perm(user, Perm.PLAN_EDIT) and _same_bureau(user, owner_id)


def can_review(user: User, owner_id: int) -> bool:
    """合法性审查 of the bureau's plans: one rule with the 抽查事项清单's (``accounts.legal``)."""
    if user.is_superuser:
        return True
    bureau = Organization.objects.filter(pk=owner_id).first()
    return bureau is not None and can_legal_review(user, bureau)


def can_approve(user: User, owner_id: int) -> bool:
    if user.is_superuser:
        return True
    if not user.is_active or not _same_bureau(user, owner_id):
        return False
    return user.role in (Role.LEADER, Role.PROGRAM_ADMIN)


def can_confirm_for(user: User, organization: Organization) -> bool:
    if user.is_superuser:
        return True
    if not user.is_active or not _same_bureau(user, organization.bureau.pk):
        return False
    return has_perm(user, Perm.PLAN_EDIT) or user.role == Role.LEADER


def require_plan_edit(user: User, owner_id: int) -> None:
    check_can_edit(user, owner_id, Perm.PLAN_EDIT)


def require_review(user: User, owner_id: int) -> None:
    if not can_review(user, owner_id):
        bureau = Organization.objects.filter(pk=owner_id).first()
        who = legal_reviewer_text(bureau) if bureau is not None else "本单位政策法规科室人员"
        raise PermissionDeniedError(f"抽查计划的合法性审查须由{who}进行")


def require_approve(user: User, owner_id: int) -> None:
    if not can_approve(user, owner_id):
        raise PermissionDeniedError("只有本单位领导或双随机办管理员可以批准")


def require_confirm_for(user: User, organization: Organization) -> None:
    if not can_confirm_for(user, organization):
        raise PermissionDeniedError(f"只有“{organization.name}”的工作人员可以确认本部门的抽查内容")
