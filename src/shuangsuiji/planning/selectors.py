"""Reads of planning, always scoped to the actor (the querysets' ``visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import get_visible_or_404, user_bureau
from shuangsuiji.directory.models import CheckItem, ItemStatus
from shuangsuiji.planning.models import (
    AnnualPlan,
    AnnualPlanLine,
    JointPlan,
    JointPlanParticipant,
    JointPlanStatus,
    NationalTask,
    PlanStatus,
    PlanUncoveredItem,
    SchemeStatus,
    Task,
    TaskState,
    WorkScheme,
)
from shuangsuiji.planning.permissions import can_approve, can_confirm_for, can_edit_plans, can_review
from shuangsuiji.planning.services import joint_participant_candidates, plan_missing_items


def plan_list(*, actor: User, year: int | None = None) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.visible_to(actor).select_related("owner")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "owner__code", "-version")


def plan_get(*, actor: User, pk: int) -> AnnualPlan:
    return get_visible_or_404(AnnualPlan.objects.select_related("owner", "previous"), actor, pk=pk)


def plan_lines(*, plan: AnnualPlan) -> QuerySet[AnnualPlanLine]:
    return plan.lines.select_related("item", "item__specialty", "responsible_section").order_by("item__code")


def plan_uncovered(*, plan: AnnualPlan) -> QuerySet[PlanUncoveredItem]:
    return plan.uncovered.select_related("item", "item__specialty").order_by("item__code")


def plan_line_get(*, actor: User, pk: int) -> AnnualPlanLine:
    line = AnnualPlanLine.objects.select_related("plan", "item", "item__specialty").filter(pk=pk).first()
    plan_get(actor=actor, pk=line.plan_id if line else 0)
    assert line is not None
    return line


def plan_uncovered_get(*, actor: User, pk: int) -> PlanUncoveredItem:
    entry = PlanUncoveredItem.objects.select_related("plan", "item").filter(pk=pk).first()
    plan_get(actor=actor, pk=entry.plan_id if entry else 0)
    assert entry is not None
    return entry


def plan_versions(*, actor: User, plan: AnnualPlan) -> list[AnnualPlan]:
    """Every version of the plan's year and bureau, newest first (the history of adjustments)."""
    qs = AnnualPlan.objects.visible_to(actor).filter(owner_id=plan.owner_id, year=plan.year)
    return list(qs.prefetch_related("steps", "steps__actor").order_by("-version"))


def plan_coverage(*, plan: AnnualPlan) -> dict[str, Any]:
    total = CheckItem.objects.filter(owner_id=plan.owner_id, is_current=True, status=ItemStatus.PUBLISHED).count()
    missing = plan_missing_items(plan=plan)
    return {"total": total, "missing": missing, "covered": total - len(missing)}


def plan_addable_items(*, plan: AnnualPlan) -> QuerySet[CheckItem]:
    return CheckItem.objects.filter(
        owner_id=plan.owner_id, is_current=True, status=ItemStatus.PUBLISHED
    ).select_related("specialty")


def plan_sections(*, plan: AnnualPlan) -> QuerySet[Organization]:
    return Organization.objects.filter(parent_id=plan.owner_id, kind__in=["section", "supervision_institute"])


@dataclass
class LineChange:
    code: str
    name: str
    kind: str  # added / removed / changed
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


LINE_LABELS = {"ratios": "抽查比例", "frequency": "抽查频次", "months": "实施月份", "responsible_section": "责任科室",
               "is_joint": "部门联合", "note": "备注"}


def _line_values(line: AnnualPlanLine) -> dict[str, str]:
    return {
        "ratios": line.ratio_text,
        "frequency": line.frequency,
        "months": "、".join(f"{m}月" for m in line.months) or "—",
        "responsible_section": str(line.responsible_section or "—"),
        "is_joint": "是" if line.is_joint else "否",
        "note": line.note or "—",
    }


