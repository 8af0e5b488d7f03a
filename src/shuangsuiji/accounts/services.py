"""Writes on accounts: API tokens, passwords, second factor, and the security administrator's actions
(users themselves are created in the admin and by the demo loader)."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuangsuiji.accounts import events
from shuangsuiji.accounts.models import ApiToken, User
from shuangsuiji.accounts.scope import Perm, require_perm, user_bureau, writable_owner_id
from shuangsuiji.accounts.security import require_second_factor_for
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its plain value (shown once)."""
    if not actor.is_authenticated or not actor.is_active:
        raise ApplicationError("账号不可用")
    plain = "ssj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip() or "接口访问", key_hash=hash_token(plain))
    require_second_factor_for(actor, "api_token.create")
    audit_record(actor=actor, event=events.API_TOKEN_CREATE, target=token, changes={"name": token.name})
    return token, plain


# ---------------------------------------------------------------- passwords and second factor


@transaction.atomic
def password_change(*, actor: User, new_password: str) -> User:
    """The user changes their own password (validated by the caller's form against the policy)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError("；".join(exc.messages)) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    actor.password = user.password
    actor.must_change_password = False
    actor.password_changed_at = user.password_changed_at
    audit_record(actor=actor, event=events.PASSWORD_CHANGE, target=user)
    return user


@transaction.atomic
def otp_device_start(*, actor: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the set-up page (reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="手机验证器", confirmed=False)
        audit_record(actor=actor, event=events.OTP_SETUP_START, target=actor)
    return device


@transaction.atomic
def otp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    if device.confirmed:
        raise ApplicationError("该验证器已启用")
    if not device.verify_token(token.strip()):
        raise ApplicationError("动态验证码不正确，请核对手机时间后重新输入")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    audit_record(actor=actor, event=events.OTP_ENROLL, target=actor)
    return device


# ---------------------------------------------------------------- security administrator


def _managed_user(*, actor: User, user: User) -> User:
    """Re-check that `actor` may manage `user` (security administrator of the same bureau)."""
    owner_id = writable_owner_id(actor, Perm.SECURITY_MANAGE)
    if not actor.is_superuser:
        require_perm(actor, Perm.SECURITY_MANAGE)
        bureau = user_bureau(user)
        if owner_id is None or bureau is None or bureau.pk != owner_id:
            raise NotFoundError("用户不存在或不在您的管理范围内")
    return user


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> int:
    """Clear django-axes failures (the lockout) of `user`."""
    from axes.utils import reset

    _managed_user(actor=actor, user=user)
    cleared = reset(username=user.get_username())
    audit_record(actor=actor, event=events.ACCOUNT_UNLOCK, target=user, changes={"cleared_attempts": cleared})
    return cleared


def temporary_password() -> str:
    """12 characters with all four classes, no ambiguous characters."""
    alphabet = [
        "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "@#%+=?!",
    ]
    chars = [secrets.choice(group) for group in alphabet]
    every = "".join(alphabet)
    chars += [secrets.choice(every) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def account_password_reset(*, actor: User, user: User) -> str:
    """Set a temporary password (returned once) that must be changed at the next login."""
    from axes.utils import reset

    _managed_user(actor=actor, user=user)
    if user.pk == actor.pk:
        raise ApplicationError("不能重置自己的密码，请使用“修改密码”")
    user = User.objects.select_for_update().get(pk=user.pk)
    plain = temporary_password()
    user.set_password(plain)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    reset(username=user.get_username())
    audit_record(actor=actor, event=events.ACCOUNT_PASSWORD_RESET, target=user)
    return plain


@transaction.atomic
def account_otp_reset(*, actor: User, user: User) -> int:
    """Remove the user's TOTP devices (lost phone): they enrol again at the next login."""
    _managed_user(actor=actor, user=user)
    count = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, event=events.ACCOUNT_OTP_RESET, target=user, changes={"devices": count})
    return count


@transaction.atomic
def account_set_active(*, actor: User, user: User, active: bool) -> User:
    _managed_user(actor=actor, user=user)
    if user.pk == actor.pk:
        raise ApplicationError("不能停用自己的账号")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor, event=events.ACCOUNT_ACTIVATE if active else events.ACCOUNT_DEACTIVATE, target=user,
        changes={"is_active": (not active, active)},
    )
    return user
