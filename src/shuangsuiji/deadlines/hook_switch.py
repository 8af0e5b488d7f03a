"""A switch that turns an app's deadline hooks off for a block (the demo generator writes history without them).

Each app that opens and completes deadlines from its own events (planning, inspections) has one::

    _switch = HookSwitch("ssj_planning_deadline_hooks_suspended")
    suspended, _active = _switch.suspended, _switch.active
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class HookSwitch:
    def __init__(self, name: str) -> None:
        self._suspended: ContextVar[bool] = ContextVar(name, default=False)

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Run the block without opening or completing deadlines."""
        token = self._suspended.set(True)
        try:
            yield
        finally:
            self._suspended.reset(token)

    def active(self) -> bool:
        return not self._suspended.get()
