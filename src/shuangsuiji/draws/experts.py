"""专家 drawn at random from the 专家库 for the drawn targets whose items need one (``core.experts``).

Runs after the inspectors' match is confirmed, with its own announced randomness (entered like the match's),
so the expert pool is fixed before the randomness is known: the services freeze the pool into the record.
The 一企一表 generation (inspections) adds the selected experts to each team as 专家 (not counted among the
two 执法人员).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core import experts as core
from shuangsuiji.core.verification import Verification
from shuangsuiji.directory.models import (
    CheckItem,
    ConflictDeclaration,
    Inspector,
    InspectorKind,
    InspectorStatus,
    Specialty,
    Target,
)
from shuangsuiji.draws import events
from shuangsuiji.draws.models import (
    DrawnTarget,
    DrawStatus,
    ExpertDraw,
    ExpertDrawStatus,
    ExpertSelection,
    InspectorMatch,
    MatchStatus,
    TargetDraw,
)
from shuangsuiji.draws.permissions import check_can_run
from shuangsuiji.planning.models import Task


@dataclass(frozen=True)
class ExpertPlan:
    """What a task needs: the 专业 of its items that need an expert, and the confirmed draw/match."""

    draw: TargetDraw
    match: InspectorMatch
    specialties: list[Specialty]


def expert_specialties(task: Task) -> list[Specialty]:
    """专业 of the task's items marked 需专家参与 (the items of joint-plan departments included)."""
    ids = set(task.items.filter(needs_expert=True).values_list("specialty_id", flat=True))
    if task.joint_plan_id is not None:
        ids |= set(
            CheckItem.objects.filter(
                needs_expert=True, jointplanparticipant__joint_plan_id=task.joint_plan_id
            ).values_list("specialty_id", flat=True)
        )
    return list(Specialty.objects.filter(pk__in=ids).order_by("sort_order", "code"))


def expert_plan(task: Task) -> ExpertPlan | None:
    """The confirmed draw and match an expert draw would join, or ``None`` when there is none yet."""
    draw = TargetDraw.objects.filter(task=task, status=DrawStatus.CONFIRMED).order_by("-sequence").first()
    if draw is None:
        return None
    match = (
        InspectorMatch.objects.filter(task=task, draw=draw, status=MatchStatus.CONFIRMED).order_by("-sequence").first()
    )
    if match is None:
        return None
    return ExpertPlan(draw=draw, match=match, specialties=expert_specialties(task))


def current_expert_draw(task: Task) -> ExpertDraw | None:
    return ExpertDraw.objects.filter(task=task, status=ExpertDrawStatus.CURRENT).order_by("-sequence").first()


def _inputs(task: Task, plan: ExpertPlan) -> tuple[core.ExpertInputs, dict[str, Any], dict[str, Any]]:
    """Requests (drawn target × needed 专业 the target has) and the 专家库 (frozen into the record)."""
    wanted = {s.pk: s for s in plan.specialties}
    drawn = list(DrawnTarget.objects.filter(draw=plan.draw).select_related("target"))
    target_specialties: dict[int, set[int]] = {}
    for target_id, specialty_id in Target.specialties.through.objects.filter(
        target_id__in=[d.target_id for d in drawn], specialty_id__in=list(wanted)
    ).values_list("target_id", "specialty_id"):
        target_specialties.setdefault(target_id, set()).add(specialty_id)
    requests = [
        core.ExpertRequest(d.target.code, wanted[s].code)
        for d in drawn for s in sorted(target_specialties.get(d.target_id, set()))
    ]
    day = task.window_start
    pool = list(
        Inspector.objects.filter(
            owner_id=task.owner_id, kind=InspectorKind.EXPERT, status=InspectorStatus.ON_DUTY, is_retired=False,
        ).prefetch_related("qualifications")
    )
    conflicts: dict[int, list[str]] = {}
    for inspector_id, code in ConflictDeclaration.objects.filter(
        inspector__in=pool, target_id__in=[d.target_id for d in drawn], valid_from__lte=task.window_end,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).values_list("inspector_id", "target__code"):
        conflicts.setdefault(inspector_id, []).append(code)
    experts = [
        core.Expert(f"E{i.pk}", tuple(q.code for q in i.qualifications.all()), tuple(conflicts.get(i.pk, [])))
        for i in pool
    ]
    inputs = core.ExpertInputs(
        requests=tuple(requests), experts=tuple(experts), max_per_expert=task.max_targets_per_inspector,
        match_digest=plan.match.record_digest,
    )
    return inputs, {d.target.code: d for d in drawn}, {f"E{i.pk}": i for i in pool}


