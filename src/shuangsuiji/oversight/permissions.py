"""Who may see the statistics and write the register and reports (on top of the data scope of ``accounts.scope``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)

# Dashboards, statistics and drill-down lists: the people who run and supervise the work.
STATISTICS_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.SECTION_STAFF, Role.LEADER, Role.SUPERVISOR})
# The 双随机办 keeps the register and writes and submits the reports of its own bureau.
REPORT_EDIT_ROLES = frozenset({Role.PROGRAM_ADMIN})


def can_view_statistics(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in STATISTICS_ROLES)


def require_statistics_viewer(user: User) -> None:
    if not can_view_statistics(user):
        raise PermissionDeniedError("统计与报表仅双随机办、科室人员、领导和上级监督人员可以查看")


def can_edit_reports(user: User, owner_id: int | None = None) -> bool:
    """May write the register and the reports of ``owner_id`` (default: of their own bureau)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    bureau = user_bureau(user)
    if user.role not in REPORT_EDIT_ROLES or bureau is None:
        return False
    return owner_id is None or bureau.pk == owner_id


def require_report_editor(user: User, owner_id: int) -> None:
    if not can_edit_reports(user, owner_id):
        raise PermissionDeniedError("只有本单位双随机办管理员可以修改登记信息和报表，上级单位只能查看")
