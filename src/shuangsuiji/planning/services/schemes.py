"""工作方案: generate from the task, edit, approve and publish (which moves the task to 方案已公布)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.security import require_second_factor_for
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.planning import deadline_hooks, events
from shuangsuiji.planning.models import (
    SchemeStatus,
    Task,
    TaskState,
    WorkScheme,
)
from shuangsuiji.planning.permissions import (
    require_approve,
    require_plan_edit,
)
from shuangsuiji.planning.services.base import full_clean
from shuangsuiji.planning.services.tasks import task_transition

# ---------------------------------------------------------------- 工作方案


def _lock_scheme(scheme: WorkScheme) -> WorkScheme:
    return WorkScheme.objects.select_for_update().select_related("task", "task__owner").get(pk=scheme.pk)


@transaction.atomic
def scheme_generate(*, actor: User, task: Task, regenerate: bool = False) -> WorkScheme:
    """Create the task's 工作方案 from the template (or, in draft, regenerate its text)."""
    from shuangsuiji.planning.scheme_template import scheme_default_body, scheme_default_title

    task = Task.objects.select_for_update().select_related("owner").get(pk=task.pk)
    require_plan_edit(actor, task.owner_id)
    scheme = WorkScheme.objects.filter(task=task).first()
    if scheme is not None and not regenerate:
        return scheme
    if scheme is not None and scheme.status != SchemeStatus.DRAFT:
        raise ApplicationError("只有起草状态的工作方案可以重新生成")
    body = scheme_default_body(task)
    if scheme is None:
        scheme = WorkScheme.objects.create(task=task, title=scheme_default_title(task), body=body)
        event = events.SCHEME_CREATE
    else:
        scheme.body = body
        scheme.save(update_fields=["body", "updated_at"])
        event = events.SCHEME_REGENERATE
    audit_record(actor=actor, event=event, target=scheme, changes={"task": task.code, "title": scheme.title})
    return scheme


@transaction.atomic
def scheme_update(*, actor: User, scheme: WorkScheme, title: str, body: str, document_number: str = "") -> WorkScheme:
    """Edit the text; an approved scheme goes back to 起草 and must be approved again."""
    scheme = _lock_scheme(scheme)
    require_plan_edit(actor, scheme.task.owner_id)
    if scheme.status == SchemeStatus.PUBLISHED:
        raise ApplicationError("工作方案已公布，不能修改")
    if not title.strip() or not body.strip():
        raise ApplicationError("工作方案的标题和正文不能为空")
    changes: dict[str, Any] = {}
    for name, value in (("title", title.strip()), ("body", body), ("document_number", document_number.strip())):
        if getattr(scheme, name) != value:
            changes[name] = "（已修改）" if name == "body" else (getattr(scheme, name), value)
            setattr(scheme, name, value)
    if changes and scheme.status == SchemeStatus.APPROVED:
        changes["status"] = (scheme.status, SchemeStatus.DRAFT)
        scheme.status, scheme.approved_by, scheme.approved_at = SchemeStatus.DRAFT, None, None
    if changes:
        full_clean(scheme)
        scheme.save()
        audit_record(actor=actor, event=events.SCHEME_UPDATE, target=scheme, changes=changes)
    return scheme


@transaction.atomic
def scheme_approve(*, actor: User, scheme: WorkScheme, comment: str = "") -> WorkScheme:
    scheme = _lock_scheme(scheme)
    require_approve(actor, scheme.task.owner_id)
    if scheme.status != SchemeStatus.DRAFT:
        raise ApplicationError(f"工作方案当前状态为“{scheme.get_status_display()}”，不能审批")
    scheme.status, scheme.approved_by, scheme.approved_at = SchemeStatus.APPROVED, actor, timezone.now()
    scheme.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(actor=actor, event=events.SCHEME_APPROVE, target=scheme,
                 changes={"status": (SchemeStatus.DRAFT, scheme.status), "comment": comment})
    return scheme


@transaction.atomic
def scheme_publish(*, actor: User, scheme: WorkScheme) -> WorkScheme:
    """Publish the approved scheme; the task moves to 方案已公布 (required before any draw)."""
    scheme = _lock_scheme(scheme)
    require_plan_edit(actor, scheme.task.owner_id)
    if scheme.status != SchemeStatus.APPROVED:
        raise ApplicationError("工作方案须先经审批才能公布")
    if scheme.task.state != TaskState.DRAFT:
        raise ApplicationError("任务已不在起草状态")
    scheme.status, scheme.published_at = SchemeStatus.PUBLISHED, timezone.now()
    scheme.save(update_fields=["status", "published_at", "updated_at"])
    require_second_factor_for(actor, "scheme.publish")
    audit_record(actor=actor, event=events.SCHEME_PUBLISH, target=scheme,
                 changes={"status": (SchemeStatus.APPROVED, scheme.status)})
    task_transition(actor=actor, task=scheme.task, to_state=TaskState.SCHEME_PUBLISHED, comment="工作方案已公布")
    deadline_hooks.on_scheme_published(scheme.task, actor=actor)
    return scheme