@transaction.atomic
def expert_draw_run(
    *, actor: User, task: Task, randomness: list[str], randomness_source: str, reason: str = ""
) -> ExpertDraw:
    """Draw the experts of a task (a second run supersedes the first and needs a reason)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_can_run(actor, task.owner_id)
    plan = expert_plan(task)
    if plan is None:
        raise ApplicationError("须先完成检查对象抽取和执法人员匹配（并经确认），才能抽取专家")
    if not plan.specialties:
        raise ApplicationError("本任务没有标记为“需专家参与”的抽查事项，无需抽取专家")
    if not randomness_source.strip():
        raise ApplicationError("请说明随机数的出处（如某日公布的开奖号码）")
    previous = current_expert_draw(task)
    if previous is not None and not reason.strip():
        raise ApplicationError("本任务已抽取过专家，重新抽取须写明原因")
    inputs, by_code, experts = _inputs(task, plan)
    if not inputs.requests:
        raise ApplicationError("抽中的检查对象都不涉及需专家参与的专业")
    try:
        record = core.build_record(inputs, randomness)
    except core.ExpertInputError as exc:
        raise ApplicationError(str(exc)) from None
    if previous is not None:
        previous.status = ExpertDrawStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    sequence = (previous.sequence + 1) if previous is not None else ExpertDraw.objects.filter(task=task).count() + 1
    expert_draw = ExpertDraw.objects.create(
        owner_id=task.owner_id, task=task, match=plan.match, sequence=sequence,
        randomness_source=randomness_source.strip()[:255], randomness=record["randomness"], record=record,
        record_digest=record["record_digest"], previous=previous, reason=reason.strip()[:255], drawn_by=actor,
    )
    specialties = {s.code: s for s in plan.specialties}
    ExpertSelection.objects.bulk_create([
        ExpertSelection(
            expert_draw=expert_draw, drawn_target=by_code[target], specialty=specialties[specialty],
            inspector=experts[expert], eligible=eligible,
        )
        for target, specialty, expert, eligible in record["selections"]
    ])
    audit_record(
        actor=actor, event=events.EXPERT_DRAW_RUN, target=expert_draw,
        changes={
            "task": task.code, "sequence": sequence, "record_digest": expert_draw.record_digest,
            "randomness": record["randomness"], "selected": len(record["selections"]),
            "shortfalls": len(record["shortfalls"]), "previous": previous.pk if previous else None,
            "reason": reason.strip(),
        },
    )
    return expert_draw


def expert_draw_verify(expert_draw: ExpertDraw) -> Verification:
    """Re-run the stored record and compare with the stored selections (and the stored digest)."""
    check = core.verify_expert_record(expert_draw.record)
    stored = sorted(
        (s.drawn_target.target.code, s.specialty.code, f"E{s.inspector_id}")
        for s in expert_draw.selections.select_related("drawn_target__target", "specialty")
    )
    recorded = sorted((t, s, e) for t, s, e, _ in expert_draw.record.get("selections", []))
    if stored != recorded:
        check.fail("数据库中的抽中专家与记录不一致")
    if expert_draw.record.get("record_digest") != expert_draw.record_digest:
        check.fail("记录摘要与存档不一致")
    return check


def shortfall_rows(expert_draw: ExpertDraw) -> list[dict[str, str]]:
    """未配齐专家的对象 with names (the bureau 指派s an expert for these, with the reason)."""
    codes = {t for t, _, _ in expert_draw.record.get("shortfalls", [])}
    names = dict(Target.objects.filter(owner_id=expert_draw.owner_id, code__in=codes).values_list("code", "name"))
    specialty_names = dict(Specialty.objects.values_list("code", "name"))
    return [
        {"target": names.get(t, t), "specialty": specialty_names.get(s, s), "reason": r}
        for t, s, r in expert_draw.record.get("shortfalls", [])
    ]


def selections_by_drawn_target(task: Task) -> dict[int, list[ExpertSelection]]:
    """The current expert draw's selections per drawn target (for the 一企一表 teams)."""
    current = current_expert_draw(task)
    if current is None:
        return {}
    found: dict[int, list[ExpertSelection]] = {}
    for selection in current.selections.select_related("inspector", "specialty").order_by("specialty__sort_order"):
        found.setdefault(selection.drawn_target_id, []).append(selection)
    return found

