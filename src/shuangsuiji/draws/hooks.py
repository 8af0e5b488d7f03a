"""Calls from the draws app into other apps that are still being built (deadlines, notifications).

Each function is a no-op for now; the lead connects them (e.g. ``on_draw_done`` opens the 2-working-day
双人确认 deadline in ``oversight``, ``notify_assigned`` sends the notices to the assigned inspectors).
They are called after the surrounding transaction commits, so a failure here never undoes a draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.draws.models import Assignment, TargetDraw


def on_draw_done(draw: TargetDraw) -> None:
    """A draw has a result and now waits for 双人确认 (deadline: 2 working days)."""


def on_draw_confirmed(draw: TargetDraw) -> None:
    """The draw was confirmed by the second person: the confirmation deadline is met."""


def notify_assigned(assignments: Sequence[Assignment]) -> None:
    """Tell the inspectors of ``assignments`` that they were matched to a target."""
