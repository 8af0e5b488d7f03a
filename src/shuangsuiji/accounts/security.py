"""Account security rules applied to every request, and the second-factor guard for sensitive actions.

- Administrators (system, security, audit, program administrators and superusers) must pass the TOTP
  second factor (django-otp) before any page; other users once they have enrolled a device.
- Publishing and confirming a draw need a verified second factor whoever does it: views use
  `require_verified_2fa` (or `Verified2FARequiredMixin`), services `ensure_second_factor(actor)`, and
  `audit_record` refuses a sensitive event (`is_sensitive_event`) from an unverified web session, so a
  new view that forgets the decorator is still refused.
- Expired passwords (90 days) and passwords reset by the security administrator must be changed first.
- In production (`SSJ_DEMO` off) demo accounts cannot log in and their sessions are ended.

With `SSJ_REQUIRE_2FA` off (the demo set-up) the second factor is not enforced; pages show it.
"""

from __future__ import annotations

import datetime
import fnmatch
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from shuangsuiji.accounts.models import Role
from shuangsuiji.common.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

SECOND_FACTOR_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.PROGRAM_ADMIN}
)
# Audit events that need a verified second factor when they come from a web request: confirming a draw or
# match and everything that publishes or withholds (公示 of results and penalties, 依法不予公开). Other apps add
# theirs with `register_sensitive_event`.
SENSITIVE_EVENT_PATTERNS: list[str] = [
    "*.publish", "*.*_publish", "*.confirm", "*.confirm_*", "*.result_withhold", "api_token.create",
]
SESSION_ENROLLED_KEY = "ssj_2fa_enrolled"
SESSION_SEEN_KEY = "ssj_seen"
SECOND_FACTOR_MESSAGE = "此操作需要双因素认证：请先输入手机验证器（TOTP）上的动态验证码"

# Set per web request by the middleware: a callable telling whether the request passed the second
# factor. None outside web requests (CLI, background jobs): those run with server access already.
current_second_factor: ContextVar[Callable[[], bool] | None] = ContextVar("current_second_factor", default=None)

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponse])


def register_sensitive_event(pattern: str) -> None:
    """Mark audit events (fnmatch pattern) as needing a verified second factor."""
    if pattern not in SENSITIVE_EVENT_PATTERNS:
        SENSITIVE_EVENT_PATTERNS.append(pattern)


def is_sensitive_event(event: str) -> bool:
    return any(fnmatch.fnmatchcase(event, pattern) for pattern in SENSITIVE_EVENT_PATTERNS)


def second_factor_enforced() -> bool:
    return bool(getattr(settings, "SSJ_REQUIRE_2FA", True))


def role_requires_second_factor(user: User) -> bool:
    return bool(user.is_superuser or user.role in SECOND_FACTOR_ROLES)


def has_confirmed_device(user: User) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


def is_verified(user: Any) -> bool:
    checker = getattr(user, "is_verified", None)
    return bool(checker()) if callable(checker) else False


def request_is_verified(request: HttpRequest) -> bool:
    """True when the request's user passed the second factor. An API token counts as verified: tokens are
    created only from a verified session (`api_token.create` is a sensitive event)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    checker = getattr(user, "is_verified", None)
    if checker is None:  # authenticated by an API token, not by the session
        return True
    return bool(checker())


def ensure_second_factor(actor: User | None) -> None:
    """For services: refuse when the current web request has not passed the second factor."""
    if not second_factor_enforced() or actor is None:
        return
    check = current_second_factor.get()
    if check is not None and not check():
        raise PermissionDeniedError(SECOND_FACTOR_MESSAGE)


def require_second_factor_for(actor: User | None, event: str) -> None:
    """Called by every service that writes a sensitive event (publishing, confirming a draw …), before its
    audit entry: refused from a web request without a verified second factor, whatever view called it.
    The audit log itself only records (it is a leaf below accounts)."""
    if is_sensitive_event(event):
        ensure_second_factor(actor)


def _safe_next(request: HttpRequest) -> str:
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect:
    user = request.user
    enrolled = request.session.get(SESSION_ENROLLED_KEY)
    if enrolled is None:
        enrolled = has_confirmed_device(user)  # type: ignore[arg-type]
        request.session[SESSION_ENROLLED_KEY] = enrolled
    name = "accounts:otp_verify" if enrolled else "accounts:otp_setup"
    return HttpResponseRedirect(reverse(name) + "?" + urlencode({"next": _safe_next(request)}))


def require_verified_2fa(view: ViewT) -> ViewT:
    """View decorator for sensitive actions (publish, confirm a draw): sends an unverified user to the
    TOTP page first (set-up if they have no device yet) and back afterwards."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if second_factor_enforced() and not request_is_verified(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": SECOND_FACTOR_MESSAGE}, status=403)
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


