"""Template context: demo marker and password-expiry warning (the menus are in accounts.navigation)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shuangsuiji.accounts.security import password_days_left, second_factor_enforced


def security(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"ssj_demo": settings.SSJ_DEMO, "ssj_2fa_enforced": second_factor_enforced()}
    if user is None or not user.is_authenticated:
        return context
    days_left = password_days_left(user)  # type: ignore[arg-type]
    if days_left is not None and 0 < days_left <= settings.PASSWORD_WARNING_DAYS:
        context["password_days_left"] = days_left
    return context
