"""一企一表 of a non-random task (``planning.nonrandom``): one per named target, team 指派 by the bureau.

The team is ≥2 执法人员 with a valid 执法证 (组长 + 组员, recorded as 指派 with the task's source as reason — not
random); 协助/辅助/专家 members are added afterwards like on any record (``inspections.team``). From here on the
records follow the same entry, review, follow-up and publication path as the records of a draw.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import readable_owner_ids
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import (
    ConflictDeclaration,
    Inspector,
    InspectorKind,
    InspectorStatus,
    Target,
)
from shuangsuiji.inspections import hooks
from shuangsuiji.inspections.models import (
    InspectionRecord,
    MemberRole,
    MemberSource,
    RecordItem,
    RecordMember,
    RecordStep,
)
from shuangsuiji.inspections.permissions import check_can_generate
from shuangsuiji.inspections.services import (
    MIN_OFFICERS,
    _items_for_target,
    _task_items,
    bureau_settings,
)
from shuangsuiji.inspections.workdays import add_workdays
from shuangsuiji.planning.models import NonRandomBasis, Task, TaskKind, TaskState


def _check_team(task: Task, team: list[Inspector], targets: list[Target], actor: User) -> None:
    if len({i.pk for i in team}) != len(team):
        raise ApplicationError("检查组成员重复")
    if len(team) < MIN_OFFICERS:
        raise ApplicationError(f"检查组执法人员不得少于{MIN_OFFICERS}名")
    ids = readable_owner_ids(actor)
    for inspector in team:
        if ids is not None and inspector.owner_id not in ids:
            raise ApplicationError(f"{inspector.name}不在本单位名录库中")
        if inspector.kind != InspectorKind.OFFICER:
            raise ApplicationError(f"{inspector.name}不是执法人员（专家、辅助检查人员可在生成后另行指派，不计入执法人员）")
        if inspector.status != InspectorStatus.ON_DUTY or inspector.is_retired:
            raise ApplicationError(f"{inspector.name}当前不在岗")
        if not (inspector.licence_valid_on(task.window_start) and inspector.licence_valid_on(task.window_end)):
            raise ApplicationError(f"{inspector.name}的行政执法证在检查期间无效")
    conflict = (
        ConflictDeclaration.objects.filter(inspector__in=team, target__in=targets)
        .select_related("inspector", "target").first()
    )
    if conflict is not None:
        raise ApplicationError(f"{conflict.inspector.name}已申报与“{conflict.target.name}”有利害关系，须回避")


@transaction.atomic
def nonrandom_records_generate(
    *, actor: User, task: Task, leader: Inspector, members: Sequence[Inspector]
) -> list[InspectionRecord]:
    """Generate the 一企一表 of a non-random task with its 指派 team and start the inspection."""
    from shuangsuiji.planning.services import task_transition

    task = Task.objects.select_for_update(of=("self",)).select_related("owner").get(pk=task.pk)
    check_can_generate(actor, task)
    if task.kind != TaskKind.NONRANDOM:
        raise ApplicationError("只有非随机检查任务可以不经抽取直接指派检查组")
    if task.state != TaskState.DRAFT:
        raise ApplicationError("该任务已生成一企一表并开始检查")
    basis = NonRandomBasis.objects.get(task=task)
    targets = list(basis.targets.order_by("name"))
    team = [leader, *[m for m in members if m.pk != leader.pk]]
    _check_team(task, team, targets, actor)
    planned = _task_items(task)
    if not planned:
        raise ApplicationError("该任务没有抽查事项，不能生成一企一表")
    reason = f"非随机检查（{basis.get_source_display()}{'，' + basis.reference if basis.reference else ''}）指派"
    deadline = add_workdays(task.window_end, bureau_settings(task.owner_id).entry_workdays)
    specialty_map: dict[int, set[int]] = {}
    for target_id, specialty_id in Target.specialties.through.objects.filter(
        target_id__in=[t.pk for t in targets]
    ).values_list("target_id", "specialty_id"):
        specialty_map.setdefault(target_id, set()).add(specialty_id)
    created: list[InspectionRecord] = []
    for number, target in enumerate(targets, start=1):
        record = InspectionRecord.objects.create(
            owner_id=task.owner_id, task=task, draw=None, drawn_target=None, target=target,
            number=f"{task.code}-{number:03d}", methods=list(task.methods) or ["on_site"], place=target.address,
            entry_deadline=deadline.date, entry_deadline_provisional=True,
        )
        RecordItem.objects.bulk_create([
            RecordItem(
                record=record, check_item=p.check_item, department=p.department, sort_order=order, code=p.code,
                name=p.name, specialty_name=p.specialty_name, sub_items=p.sub_items, legal_basis=p.legal_basis,
                methods=p.methods,
            )
            for order, p in enumerate(_items_for_target(planned, specialty_map.get(target.pk, set())), start=1)
        ])
        RecordMember.objects.bulk_create([
            RecordMember(
                record=record, inspector=inspector, name=inspector.name, licence_no=inspector.licence_no,
                kind=inspector.kind, role=MemberRole.LEADER if order == 1 else MemberRole.MEMBER, sort_order=order,
                source=MemberSource.ASSIGNED, assign_reason=reason,
            )
            for order, inspector in enumerate(team, start=1)
        ])
        RecordStep.objects.create(record=record, action="generate", from_status="", to_status=record.status,
                                  actor=actor, comment=reason)
        hooks.on_record_created(actor=actor, record=record)
        created.append(record)
    audit_record(
        actor=actor, event="inspection.records_generate_nonrandom", target=task,
        changes={"created": len(created), "team": [i.name for i in team], "reason": reason},
    )
    hooks.on_records_generated(actor=actor, task=task, created=created)
    task_transition(actor=actor, task=task, to_state=TaskState.INSPECTING, comment="已指派检查组并生成一企一表")
    return created
