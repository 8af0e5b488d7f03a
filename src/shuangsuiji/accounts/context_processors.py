"""Template context: demo marker, password-expiry warning, role-specific menu entries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.accounts.security import password_days_left, second_factor_enforced


def security(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"ssj_demo": settings.SSJ_DEMO, "ssj_2fa_enforced": second_factor_enforced()}
    if user is None or not user.is_authenticated:
        return context
    days_left = password_days_left(user)  # type: ignore[arg-type]
    if days_left is not None and 0 < days_left <= settings.PASSWORD_WARNING_DAYS:
        context["password_days_left"] = days_left
    nav: list[dict[str, Any]] = []
    if has_perm(user, Perm.SECURITY_MANAGE):  # type: ignore[arg-type]
        nav.append({"label": "账号安全", "url": "/accounts/security/users/"})
    if has_perm(user, Perm.AUDIT_READ):  # type: ignore[arg-type]
        nav.append({"label": "审计日志", "url": "/audit/"})
    for item in nav:
        item["active"] = request.path.startswith(item["url"])
    context["security_nav"] = nav
    return context
