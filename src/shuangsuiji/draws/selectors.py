"""Reads of the draws app, always scoped to the actor (accounts.scope)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import get_visible_or_404, user_bureau
from shuangsuiji.draws.models import (
    Assignment,
    DrawnTarget,
    DrawStatus,
    InspectorMatch,
    MatchStatus,
    RedrawRequest,
    RedrawStatus,
    TargetDraw,
)
from shuangsuiji.draws.permissions import can_approve, can_confirm, can_run
from shuangsuiji.draws.rules import Batch, task_batches
from shuangsuiji.planning.models import Task, TaskState

STEPS = ("冻结对象池", "公布随机数", "抽取", "双人确认", "匹配人员", "确认人员")
OPEN_STATUSES = (DrawStatus.POOL_FROZEN, DrawStatus.DRAWN, DrawStatus.CONFIRMED)


def task_list(*, actor: User) -> QuerySet[Task]:
    """Tasks that are ready for, or went through, the draw."""
    return (
        Task.objects.visible_to(actor)
        .exclude(state=TaskState.DRAFT)
        .select_related("owner")
        .prefetch_related(Prefetch("draws", queryset=TargetDraw.objects.order_by("-sequence")))
        .order_by("-year", "code")
    )


def task_get(*, actor: User, pk: int) -> Task:
    return get_visible_or_404(Task.objects.select_related("owner", "owner__region"), actor, pk=pk)


def draw_list(*, actor: User, task: Task | None = None) -> QuerySet[TargetDraw]:
    qs = TargetDraw.objects.visible_to(actor).select_related("task", "frozen_by", "drawn_by", "confirmed_by")
    if task is not None:
        qs = qs.filter(task=task)
    return qs.order_by("-sequence")


def draw_get(*, actor: User, pk: int) -> TargetDraw:
    return get_visible_or_404(
        TargetDraw.objects.select_related(
            "task", "owner", "frozen_by", "drawn_by", "confirmed_by", "previous", "redraw_approved_by"
        ),
        actor,
        pk=pk,
    )


def draw_selections(*, draw: TargetDraw) -> QuerySet[DrawnTarget]:
    return (
        DrawnTarget.objects.filter(draw=draw)
        .select_related("target", "target__region", "target__owner")
        .order_by("stratum", "rank")
    )


def match_get(*, actor: User, pk: int) -> InspectorMatch:
    return get_visible_or_404(
        InspectorMatch.objects.select_related("task", "draw", "owner", "matched_by", "confirmed_by", "previous"),
        actor, pk=pk,
    )


def match_list(*, actor: User, task: Task) -> QuerySet[InspectorMatch]:
    return InspectorMatch.objects.visible_to(actor).filter(task=task).select_related("matched_by").order_by("-sequence")


def match_assignments(*, match: InspectorMatch) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(match=match)
        .select_related("drawn_target__target", "inspector", "inspector__region", "replaced_by__inspector")
        .order_by("drawn_target__stratum", "drawn_target__rank", "slot")
    )


def assignment_get(*, actor: User, pk: int) -> Assignment:
    qs = Assignment.objects.select_related("match", "drawn_target__target", "inspector")
    assignment = qs.filter(pk=pk, match__in=InspectorMatch.objects.visible_to(actor)).first()
    if assignment is None:
        from shuangsuiji.common.exceptions import NotFoundError

        raise NotFoundError("对象不存在或不在您的数据范围内")
    return assignment


def redraw_request_get(*, actor: User, pk: int) -> RedrawRequest:
    return get_visible_or_404(RedrawRequest.objects.select_related("draw", "requested_by"), actor, pk=pk)


def redraw_requests(*, actor: User, task: Task) -> QuerySet[RedrawRequest]:
    return (
        RedrawRequest.objects.visible_to(actor)
        .filter(draw__task=task)
        .select_related("draw", "requested_by", "decided_by", "new_draw")
        .order_by("-created_at")
    )


@dataclass
class TaskDrawOverview:
    """Everything the wizard page and the API show for one task."""

    task: Task
    draws: list[TargetDraw]
    current: TargetDraw | None
    matches: list[InspectorMatch]
    current_match: InspectorMatch | None
    requests: list[RedrawRequest]
    pending_request: RedrawRequest | None
    approved_request: RedrawRequest | None
    step: int  # index into STEPS of the next thing to do; len(STEPS) (6) = all done
    blocked_reason: str
    permissions: dict[str, bool] = field(default_factory=dict)

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [
            {"n": n + 1, "label": label, "done": n < self.step, "active": n == self.step}
            for n, label in enumerate(STEPS)
        ]


def _is_participant(actor: User, task: Task) -> bool:
    """The actor's bureau takes part in the joint ``task`` without organizing it (read-only)."""
    bureau = user_bureau(actor)
    return bureau is not None and bureau.pk != task.owner_id and task.participants.filter(pk=bureau.pk).exists()


