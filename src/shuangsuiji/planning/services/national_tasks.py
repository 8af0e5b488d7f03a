"""上级下达任务: the national/provincial task list import and a bureau claiming one as its task."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, bureau_for_write
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, ItemStatus
from shuangsuiji.planning import deadline_hooks, events
from shuangsuiji.planning.models import (
    NationalTask,
    Task,
)
from shuangsuiji.planning.permissions import (
    require_plan_edit,
)
from shuangsuiji.planning.services.tasks import LOCKED_FIELDS, _task_audit_changes, _task_save

# ---------------------------------------------------------------- 上级下达任务 (import and 认领)


@transaction.atomic
def national_tasks_import(*, actor: User, content: bytes, file_name: str) -> list[NationalTask]:
    """All rows or none: a bad row raises ApplicationError with extra={"errors": [{row, column, message}]}."""
    from shuangsuiji.planning.importers import read_national_tasks

    bureau = bureau_for_write(actor, Perm.PLAN_EDIT)
    rows, errors = read_national_tasks(content)
    existing = set(NationalTask.objects.filter(owner=bureau).values_list("code", flat=True))
    for row in rows:
        if row.code in existing:
            errors.append({"row": row.row_number, "column": "任务编号", "message": f"任务编号“{row.code}”已导入过"})
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ApplicationError(f"导入失败：文件中有{len(errors)}处错误，未导入任何任务", extra={"errors": errors})
    if not rows:
        raise ApplicationError("文件中没有任务数据")
    tasks = [
        NationalTask(
            owner=bureau, source=row.source, code=row.code, title=row.title, year=row.year,
            specialty=row.specialty, item_names=row.item_names, scope_text=row.scope_text, ratios=row.ratios,
            window_start=row.window_start, window_end=row.window_end,
        )
        for row in rows
    ]
    NationalTask.objects.bulk_create(tasks)
    audit_record(
        actor=actor, event=events.NATIONAL_TASK_IMPORT, target=None, organization=bureau,
        changes={"file": file_name, "count": len(tasks), "codes": [t.code for t in tasks]},
    )
    return list(NationalTask.objects.filter(owner=bureau, code__in=[t.code for t in tasks]))


@transaction.atomic
def national_task_claim(*, actor: User, national_task: NationalTask, data: dict[str, Any] | None = None) -> Task:
    """认领: a local task with the upper level's scope and ratios, which stay read-only (scope_locked)."""
    national_task = NationalTask.objects.select_for_update().get(pk=national_task.pk)
    require_plan_edit(actor, national_task.owner_id)
    if Task.objects.filter(national_task=national_task).exists():
        raise ApplicationError("该任务已认领")
    data = dict(data or {})
    locked = LOCKED_FIELDS & set(data)
    if locked:
        raise ApplicationError("上级下达任务的抽查范围、比例和时间由上级确定，不能在本地修改")
    names = [n.strip() for n in national_task.item_names.replace("；", "\n").replace("、", "\n").splitlines()]
    items = list(
        CheckItem.objects.filter(
            owner_id=national_task.owner_id, is_current=True, status=ItemStatus.PUBLISHED, name__in=[n for n in names if n]
        )
    )
    defaults: dict[str, Any] = {
        "title": national_task.title,
        "items": items,
        "specialties": [national_task.specialty],
        "ratios": national_task.ratios,
        "window_start": national_task.window_start,
        "window_end": national_task.window_end,
        "methods": ["on_site"],
    }
    task = _task_save(
        actor=actor, owner=national_task.owner, data={**defaults, **data}, national_task=national_task
    )
    task.scope_locked = True
    task.save(update_fields=["scope_locked"])
    audit_record(actor=actor, event=events.NATIONAL_TASK_CLAIM, target=task,
                 changes={**_task_audit_changes(task), "national_task": national_task.code})
    deadline_hooks.on_task_created(task, actor=actor)
    return task
