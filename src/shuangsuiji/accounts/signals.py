"""Login, logout, failed logins and lockouts go to the audit log (who, when, from where)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from shuangsuiji.accounts import events
from shuangsuiji.accounts.security import SESSION_ENROLLED_KEY, has_confirmed_device
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.middleware import current_request_info


def _client_ip(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _audit(*, actor: Any, event: str, request: HttpRequest | None, changes: dict[str, Any]) -> None:
    info = current_request_info.get()
    token = None
    if info is None and request is not None:  # before RequestContextMiddleware ran (login view runs after it)
        token = current_request_info.set({"ip": _client_ip(request), "request_id": ""})
    try:
        with transaction.atomic():
            audit_record(actor=actor, event=event, target=actor, changes=changes)
    finally:
        if token is not None:
            current_request_info.reset(token)


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_ENROLLED_KEY] = has_confirmed_device(user)
    _audit(actor=user, event=events.AUTH_LOGIN, request=request, changes={})


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _audit(actor=user, event=events.AUTH_LOGOUT, request=request, changes={})


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    _audit(actor=None, event=events.AUTH_LOGIN_FAILED, request=request, changes={"username": username})


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    _audit(actor=None, event=events.AUTH_LOCKED_OUT, request=request, changes={"username": (username or "")[:150]})
