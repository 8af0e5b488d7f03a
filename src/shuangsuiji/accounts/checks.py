"""System checks for a production deployment (`manage.py check --deploy`, `check --database default`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Detects the development key; not a secret (security/bandit-justifications.md)
DEV_SECRET_KEY_PREFIX = "dev-only-insecure-key"  # nosec B105


@register(Tags.security, deploy=True)
def production_settings_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.SSJ_DEMO:
        errors.append(Error("生产环境不得启用演示模式", hint="设置 SSJ_PRODUCTION=1（演示模式随之关闭）", id="ssj.E001"))
    if not settings.SSJ_REQUIRE_2FA:
        errors.append(Error("生产环境必须启用双因素认证", hint="不要设置 SSJ_REQUIRE_2FA=0", id="ssj.E002"))
    if str(settings.SECRET_KEY).startswith(DEV_SECRET_KEY_PREFIX):
        errors.append(Error("SECRET_KEY 仍是开发用默认值", hint="设置环境变量 SSJ_SECRET_KEY", id="ssj.E003"))
    if settings.FIELD_ENCRYPTION_KEY == settings.DEV_FIELD_ENCRYPTION_KEY:
        errors.append(Error("个人信息加密密钥仍是开发用默认值", hint="设置环境变量 SSJ_FIELD_KEY", id="ssj.E004"))
    if settings.TREE_SIGNING_KEY == settings.DEV_TREE_SIGNING_KEY:
        errors.append(
            Error("透明日志签名密钥仍是开发用默认值", hint="设置环境变量 SSJ_TREE_SIGNING_KEY", id="ssj.E005")
        )
    if settings.RISK_COMMITMENT_KEY == settings.DEV_RISK_COMMITMENT_KEY:
        # with a known key anyone could derive the salts and try the four classes against the commitments
        errors.append(
            Error("风险等级承诺密钥仍是开发用默认值", hint="设置环境变量 SSJ_RISK_COMMITMENT_KEY", id="ssj.E006")
        )
    return errors


@register(Tags.database)
def demo_accounts_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Runs with `check --database default`: no active demo account outside the demo set-up."""
    if settings.SSJ_DEMO or not kwargs.get("databases"):
        return []
    from django.db import DatabaseError

    from shuangsuiji.accounts.models import User

    try:
        names = list(User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)[:10])
    except DatabaseError:
        return []
    if not names:
        return []
    return [
        Error(
            f"生产环境存在启用的演示账号：{'、'.join(names)}",
            hint="停用或删除演示账号（演示账号在生产环境无法登录）",
            id="ssj.E010",
        )
    ]