# The name other apps use for the decorator.
otp_required_for_sensitive = require_verified_2fa


class Verified2FARequiredMixin:
    """Class-based view version of `require_verified_2fa`."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = super().dispatch  # type: ignore[misc]
        return require_verified_2fa(parent)(request, *args, **kwargs)


# ---------------------------------------------------------------- password age


def password_age_days(user: User, now: datetime.datetime | None = None) -> int | None:
    if user.password_changed_at is None:
        return None
    return ((now or timezone.now()) - user.password_changed_at).days


def password_expired(user: User) -> bool:
    age = password_age_days(user)
    return age is not None and age >= settings.PASSWORD_MAX_AGE_DAYS


def password_days_left(user: User) -> int | None:
    age = password_age_days(user)
    if age is None:
        return None
    return settings.PASSWORD_MAX_AGE_DAYS - age


def password_must_change(user: User) -> bool:
    return bool(user.must_change_password) or password_expired(user)


# ---------------------------------------------------------------- middleware

ALWAYS_OPEN_PREFIXES = ("/static/", "/gs/", "/favicon", "/audit/transparency/")


class AccountSecurityMiddleware:
    """Second factor, password expiry and demo-account refusal for every authenticated request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_second_factor.set(lambda: request_is_verified(request))
        try:
            refusal = self._refusal(request)
            return refusal if refusal is not None else self.get_response(request)
        finally:
            current_second_factor.reset(token)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        self._renew_idle_timeout(request)
        path = request.path
        if path.startswith(ALWAYS_OPEN_PREFIXES):
            return None
        if user.is_demo and not settings.SSJ_DEMO:  # type: ignore[union-attr]
            logout(request)
            return HttpResponseRedirect(settings.LOGIN_URL)
        logout_url = reverse("logout")
        if path == logout_url:
            return None
        is_api = path.startswith("/api/")
        if second_factor_enforced() and not is_verified(user) and self._needs_second_factor(request):
            if path.startswith("/accounts/2fa/"):
                return None
            if is_api:
                return JsonResponse({"detail": SECOND_FACTOR_MESSAGE}, status=403)
            return second_factor_redirect(request)
        if password_must_change(user):  # type: ignore[arg-type]
            change_url = reverse("accounts:password_change")
            if path == change_url or path.startswith("/accounts/2fa/"):
                return None
            if is_api:
                return JsonResponse({"detail": "密码已过期或已被重置，请先在网页上修改密码"}, status=403)
            return HttpResponseRedirect(change_url + "?" + urlencode({"next": _safe_next(request)}))
        return None

    @staticmethod
    def _renew_idle_timeout(request: HttpRequest) -> None:
        """Touch the session (so its 15-minute expiry restarts) at most once per renew interval."""
        now = int(time.time())
        last = request.session.get(SESSION_SEEN_KEY)
        if not isinstance(last, int) or now - last >= getattr(settings, "SSJ_SESSION_RENEW_SECONDS", 60):
            request.session[SESSION_SEEN_KEY] = now

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        user = request.user
        if role_requires_second_factor(user):  # type: ignore[arg-type]
            return True
        enrolled = request.session.get(SESSION_ENROLLED_KEY)
        if enrolled is None:
            enrolled = has_confirmed_device(user)  # type: ignore[arg-type]
            request.session[SESSION_ENROLLED_KEY] = enrolled
        return bool(enrolled)
