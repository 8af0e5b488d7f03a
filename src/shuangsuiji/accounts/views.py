"""Account pages: password change, TOTP set-up and verification, the security administrator's pages."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from shuangsuiji.accounts import selectors, services
from shuangsuiji.accounts.forms import OtpTokenForm
from shuangsuiji.accounts.security import SESSION_ENROLLED_KEY, is_verified, password_days_left
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.ratelimit import ratelimit
from shuangsuiji.common.view_helpers import user_errors

# Axes locks a user name after 5 failures; this per-address limit stops spraying many user names from
# one address without locking a whole office behind one NAT address after 5 typos.
login_view = ratelimit(scope="login", limit=30, period=600, methods=("POST",))(
    LoginView.as_view(redirect_authenticated_user=True)
)


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def password_change(request: AuthedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=request.user, new_password=form.cleaned_data["new_password1"])
        except ApplicationError as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect(_next_url(request))
    context = {
        "title": "修改密码", "form": form, "next": _next_url(request),
        "forced": request.user.must_change_password, "days_left": password_days_left(request.user),
    }
    return render(request, "accounts/password_change.html", context)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]


@login_required
def otp_setup(request: AuthedHttpRequest) -> HttpResponse:
    if request.session.get(SESSION_ENROLLED_KEY) and not is_verified(request.user):
        return redirect(reverse("accounts:otp_verify") + "?" + urlencode({"next": _next_url(request)}))
    device = services.otp_device_start(actor=request.user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_confirm(actor=request.user, device=device, token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            request.session[SESSION_ENROLLED_KEY] = True
            messages.success(request, "双因素认证已启用")
            return redirect(_next_url(request))
    context = {
        "title": "启用双因素认证", "form": form, "next": _next_url(request),
        # SVG generated locally by qrcode from our own otpauth:// URI (no user input): safe markup.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # nosec B308 B703
        "secret": base64.b32encode(device.bin_key).decode("ascii").rstrip("="),  # for manual entry
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request: AuthedHttpRequest) -> HttpResponse:
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        request.session[SESSION_ENROLLED_KEY] = False
        return redirect(reverse("accounts:otp_setup") + "?" + urlencode({"next": _next_url(request)}))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        matched = None
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                matched = device
                break
        if matched is None:
            form.add_error("token", "动态验证码不正确或尝试过于频繁，请稍后再试")
        else:
            otp_login(request, matched)
            return redirect(_next_url(request))
    return render(request, "accounts/otp_verify.html", {"title": "双因素认证", "form": form, "next": _next_url(request)})


# ---------------------------------------------------------------- security administrator


@login_required
def account_list(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.account_rows(actor=request.user)
    return render(request, "accounts/account_list.html", {"title": "账号安全管理", "rows": rows})


ACCOUNT_ACTIONS = {"unlock", "reset-password", "reset-2fa", "deactivate", "activate"}


@login_required
@require_POST
def account_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    user = selectors.managed_user_get(actor=request.user, pk=pk)
    with user_errors(request):
        if action == "unlock":
            services.account_unlock(actor=request.user, user=user)
            messages.success(request, f"已解除 {user.username} 的登录锁定")
        elif action == "reset-password":
            plain = services.account_password_reset(actor=request.user, user=user)
            messages.warning(request, f"{user.username} 的临时密码：{plain}（仅显示一次，用户登录后须立即修改）")
        elif action == "reset-2fa":
            services.account_otp_reset(actor=request.user, user=user)
            messages.success(request, f"已重置 {user.username} 的双因素认证，下次登录时重新绑定")
        elif action in ("deactivate", "activate"):
            services.account_set_active(actor=request.user, user=user, active=action == "activate")
            messages.success(request, f"已{'启用' if action == 'activate' else '停用'}账号 {user.username}")
        else:
            raise ApplicationError("未知的操作")
    return redirect("accounts:account_list")
