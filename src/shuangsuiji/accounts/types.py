from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind login_required: `user` is our User model."""

    user: User  # type: ignore[assignment]
