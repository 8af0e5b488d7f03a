"""Authentication backend: Django's model backend, refusing demo accounts outside the demo set-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.SSJ_DEMO:
            return False
        return super().user_can_authenticate(user)
