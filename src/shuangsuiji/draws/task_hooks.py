"""The one place where the draws app changes a task's state.

Until ``planning.services.task_transition`` is available this module performs the transition itself
(state check, TaskTransition row, audit entry); afterwards it delegates to planning.
"""

from __future__ import annotations

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.planning.models import Task, TaskState, TaskTransition

# Transitions the draws app causes: draw → 已抽取对象, match → 已匹配人员, a re-draw after matching
# falls back to 已抽取对象 (its match is superseded).
DRAWS_TRANSITIONS: dict[str, set[str]] = {
    TaskState.SCHEME_PUBLISHED: {TaskState.TARGETS_DRAWN},
    TaskState.TARGETS_DRAWN: {TaskState.INSPECTORS_MATCHED},
    TaskState.INSPECTORS_MATCHED: {TaskState.TARGETS_DRAWN},
}


def task_set_state(*, actor: User, task: Task, to_state: str, comment: str = "") -> Task:
    """Move ``task`` (locked by the caller) to ``to_state``; no-op when it is already there."""
    if task.state == to_state:
        return task
    if to_state not in DRAWS_TRANSITIONS.get(task.state, set()):
        raise ApplicationError(
            f"任务当前状态为“{task.get_state_display()}”，不能变更为“{TaskState(to_state).label}”"
        )
    old = task.state
    task.state = to_state
    task.save(update_fields=["state", "updated_at"])
    TaskTransition.objects.create(task=task, from_state=old, to_state=to_state, actor=actor, note=comment[:255])
    audit_record(actor=actor, event="task.transition", target=task, changes={"state": (old, to_state), "note": comment})
    return task
