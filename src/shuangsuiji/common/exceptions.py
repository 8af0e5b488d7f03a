"""Errors a service raises for the user to see (Chinese message), turned into replies in one place."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the operation; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDeniedError(ApplicationError):
    """The actor's role or scope does not allow this operation."""

    status_code = 403


class NotFoundError(ApplicationError):
    """The object does not exist or lies outside the actor's scope (never say which)."""

    status_code = 404
