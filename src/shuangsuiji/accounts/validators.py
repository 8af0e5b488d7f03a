"""Password policy (等保2.0 三级): length (Django's validator), character classes, no reuse, history.

`PasswordHistoryValidator.password_changed` is Django's hook called after every real password change
(not on hasher upgrades): it stores the new hash and the change time that drives the 90-day expiry.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

CLASS_NAMES = ("大写字母", "小写字母", "数字", "特殊符号")


def character_classes(password: str) -> int:
    """How many of the four classes (upper, lower, digit, other) the password uses."""
    has_upper = any(c.isupper() for c in password)
    has_lower = any(c.islower() for c in password)
    has_digit = any(c in string.digits for c in password)
    has_other = any(not (c.isalnum()) for c in password)
    return sum((has_upper, has_lower, has_digit, has_other))


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, other symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须至少包含{'、'.join(CLASS_NAMES)}中的 {self.min_classes} 类字符",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须至少包含{'、'.join(CLASS_NAMES)}中的 {self.min_classes} 类字符。"


class PasswordHistoryValidator:
    """The new password must differ from the last `history` passwords (the current one included)."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return
        from shuangsuiji.accounts.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user_id=user.pk).values_list("password_hash", flat=True)
        hashes = list(recent[: self.history])
        if user.password and user.has_usable_password():
            hashes.append(user.password)
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(f"新密码不能与最近 {self.history} 次使用过的密码相同", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近 {self.history} 次使用过的密码相同。"

    def password_changed(self, password: str, user: User) -> None:
        from shuangsuiji.accounts.models import PasswordHistory, User

        if user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user_id=user.pk, password_hash=user.password)
        keep = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[: self.history]
        )
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=keep).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
