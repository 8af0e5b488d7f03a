"""Data scope and permissions — the one place that decides who may read or change what.

A record is owned by a bureau-level organization (卫健局 or another department). A user reads the data
of their own bureau and, read-only, of the same-line bureaus in the regions below theirs (the upper level
supervises its subordinates). A user changes only their own bureau's data, and only with a role that
holds the permission.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role
from shuangsuiji.common.exceptions import NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


class Perm(StrEnum):
    LIBRARY_EDIT = "library.edit"  # 一单两库: items, targets, inspectors, conflicts
    LIBRARY_VIEW_PERSONAL = "library.view_personal"  # see ID numbers and phones unmasked
    USERS_MANAGE = "users.manage"
    SECURITY_MANAGE = "security.manage"  # lockouts, password resets, 2FA resets, (de)activation
    PLAN_EDIT = "plan.edit"
    DRAW_RUN = "draw.run"
    INSPECTION_ENTER = "inspection.enter"
    AUDIT_READ = "audit.read"


# 三权分立: the system administrator runs the system but cannot read the audit log; the security
# administrator manages accounts and their protection; the audit administrator only reads the log.
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SYSTEM_ADMIN: frozenset({Perm.USERS_MANAGE}),
    Role.SECURITY_ADMIN: frozenset({Perm.USERS_MANAGE, Perm.SECURITY_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_READ}),
    Role.PROGRAM_ADMIN: frozenset(
        {Perm.LIBRARY_EDIT, Perm.LIBRARY_VIEW_PERSONAL, Perm.PLAN_EDIT, Perm.DRAW_RUN, Perm.INSPECTION_ENTER}
    ),
    Role.SECTION_STAFF: frozenset({Perm.LIBRARY_EDIT, Perm.PLAN_EDIT, Perm.INSPECTION_ENTER}),
    Role.INSPECTOR: frozenset({Perm.INSPECTION_ENTER}),
    Role.LEADER: frozenset(),
    Role.SUPERVISOR: frozenset(),
}

# Permissions a superuser flag does not grant: only the role does (the audit log is read by the audit
# administrator alone, so a technical superuser cannot read or cover their own traces).
ROLE_ONLY_PERMISSIONS = frozenset({Perm.AUDIT_READ})

BUREAU_KINDS = (OrganizationKind.HEALTH_BUREAU, OrganizationKind.OTHER_DEPARTMENT)


def has_perm(user: User, perm: Perm) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and perm not in ROLE_ONLY_PERMISSIONS:
        return True
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def require_perm(user: User, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDeniedError("您的角色无权执行此操作")


def user_bureau(user: User) -> Organization | None:
    if not user.is_authenticated or user.organization_id is None:
        return None
    cached = getattr(user, "_ssj_bureau", None)
    if cached is None:
        assert user.organization is not None
        cached = user.organization.bureau
        user._ssj_bureau = cached  # type: ignore[attr-defined]
    return cached


def readable_owner_ids(user: User) -> list[int] | None:
    """Ids of the bureaus whose data `user` may read; None means everything (superuser)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, "_ssj_readable", None)
    if cached is not None:
        return list(cached)
    bureau = user_bureau(user)
    if bureau is None:
        return []
    subordinate = Organization.objects.filter(
        kind__in=BUREAU_KINDS,
        system=bureau.system,
        region__path__startswith=bureau.region.path,
    ).exclude(region_id=bureau.region_id)
    ids = [bureau.pk, *subordinate.values_list("pk", flat=True)]
    user._ssj_readable = ids  # type: ignore[attr-defined]
    return ids


def writable_owner_id(user: User, perm: Perm) -> int | None:
    """The bureau `user` may change data of with `perm`, or None."""
    if not has_perm(user, perm):
        return None
    bureau = user_bureau(user)
    return bureau.pk if bureau is not None else None


ModelT = TypeVar("ModelT", bound=models.Model)


class OwnedQuerySet(models.QuerySet[ModelT]):
    """QuerySet for models with an `owner` bureau: scope filters live here, nowhere else."""

    owner_field = "owner_id"

    def visible_to(self, user: User) -> OwnedQuerySet[ModelT]:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.owner_field}__in": ids})

    def editable_by(self, user: User, perm: Perm) -> OwnedQuerySet[ModelT]:
        if user.is_authenticated and user.is_superuser:
            return self
        owner_id = writable_owner_id(user, perm)
        if owner_id is None:
            return self.none()
        return self.filter(**{self.owner_field: owner_id})


def get_visible_or_404(queryset: OwnedQuerySet[Any], user: User, **lookup: Any) -> Any:
    obj = queryset.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise NotFoundError("对象不存在或不在您的数据范围内")
    return obj


def check_can_edit(user: User, owner_id: int, perm: Perm) -> None:
    """Re-checked by every service before it writes."""
    require_perm(user, perm)
    if user.is_superuser:
        return
    if writable_owner_id(user, perm) != owner_id:
        raise PermissionDeniedError("该数据不属于本单位，您只能查看不能修改")


def bureau_member_org_ids(bureau: Organization) -> list[int]:
    """The bureau and its 科室/监督所 (the units whose users and records belong to the bureau)."""
    ids = [bureau.pk]
    frontier = [bureau.pk]
    while frontier:
        children = list(
            Organization.objects.filter(parent_id__in=frontier)
            .filter(kind__in=(OrganizationKind.SECTION, OrganizationKind.SUPERVISION_INSTITUTE))
            .values_list("pk", flat=True)
        )
        ids.extend(children)
        frontier = children
    return ids


def bureau_for_write(user: User, perm: Perm) -> Organization:
    """The bureau new records of `user` belong to."""
    require_perm(user, perm)
    bureau = user_bureau(user)
    if bureau is None:
        raise PermissionDeniedError("您的账号未关联单位，不能录入数据")
    return bureau
