"""The disclosure app's guard of the task state machine (registered in ``DisclosureConfig.ready()``):
已公示 needs every record's result published (or its 依法不予公开 reason recorded)."""

from __future__ import annotations

from shuangsuiji.disclosure.selectors_results import unpublished_record_count
from shuangsuiji.planning.models import Task, TaskState


def disclosure_task_guard(task: Task, frm: str, to: str) -> str | None:
    if to != TaskState.PUBLISHED:
        return None
    missing = unpublished_record_count(task)
    if missing:
        return f"还有 {missing} 户的抽查结果未公示（或未登记依法不予公开的理由），请先在“公示抽查结果”中公示"
    return None
