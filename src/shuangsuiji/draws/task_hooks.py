"""The one place where the draws app changes a task's state: delegates to planning's guarded transitions."""

from __future__ import annotations

from shuangsuiji.accounts.models import User
from shuangsuiji.planning.models import Task
from shuangsuiji.planning.services import task_transition


def task_set_state(*, actor: User, task: Task, to_state: str, comment: str = "") -> Task:
    """Move ``task`` to ``to_state`` (TaskTransition row + audit by planning); no-op when already there."""
    return task_transition(actor=actor, task=task, to_state=to_state, comment=comment)