def plan_diff(*, old: AnnualPlan, new: AnnualPlan) -> list[LineChange]:
    """What the adjustment changed, line by line (keyed by item code)."""
    old_lines = {line.item.code: line for line in plan_lines(plan=old)}
    new_lines = {line.item.code: line for line in plan_lines(plan=new)}
    changes: list[LineChange] = []
    for code in sorted(set(old_lines) | set(new_lines)):
        before, after = old_lines.get(code), new_lines.get(code)
        if before is None and after is not None:
            changes.append(LineChange(code, after.item.name, "added"))
        elif after is None and before is not None:
            changes.append(LineChange(code, before.item.name, "removed"))
        elif before is not None and after is not None:
            a, b = _line_values(before), _line_values(after)
            diffs = [(LINE_LABELS[k], a[k], b[k]) for k in a if a[k] != b[k]]
            if before.item_id != after.item_id:
                diffs.append(("事项版本", f"第{before.item.version}版", f"第{after.item.version}版"))
            if diffs:
                changes.append(LineChange(code, after.item.name, "changed", diffs))
    return changes


def joint_plan_list(*, actor: User) -> QuerySet[JointPlan]:
    return JointPlan.objects.visible_to(actor).select_related("owner").order_by("-year", "-created_at")


def joint_plan_get(*, actor: User, pk: int) -> JointPlan:
    return get_visible_or_404(JointPlan.objects.select_related("owner", "previous"), actor, pk=pk)


def joint_plan_chain(plan: JointPlan) -> list[JointPlan]:
    """Every version of a joint plan (the chain of ``previous`` links in both directions), newest first."""
    chain = [plan]
    current = plan
    while current.previous_id is not None:
        current = JointPlan.objects.select_related("owner").get(pk=current.previous_id)
        chain.append(current)
    current = plan
    while True:
        nxt = JointPlan.objects.select_related("owner").filter(previous_id=current.pk).first()
        if nxt is None:
            break
        chain.insert(0, nxt)
        current = nxt
    return chain


def joint_plan_versions(*, actor: User, plan: JointPlan) -> list[JointPlan]:
    """The versions of the joint plan the actor may read (a participant does not see a new draft), newest first."""
    visible = set(JointPlan.objects.visible_to(actor).filter(owner_id=plan.owner_id).values_list("pk", flat=True))
    return [version for version in joint_plan_chain(plan) if version.pk in visible]


@dataclass
class DepartmentChange:
    organization: str
    kind: str  # added / removed / changed
    items_added: list[str] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)


