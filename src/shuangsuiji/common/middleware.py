"""Keeps the current request's client address and id for audit entries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_request_info: ContextVar[dict[str, str] | None] = ContextVar("current_request_info", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request_info.set(
            {"ip": request.META.get("REMOTE_ADDR", ""), "request_id": uuid.uuid4().hex}
        )
        try:
            return self.get_response(request)
        finally:
            current_request_info.reset(token)
