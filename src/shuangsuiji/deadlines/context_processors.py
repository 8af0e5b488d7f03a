"""The bell in the navigation bar: the number of unread notifications (one query, only when rendered)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest


class UnreadCount:
    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def value(self) -> int:
        from shuangsuiji.deadlines.selectors import unread_notification_count

        return unread_notification_count(actor=self._user)

    def __str__(self) -> str:
        return str(self.value)


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadCount(user)}