@dataclass
class JointPlanDiff:
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)
    departments: list[DepartmentChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.departments


def _joint_values(plan: JointPlan) -> dict[str, str]:
    return {
        "计划名称": plan.title,
        "年度": f"{plan.year}年",
        "抽查对象范围": plan.target_scope,
        "抽查比例": f"{plan.ratio_percent}%",
        "时间": f"{plan.window_start:%Y-%m-%d}至{plan.window_end:%Y-%m-%d}",
    }


def _department_items(plan: JointPlan) -> dict[str, tuple[str, list[str]]]:
    """organization code → (name, items as shown: "code name" for items of this system, then the free text lines)."""
    result: dict[str, tuple[str, list[str]]] = {}
    for part in joint_participants(joint_plan=plan):
        items = [f"{i.code} {i.name}" for i in part.items.all()] + part.item_lines
        result[part.organization.code] = (part.organization.name, items)
    return result


def joint_plan_diff(*, old: JointPlan, new: JointPlan) -> JointPlanDiff:
    """What the adjustment changed: the plan's fields (scope, ratio, window …) and the items per department."""
    a, b = _joint_values(old), _joint_values(new)
    diff = JointPlanDiff(fields=[(label, a[label], b[label]) for label in a if a[label] != b[label]])
    before, after = _department_items(old), _department_items(new)
    for code in sorted(set(before) | set(after)):
        if code not in before:
            name, items = after[code]
            diff.departments.append(DepartmentChange(name, "added", items_added=items))
        elif code not in after:
            name, items = before[code]
            diff.departments.append(DepartmentChange(name, "removed", items_removed=items))
        else:
            name, old_items = before[code]
            new_items = after[code][1]
            added = [i for i in new_items if i not in old_items]
            removed = [i for i in old_items if i not in new_items]
            if added or removed:
                diff.departments.append(DepartmentChange(name, "changed", added, removed))
    return diff


def joint_participants(*, joint_plan: JointPlan) -> QuerySet[JointPlanParticipant]:
    return joint_plan.participants.select_related("organization", "confirmed_by").prefetch_related(
        Prefetch("items", queryset=CheckItem.objects.select_related("specialty"))
    ).order_by("pk")


def joint_participant_get(*, actor: User, pk: int) -> JointPlanParticipant:
    participant = JointPlanParticipant.objects.select_related("joint_plan", "organization").filter(pk=pk).first()
    joint_plan_get(actor=actor, pk=participant.joint_plan_id if participant else 0)
    assert participant is not None
    return participant


def participant_choices(*, actor: User) -> QuerySet[Organization]:
    bureau = user_bureau(actor)
    if bureau is None:
        return Organization.objects.none()
    return joint_participant_candidates(bureau).order_by("code")


def national_task_list(*, actor: User) -> QuerySet[NationalTask]:
    return NationalTask.objects.visible_to(actor).select_related("owner", "specialty").prefetch_related(
        "claimed_task"
    ).order_by("-year", "code")


def national_task_get(*, actor: User, pk: int) -> NationalTask:
    return get_visible_or_404(NationalTask.objects.select_related("owner", "specialty"), actor, pk=pk)


def task_list(*, actor: User, state: str | None = None, year: int | None = None) -> QuerySet[Task]:
    qs = Task.objects.visible_to(actor).select_related("owner", "joint_plan", "national_task")
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-code")


def task_get(*, actor: User, pk: int) -> Task:
    return get_visible_or_404(
        Task.objects.select_related("owner", "owner__region", "plan_line", "plan_line__plan", "joint_plan",
                                    "national_task"),
        actor, pk=pk,
    )


def task_scheme(*, task: Task) -> WorkScheme | None:
    return WorkScheme.objects.filter(task=task).select_related("approved_by").first()


@dataclass(frozen=True)
class PlanningTodo:
    """What waits for ``actor`` in planning (counts for the home page; each 0 when the role cannot act)."""

    plans_to_review: int = 0  # 合法性审查
    plans_to_approve: int = 0
    plans_to_file: int = 0  # 备案, then 公布
    schemes_to_approve: int = 0
    schemes_to_publish: int = 0
    joint_to_confirm: int = 0  # this department's part of a joint plan
    tasks_in_progress: int = 0  # own bureau's tasks not yet 已完成/已公示


def planning_todo(*, actor: User) -> PlanningTodo:
    bureau = user_bureau(actor)
    if bureau is None:
        return PlanningTodo()
    owner = bureau.pk
    plans = AnnualPlan.objects.filter(owner_id=owner)
    schemes = WorkScheme.objects.filter(task__owner_id=owner)
    editor, approver = can_edit_plans(actor, owner), can_approve(actor, owner)
    joint_parts = JointPlanParticipant.objects.filter(
        organization_id=owner, confirmed_at__isnull=True, joint_plan__status=JointPlanStatus.CONFIRMING
    )
    return PlanningTodo(
        plans_to_review=plans.filter(status=PlanStatus.SUBMITTED).count() if can_review(actor, owner) else 0,
        plans_to_approve=plans.filter(status=PlanStatus.REVIEWED).count() if approver else 0,
        plans_to_file=plans.filter(status__in=[PlanStatus.APPROVED, PlanStatus.FILED]).count() if editor else 0,
        schemes_to_approve=schemes.filter(status=SchemeStatus.DRAFT).count() if approver else 0,
        schemes_to_publish=schemes.filter(status=SchemeStatus.APPROVED).count() if editor else 0,
        joint_to_confirm=joint_parts.count() if can_confirm_for(actor, bureau) else 0,
        tasks_in_progress=Task.objects.filter(owner_id=owner).exclude(
            state__in=[TaskState.COMPLETED, TaskState.PUBLISHED]
        ).count(),
    )


def task_state_counts(*, actor: User) -> list[dict[str, Any]]:
    """Per bureau the actor may read: how many tasks are in each state (statistics page), one query."""
    rows = (
        Task.objects.visible_to(actor).order_by().values("owner_id", "state").annotate(n=Count("pk"))
    )
    by_owner: dict[int, dict[str, int]] = {}
    for row in rows:
        by_owner.setdefault(row["owner_id"], {})[row["state"]] = row["n"]
    orgs = Organization.objects.in_bulk(list(by_owner))
    result = [
        {"organization": orgs[owner_id], "states": [counts.get(state, 0) for state in TaskState.values],
         "total": sum(counts.values())}
        for owner_id, counts in by_owner.items()
    ]
    return sorted(result, key=lambda row: row["organization"].code)
