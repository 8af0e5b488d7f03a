"""Content-Security-Policy and Permissions-Policy on every response (Django sets the others:
X-Frame-Options DENY, nosniff, Referrer-Policy, COOP, HSTS in production)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# The Django admin still carries inline style blocks in a few widgets.
RELAXED_STYLE_PREFIXES = ("/admin/",)


def csp_header(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        policy = dict(settings.SSJ_CSP)
        self.header = csp_header(policy)
        relaxed = {**policy, "style-src": policy.get("style-src", "'self'") + " 'unsafe-inline'"}
        self.relaxed_header = csp_header(relaxed)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(RELAXED_STYLE_PREFIXES)
            response["Content-Security-Policy"] = self.relaxed_header if relaxed else self.header
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
