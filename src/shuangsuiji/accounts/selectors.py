"""Reads for the account pages: the security administrator's user list with lockout and 2FA state."""

from __future__ import annotations

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, bureau_member_org_ids, has_perm, user_bureau
from shuangsuiji.accounts.security import password_days_left
from shuangsuiji.common.exceptions import NotFoundError, PermissionDeniedError


def managed_users(*, actor: User) -> QuerySet[User]:
    """Users the security administrator manages: those of their bureau (all for a superuser)."""
    if not has_perm(actor, Perm.SECURITY_MANAGE):
        raise PermissionDeniedError("只有安全管理员可以管理账号")
    qs = User.objects.select_related("organization").order_by("organization__code", "username")
    if actor.is_superuser:
        return qs
    bureau = user_bureau(actor)
    if bureau is None:
        return qs.none()
    return qs.filter(organization_id__in=bureau_member_org_ids(bureau))


def managed_user_get(*, actor: User, pk: int) -> User:
    user = managed_users(actor=actor).filter(pk=pk).first()
    if user is None:
        raise NotFoundError("用户不存在或不在您的管理范围内")
    return user


@dataclass
class AccountRow:
    user: User
    locked: bool
    failures: int
    otp_enrolled: bool
    password_days_left: int | None


def account_rows(*, actor: User) -> list[AccountRow]:
    users = list(managed_users(actor=actor))
    names = [u.username for u in users]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures: dict[str, int] = {}
    for name, count in AccessAttempt.objects.filter(username__in=names, attempt_time__gte=since).values_list(
        "username", "failures_since_start"
    ):
        failures[name] = max(failures.get(name, 0), count)
    enrolled = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    return [
        AccountRow(
            user=u, locked=failures.get(u.username, 0) >= settings.AXES_FAILURE_LIMIT,
            failures=failures.get(u.username, 0), otp_enrolled=u.pk in enrolled,
            password_days_left=password_days_left(u),
        )
        for u in users
    ]
