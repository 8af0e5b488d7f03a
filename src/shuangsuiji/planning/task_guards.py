"""The registry of task state guards: the apps above planning say when the work behind a move is done.

Planning owns the task state machine (``planning.services.tasks``) but not the work behind most moves: the
draw and the match are in ``draws``, the 一企一表 in ``inspections``, the publication in ``disclosure``. Each
of those apps registers a guard in its ``AppConfig.ready()``; ``task_transition`` asks every guard before a
move, so no page, API call or other app can move a task past a step that did not take place, and planning
never imports the apps above it (DESIGN §7).

A guard is ``guard(task, from_state, to_state) -> str | None``: the Chinese reason why the move may not
happen yet, or ``None``. Guards are keyed by name, so registering again (tests, autoreload) replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.planning.models import Task

TaskGuard = Callable[["Task", str, str], "str | None"]

_guards: dict[str, TaskGuard] = {}


def register_task_guard(name: str, guard: TaskGuard) -> TaskGuard:
    """Add (or replace) the guard ``name``; returns it, so it can be used as a plain call in ``ready()``."""
    _guards[name] = guard
    return guard


def registered_task_guards() -> dict[str, TaskGuard]:
    return dict(_guards)


def transition_refusal(task: Task, frm: str, to: str) -> str | None:
    """The first refusal of the registered guards (in registration order), or ``None``: the move may happen."""
    for guard in list(_guards.values()):
        refusal = guard(task, frm, to)
        if refusal is not None:
            return refusal
    return None
