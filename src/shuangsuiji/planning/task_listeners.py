"""The registry of task state listeners: the apps above planning react when a task has moved.

Planning owns the task state machine (``planning.services.tasks.task_transition``) but not what follows a move
in the apps above it — oversight, for one, writes the 总结报告 and the 归档包 when a task is 已完成 (issue 20
item 4). Such an app registers a listener in its ``AppConfig.ready()``; ``task_transition`` calls every listener
after the move is recorded (state, ``TaskTransition`` row, audit entry), so planning never imports them
(DESIGN §7). Guards (``planning.task_guards``) decide *before* a move; listeners only react *after* it.

A listener is ``listener(task, from_state, to_state, actor) -> None``. It runs inside the transaction of the
move: anything slow or anything that must not undo the move (documents, files, e-mail) is scheduled with
``transaction.on_commit`` — typically a huey job — and a listener that raises undoes the move. Listeners are
keyed by name, so registering again (tests, autoreload) replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.planning.models import Task

TaskListener = Callable[["Task", str, str, "User"], None]

_listeners: dict[str, TaskListener] = {}


def register_task_listener(name: str, listener: TaskListener) -> TaskListener:
    """Add (or replace) the listener ``name``; returns it, so it can be used as a plain call in ``ready()``."""
    _listeners[name] = listener
    return listener


def registered_task_listeners() -> dict[str, TaskListener]:
    return dict(_listeners)


def task_moved(task: Task, frm: str, to: str, actor: User) -> None:
    """Tell every registered listener (in registration order) that ``task`` moved from ``frm`` to ``to``."""
    for listener in list(_listeners.values()):
        listener(task, frm, to, actor)
