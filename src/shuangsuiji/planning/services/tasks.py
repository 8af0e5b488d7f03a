"""抽查任务: create, update, and the task state machine (``task_transition``, the one door of a state change).

Whether the work behind a move is done is asked of the guards that the apps below register
(``planning.task_guards``): planning never imports draws, inspections or disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import InspectionMethod, RiskFlag
from shuangsuiji.planning import deadline_hooks, events, task_guards, task_listeners
from shuangsuiji.planning.models import (
    AnnualPlanLine,
    JointPlan,
    JointPlanStatus,
    PlanStatus,
    SchemeStatus,
    Task,
    TaskKind,
    TaskState,
    TaskTransition,
    WorkScheme,
)
from shuangsuiji.planning.permissions import (
    require_plan_edit,
)
from shuangsuiji.planning.rule_services import check_task_settings
from shuangsuiji.planning.rules import joint_ratios
from shuangsuiji.planning.services.base import full_clean, normalise_ratios
from shuangsuiji.planning.services.joint_plans import _check_window, joint_participant_candidates

# ---------------------------------------------------------------- 抽查任务

TASK_FIELDS = [
    "title", "ratios", "floor_percent", "min_per_stratum", "mandatory_flags", "exclusion_months", "methods",
    "team_size", "max_targets_per_inspector", "window_start", "window_end",
]
TASK_M2M = ["items", "specialties", "regions", "participants"]
# Set by the upper level for a claimed national task: never changed locally (everything that decides the pool
# or the number drawn: items, 专业, area, ratios and their floors, mandatory flags, exclusions, time window).
LOCKED_FIELDS = {
    "ratios", "specialties", "window_start", "window_end", "items", "regions", "floor_percent", "min_per_stratum",
    "mandatory_flags", "exclusion_months",
}


def _next_task_code(owner: Organization, year: int) -> str:
    Organization.objects.select_for_update().filter(pk=owner.pk).first()  # serialises numbering per bureau
    prefix = f"RW{year}-"
    last = Task.objects.filter(owner=owner, code__startswith=prefix).aggregate(m=Max("code"))["m"]
    number = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{number:03d}"


def _clean_task_data(owner: Organization, data: dict[str, Any]) -> dict[str, Any]:
    clean = dict(data)
    if "title" in clean and not str(clean["title"]).strip():
        raise ApplicationError("请填写任务名称")
    if "ratios" in clean:
        clean["ratios"] = normalise_ratios(clean["ratios"])
    if "methods" in clean:
        allowed = set(InspectionMethod.values)
        bad = [m for m in clean["methods"] if m not in allowed]
        if bad:
            raise ApplicationError(f"未知的检查方式：{'、'.join(bad)}")
        if not clean["methods"]:
            raise ApplicationError("请至少选择一种检查方式")
    if "mandatory_flags" in clean:
        bad = [f for f in clean["mandatory_flags"] if f not in RiskFlag.values]
        if bad:
            raise ApplicationError(f"未知的风险标记：{'、'.join(bad)}")
    if "team_size" in clean and int(clean["team_size"]) < 2:
        raise ApplicationError("每组执法人员不得少于2人")
    if "floor_percent" in clean:
        floor = Decimal(str(clean["floor_percent"]))
        if not 0 <= floor <= 100:
            raise ApplicationError("最低抽查比例应在0到100之间")
        clean["floor_percent"] = floor
    for item in clean.get("items", []):
        if item.owner_id != owner.pk:
            raise ApplicationError(f"事项“{item.name}”不属于本单位的抽查事项清单")
    for region in clean.get("regions", []):
        if not region.path.startswith(owner.region.path):
            raise ApplicationError(f"区划“{region.name}”不在本单位管辖范围内")
    if "participants" in clean:
        allowed_ids = set(joint_participant_candidates(owner).values_list("pk", flat=True))
        for org in clean["participants"]:
            if org.pk not in allowed_ids:
                raise ApplicationError(f"“{org.name}”不能作为参与部门")
    return clean


def _task_save(*, actor: User, owner: Organization, data: dict[str, Any], **links: Any) -> Task:
    data = _clean_task_data(owner, data)
    check_task_settings(owner=owner, items=data.get("items", []), floor_percent=data.get("floor_percent"))
    if not data.get("items") and not links.get("national_task"):
        raise ApplicationError("请至少选择一个抽查事项")
    year = data["window_start"].year if data.get("window_start") else timezone.localdate().year
    task = Task(owner=owner, code=_next_task_code(owner, year), year=year, **links)
    for name in TASK_FIELDS:
        if name in data:
            setattr(task, name, data[name])
    if task.window_start and task.window_end:
        _check_window(task.window_start, task.window_end)
    full_clean(task)
    task.save()
    specialties = data.get("specialties") or sorted({i.specialty for i in data.get("items", [])}, key=lambda s: s.pk)
    task.items.set(data.get("items", []))
    task.specialties.set(specialties)
    task.regions.set(data.get("regions", []))
    task.participants.set(data.get("participants", []))
    return task


def _task_audit_changes(task: Task) -> dict[str, Any]:
    return {
        "code": task.code, "title": task.title, "ratios": task.ratios,
        "items": [i.code for i in task.items.all()], "window": (task.window_start, task.window_end),
    }


@transaction.atomic
def task_create_from_plan_line(*, actor: User, line: AnnualPlanLine, data: dict[str, Any]) -> Task:
    plan = line.plan
    require_plan_edit(actor, plan.owner_id)
    if plan.status != PlanStatus.PUBLISHED:
        raise ApplicationError("只能从已公布的年度计划创建任务")
    data = {"ratios": line.ratios, "items": [line.item], "methods": line.item.methods or ["on_site"], **data}
    task = _task_save(actor=actor, owner=plan.owner, data=data, plan_line=line)
    audit_record(actor=actor, event=events.TASK_CREATE, target=task, changes={**_task_audit_changes(task), "plan_line": line.pk})
    deadline_hooks.on_task_created(task, actor=actor)
    return task


@transaction.atomic
def task_create_from_joint_plan(*, actor: User, joint_plan: JointPlan, data: dict[str, Any]) -> Task:
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.PUBLISHED:
        raise ApplicationError("只能从已公布的联合抽查计划创建任务")
    own = joint_plan.participants.filter(organization_id=joint_plan.owner_id).first()
    defaults: dict[str, Any] = {
        "title": joint_plan.title.removesuffix("计划"),
        "items": list(own.items.all()) if own else [],
        "ratios": joint_ratios(joint_plan),
        "window_start": joint_plan.window_start,
        "window_end": joint_plan.window_end,
        "participants": [p.organization for p in joint_plan.participants.exclude(organization_id=joint_plan.owner_id)],
        "methods": ["on_site"],
    }
    task = _task_save(actor=actor, owner=joint_plan.owner, data={**defaults, **data}, joint_plan=joint_plan)
    audit_record(actor=actor, event=events.TASK_CREATE, target=task,
                 changes={**_task_audit_changes(task), "joint_plan": joint_plan.pk})
    deadline_hooks.on_task_created(task, actor=actor)
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, data: dict[str, Any]) -> Task:
    task = Task.objects.select_for_update().select_related("owner").get(pk=task.pk)
    require_plan_edit(actor, task.owner_id)
    if task.state != TaskState.DRAFT:
        raise ApplicationError("工作方案公布后，任务的范围、比例和时间不能再修改")
    if task.scope_locked:
        locked = [name for name in LOCKED_FIELDS if name in data]
        if locked:
            raise ApplicationError("上级下达任务的抽查范围、比例和时间由上级确定，不能在本地修改")
    data = _clean_task_data(task.owner, data)
    check_task_settings(
        owner=task.owner, items=data.get("items", list(task.items.all())),
        floor_percent=data.get("floor_percent", task.floor_percent),
    )
    changes: dict[str, Any] = {}
    for name in TASK_FIELDS:
        if name in data and getattr(task, name) != data[name]:
            changes[name] = (getattr(task, name), data[name])
            setattr(task, name, data[name])
    _check_window(task.window_start, task.window_end)
    full_clean(task)
    task.save()
    for name in TASK_M2M:
        if name in data:
            manager = getattr(task, name)
            old = sorted(manager.values_list("pk", flat=True))
            new = sorted(obj.pk for obj in data[name])
            if old != new:
                manager.set(data[name])
                changes[name] = (old, new)
    if changes:
        audit_record(actor=actor, event=events.TASK_UPDATE, target=task, changes=changes)
    return task


@dataclass(frozen=True)
class TransitionRule:
    label: str
    perm: Perm
    manual: bool  # offered as a button on the task page (the others come from the 工作方案 and draws pages)


TRANSITIONS: dict[tuple[str, str], TransitionRule] = {
    (TaskState.DRAFT, TaskState.SCHEME_PUBLISHED): TransitionRule("公布工作方案", Perm.PLAN_EDIT, False),
    (TaskState.SCHEME_PUBLISHED, TaskState.TARGETS_DRAWN): TransitionRule("抽取检查对象", Perm.DRAW_RUN, False),
    (TaskState.TARGETS_DRAWN, TaskState.INSPECTORS_MATCHED): TransitionRule("匹配执法人员", Perm.DRAW_RUN, False),
    # A re-draw after matching supersedes the match: back to 已抽取对象.
    (TaskState.INSPECTORS_MATCHED, TaskState.TARGETS_DRAWN): TransitionRule("重新抽取检查对象", Perm.DRAW_RUN, False),
    (TaskState.INSPECTORS_MATCHED, TaskState.INSPECTING): TransitionRule("开始检查", Perm.PLAN_EDIT, True),
    (TaskState.INSPECTING, TaskState.COMPLETED): TransitionRule("检查完成", Perm.PLAN_EDIT, True),
    (TaskState.COMPLETED, TaskState.PUBLISHED): TransitionRule("公示抽查结果", Perm.PLAN_EDIT, True),
    # 非随机检查 (planning/nonrandom.py): no 方案/draw/match; its 一企一表 with a 指派 team start the inspection.
    (TaskState.DRAFT, TaskState.INSPECTING): TransitionRule("开始检查（非随机检查）", Perm.PLAN_EDIT, False),
}
STATE_ORDER: list[str] = list(TaskState.values)


def task_manual_transitions(task: Task) -> list[tuple[str, TransitionRule]]:
    return [(to, rule) for (frm, to), rule in TRANSITIONS.items() if frm == task.state and rule.manual]


def _scheme_guard(task: Task, frm: str, to: str) -> str | None:
    """Planning's own guard: the path of the task's kind, and 方案已公布 needs the published 工作方案."""
    if (task.kind == TaskKind.NONRANDOM) != (frm == TaskState.DRAFT and to == TaskState.INSPECTING) and frm in (
        TaskState.DRAFT, TaskState.SCHEME_PUBLISHED, TaskState.TARGETS_DRAWN, TaskState.INSPECTORS_MATCHED
    ):
        if task.kind == TaskKind.NONRANDOM:
            return "非随机检查不经抽取和匹配：请指派检查组并生成一企一表后开始检查"
        return "双随机抽查任务须经公布方案、抽取对象和匹配人员后才能开始检查"
    if to == TaskState.SCHEME_PUBLISHED:
        scheme = WorkScheme.objects.filter(task=task).first()
        if scheme is None or scheme.status != SchemeStatus.PUBLISHED:
            return "工作方案尚未公布，不能进入“方案已公布”状态"
    return None


task_guards.register_task_guard("planning.scheme", _scheme_guard)


def _transition_refusal(task: Task, frm: str, to: str) -> str | None:
    """Why the work behind ``frm`` → ``to`` is not done yet (``None``: the move may happen).

    A state says what has happened (a draw, a match, every record reviewed, every result published), so no one
    can move a task past a step that did not take place, whether from a page, the API or another app. The apps
    that do that work answer through the guards they register (``planning.task_guards``).
    """
    return task_guards.transition_refusal(task, frm, to)


@transaction.atomic
def task_transition(
    *, actor: User, task: Task, to_state: str, comment: str = "", manual_only: bool = False
) -> Task:
    """Move ``task`` to ``to_state`` along TRANSITIONS (TaskTransition row + audit entry).

    Asking for the state the task is already in is a no-op (no record), so a caller may repeat it safely.
    The given instance is updated too. ``manual_only`` (pages and API): only the moves offered as buttons; the
    others happen when the work is done (工作方案 published, draw run, match run, records, publication).
    """
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.state == to_state:
        return locked
    if to_state not in TaskState.values:
        raise ApplicationError(f"未知的任务状态：{to_state}")
    rule = TRANSITIONS.get((locked.state, to_state))
    if rule is None:
        raise ApplicationError(
            f"任务当前状态为“{locked.get_state_display()}”，不能变更为“{TaskState(to_state).label}”"
        )
    check_can_edit(actor, locked.owner_id, rule.perm)
    if manual_only and not rule.manual:
        raise ApplicationError(f"“{rule.label}”在完成相应工作后由系统自动变更任务状态，不能手动操作")
    refusal = _transition_refusal(locked, locked.state, to_state)
    if refusal is not None:
        raise ApplicationError(refusal)
    old = locked.state
    locked.state = to_state
    fields = ["state", "updated_at"]
    if to_state == TaskState.COMPLETED:
        locked.completed_at = timezone.now()
        fields.append("completed_at")
    locked.save(update_fields=fields)
    TaskTransition.objects.create(task=locked, from_state=old, to_state=to_state, actor=actor, note=comment[:255])
    audit_record(actor=actor, event=events.TASK_TRANSITION, target=locked,
                 changes={"state": (old, to_state), "action": rule.label, "comment": comment})
    if to_state == TaskState.COMPLETED:
        deadline_hooks.on_task_completed(locked, actor=actor)
    if to_state == TaskState.PUBLISHED:
        deadline_hooks.on_task_published(locked, actor=actor)
    task_listeners.task_moved(locked, old, to_state, actor)
    task.state, task.completed_at = locked.state, locked.completed_at
    return locked
