"""The inspections app's guard of the task state machine (registered in ``InspectionsConfig.ready()``):
检查完成 needs at least one 一企一表 and every one (not cancelled) reviewed; a 非随机检查 starts (草稿 → 检查中)
only with its 一企一表."""

from __future__ import annotations

from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.planning.models import Task, TaskState


def inspections_task_guard(task: Task, frm: str, to: str) -> str | None:
    records = InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.CANCELLED)
    if frm == TaskState.DRAFT and to == TaskState.INSPECTING:  # 非随机检查: the 指派 team's records first
        return None if records.exists() else "请先指派检查组并生成一企一表"
    if to != TaskState.COMPLETED:
        return None
    if not records.exists():
        return "本任务还没有一企一表，不能标记为检查完成"
    open_count = records.exclude(status=RecordStatus.APPROVED).count()
    if open_count:
        return f"还有 {open_count} 份一企一表未审核通过，不能标记为检查完成"
    return None