def task_draw_overview(*, actor: User, task: Task) -> TaskDrawOverview:
    draws = list(draw_list(actor=actor, task=task))
    current = next((d for d in draws if d.status != DrawStatus.SUPERSEDED), None)
    matches = list(match_list(actor=actor, task=task))
    current_match = next(
        (m for m in matches if m.status != MatchStatus.SUPERSEDED and current and m.draw_id == current.pk), None
    )
    requests = list(redraw_requests(actor=actor, task=task))
    pending = next((r for r in requests if r.status == RedrawStatus.PENDING), None)
    approved = next((r for r in requests if r.status == RedrawStatus.APPROVED and r.new_draw_id is None), None)
    blocked = ""
    if current is None:
        step = 0
        if approved is None and task.state == TaskState.DRAFT:
            blocked = "工作方案尚未公布：公布后才能冻结对象池"
        elif approved is None and task.state != TaskState.SCHEME_PUBLISHED:
            blocked = f"任务当前状态为“{task.get_state_display()}”"
    elif current.status == DrawStatus.POOL_FROZEN:
        step = 1
    elif current.status == DrawStatus.DRAWN:
        step = 3
    elif current_match is None:
        step = 4
    elif current_match.status != MatchStatus.CONFIRMED:
        step = 5
    else:
        step = 6
    permissions = {
        "run": can_run(actor, task.owner_id),
        "confirm": can_confirm(actor, task.owner_id) and current is not None and current.drawn_by_id != actor.pk,
        "approve": can_approve(actor, task.owner_id),
        "participant": _is_participant(actor, task),
        "confirm_match": can_confirm(actor, task.owner_id) and current_match is not None
        and current_match.matched_by_id != actor.pk,
    }
    return TaskDrawOverview(
        task=task, draws=draws, current=current, matches=matches, current_match=current_match, requests=requests,
        pending_request=pending, approved_request=approved, step=step, blocked_reason=blocked,
        permissions=permissions,
    )


@dataclass
class TaskDrawSummary:
    """The draw state shown on the planning task page (link to the wizard, latest draw and match)."""

    task: Task
    draw: TargetDraw | None
    match: InspectorMatch | None
    selected: int
    draws: int

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("draws:task_draw", args=[self.task.pk])

    @property
    def batches(self) -> list[Batch]:
        """检查批次顺序 of a 重点 draw (empty otherwise)."""
        return task_batches(self.task, self.draw.record if self.draw is not None else None)


def task_draw_summary(*, actor: User, task: Task) -> TaskDrawSummary:
    """Latest non-superseded draw of ``task`` and its current match, as ``actor`` may read them (3 queries)."""
    draws = list(draw_list(actor=actor, task=task).filter(status__in=OPEN_STATUSES)[:1])
    draw = draws[0] if draws else None
    match = None
    selected = 0
    if draw is not None:
        selected = draw.selections.count()
        match = (
            InspectorMatch.objects.visible_to(actor).filter(draw=draw).exclude(status=MatchStatus.SUPERSEDED)
            .select_related("matched_by").order_by("-sequence").first()
        )
    return TaskDrawSummary(
        task=task, draw=draw, match=match, selected=selected,
        draws=TargetDraw.objects.visible_to(actor).filter(task=task).count(),
    )


def pending_confirmations(*, actor: User) -> QuerySet[TargetDraw]:
    """Draws of the actor's bureau waiting for 双人确认 that the actor may confirm (not drawn by them)."""
    bureau = user_bureau(actor)
    if bureau is None or not can_confirm(actor, bureau.pk):
        return TargetDraw.objects.none()
    return (
        TargetDraw.objects.filter(owner=bureau, status=DrawStatus.DRAWN)
        .exclude(drawn_by=actor)
        .select_related("task")
        .order_by("confirm_deadline", "pk")
    )


def pending_match_confirmations(*, actor: User) -> QuerySet[InspectorMatch]:
    """Matches of the actor's bureau waiting for confirmation that the actor may confirm (not matched by them)."""
    bureau = user_bureau(actor)
    if bureau is None or not can_confirm(actor, bureau.pk):
        return InspectorMatch.objects.none()
    return (
        InspectorMatch.objects.filter(owner=bureau, status=MatchStatus.MATCHED)
        .exclude(matched_by=actor)
        .select_related("task")
        .order_by("matched_at", "pk")
    )


def my_assignments(*, actor: User) -> QuerySet[Assignment]:
    """The active assignments of the inspector profile linked to ``actor`` (their targets to inspect)."""
    return (
        Assignment.objects.filter(inspector__user=actor, is_active=True)
        .exclude(match__status=MatchStatus.SUPERSEDED)
        .select_related("match__task", "drawn_target__target")
    )


def fairness_rows(match: InspectorMatch) -> list[dict[str, Any]]:
    """Per inspector: name, region, expected and actual load (from the record's fairness report)."""
    from shuangsuiji.directory.models import Inspector
    from shuangsuiji.draws.match_inputs import inspector_pk

    loads = match.record.get("fairness", {}).get("loads", [])
    people = Inspector.objects.select_related("region").in_bulk([inspector_pk(x["inspector_id"]) for x in loads])
    rows = []
    for entry in loads:
        person = people.get(inspector_pk(entry["inspector_id"]))
        rows.append(
            {
                "id": entry["inspector_id"],
                "name": person.name if person else entry["inspector_id"],
                "region": person.region.name if person else "",
                "expected": entry["expected_load"],
                "actual": entry["actual_load"],
            }
        )
    rows.sort(key=lambda r: (-r["actual"], -r["expected"], r["id"]))
    return rows
