"""Read replica: portal and dashboard reads go to the ``replica`` database, everything else to the primary.

Settings add the ``replica`` alias and this router only when ``SSJ_DB_REPLICA_HOST`` is set (README 部署).
A view opts in with ``@replica_reads``; inside it

- reads go to the replica, except inside a transaction (``atomic``: the transaction must see its own writes
  and lock what it reads) and except after the first write of the request (read-your-writes: the replica
  may not have replayed it yet);
- writes always go to the primary (the replica is a read-only hot standby and would refuse them);
- sessions, users, tokens, lockouts and second-factor devices are always read from the primary: a login or
  a locked account must take effect at once, not after the replication lag.

Outside such views nothing changes: every query goes to the primary. Streaming responses (the open-data
CSV of a million rows) keep reading from the replica while they stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.db import connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

PRIMARY = "default"
REPLICA = "replica"
# Security-relevant state that must never be read stale.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_totp", "otp_static", "otp_email", "django_otp", "admin"})
PRIMARY_ONLY_MODELS = frozenset({"accounts.user", "accounts.apitoken", "accounts.passwordhistory"})


@dataclass
class _ReplicaState:
    wrote: bool = False


_state: ContextVar[_ReplicaState | None] = ContextVar("ssj_replica_reads", default=None)
ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _stream_on_replica(content: Iterable[Any]) -> Iterator[Any]:
    token = _state.set(_ReplicaState())
    try:
        yield from content
    finally:
        try:
            _state.reset(token)
        except ValueError:  # closed from another context: that context never saw the flag
            pass


def replica_reads(view: ViewT) -> ViewT:
    """Let the view's reads (and a streamed body's) use the replica when one is configured."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not replica_configured():
            return view(request, *args, **kwargs)
        token = _state.set(_ReplicaState())
        try:
            response = view(request, *args, **kwargs)
        finally:
            _state.reset(token)
        if response.streaming:
            response.streaming_content = _stream_on_replica(response.streaming_content)  # type: ignore[attr-defined]
        return response

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS) implementing the rules above."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        state = _state.get()
        if state is None or state.wrote:
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return None
        if connections[PRIMARY].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same data: objects read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == PRIMARY
