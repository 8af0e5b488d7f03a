"""Members added to a team by the bureau (指派), beside the randomly matched ones.

- 辅助检查人员 (玉溪: 辅助检查人员库): helpers from the library, role 辅助检查; never counted among the two 执法人员.
- 协助 (莲池: "由该检查事项所属单位派出专业人员协助"): a specialist sent by another unit when the drawn officers
  cannot do a specialist item; recorded as 指派 with the sending unit and the reason, never as random, and printed
  so on the 一企一表 and the 检查通知. Also not counted among the two 执法人员.
- 专家 for an item when the expert draw found nobody (its shortfall): 指派 with the reason.

Members are added or removed only while the record is not yet entered (待检查/已退回).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, readable_owner_ids
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import Inspector, InspectorKind, InspectorStatus
from shuangsuiji.inspections.models import (
    ENTRY_OPEN_STATUSES,
    InspectionRecord,
    MemberRole,
    MemberSource,
    RecordMember,
    RecordStep,
)

ASSIGNABLE_ROLES: dict[str, str] = {
    MemberRole.HELPER: "辅助检查",
    MemberRole.ASSIST: "协助",
    MemberRole.EXPERT: "专家",
}


def assignable_inspectors(actor: User) -> list[Inspector]:
    """Whom the actor may put on a team: on-duty people of the libraries the actor can read."""
    ids = readable_owner_ids(actor)
    qs = Inspector.objects.filter(status=InspectorStatus.ON_DUTY, is_retired=False)
    if ids is not None:
        qs = qs.filter(owner_id__in=ids)
    return list(qs.select_related("organization").order_by("kind", "name")[:2000])


def _check_member(
    *, role: str, inspector: Inspector, record: InspectionRecord, reason: str, sent_by: Organization | None
) -> None:
    if role not in ASSIGNABLE_ROLES:
        raise ApplicationError("指派的成员只能是辅助检查人员、协助人员或专家")
    if not reason.strip():
        raise ApplicationError("指派须写明原因（如：抽中的执法人员不具备放射卫生专业检查能力）")
    if inspector.status != InspectorStatus.ON_DUTY or inspector.is_retired:
        raise ApplicationError(f"{inspector.name}当前不在岗，不能指派")
    if role == MemberRole.HELPER and inspector.kind != InspectorKind.ASSISTANT:
        raise ApplicationError(f"{inspector.name}不在辅助检查人员库中，不能作为辅助检查人员")
    if role == MemberRole.EXPERT and inspector.kind != InspectorKind.EXPERT:
        raise ApplicationError(f"{inspector.name}不在专家库中，不能作为专家")
    if role == MemberRole.ASSIST and sent_by is None:
        raise ApplicationError("协助人员须写明派出单位")
    if record.members.filter(inspector=inspector).exists():
        raise ApplicationError(f"{inspector.name}已在本检查组中")
    from shuangsuiji.directory.models import ConflictDeclaration

    if ConflictDeclaration.objects.filter(inspector=inspector, target_id=record.target_id).exists():
        raise ApplicationError(f"{inspector.name}已申报与该检查对象有利害关系，须回避")


@transaction.atomic
def record_member_assign(
    *,
    actor: User,
    record: InspectionRecord,
    inspector: Inspector,
    role: str,
    reason: str,
    sent_by: Organization | None = None,
) -> RecordMember:
    """指派 a 辅助检查人员, 协助人员 or 专家 to the team of a record (with the reason; audited)."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
    check_can_edit(actor, record.owner_id, Perm.PLAN_EDIT)
    if record.status not in ENTRY_OPEN_STATUSES:
        raise ApplicationError(f"本表当前状态为“{record.get_status_display()}”，不能再调整检查组")
    ids = readable_owner_ids(actor)
    if ids is not None and inspector.owner_id not in ids:
        raise ApplicationError("只能指派本单位及下级名录库中的人员")
    if sent_by is None and role == MemberRole.ASSIST:
        sent_by = inspector.organization
    _check_member(role=role, inspector=inspector, record=record, reason=reason, sent_by=sent_by)
    order = (record.members.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    member = RecordMember.objects.create(
        record=record, inspector=inspector, name=inspector.name, licence_no=inspector.licence_no,
        kind=inspector.kind, role=role, sort_order=order, source=MemberSource.ASSIGNED, sent_by=sent_by,
        assign_reason=reason.strip()[:255],
    )
    RecordStep.objects.create(
        record=record, action="member_assign", from_status=record.status, to_status=record.status, actor=actor,
        comment=f"指派{ASSIGNABLE_ROLES[role]}：{inspector.name}（{member.source_text}）",
    )
    audit_record(
        actor=actor, event="inspection.member_assign", target=record,
        changes={
            "inspector": inspector.pk, "name": inspector.name, "role": role,
            "sent_by": sent_by.name if sent_by else "", "reason": member.assign_reason,
        },
    )
    return member


@transaction.atomic
def record_member_remove(*, actor: User, member: RecordMember, reason: str) -> None:
    """Take a 指派 member off the team again (the random ones change only by re-matching)."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).get(pk=member.record_id)
    check_can_edit(actor, record.owner_id, Perm.PLAN_EDIT)
    if member.source != MemberSource.ASSIGNED:
        raise ApplicationError("随机匹配或随机抽取的成员不能直接移出，须经回避替换或重新匹配")
    if record.status not in ENTRY_OPEN_STATUSES:
        raise ApplicationError(f"本表当前状态为“{record.get_status_display()}”，不能再调整检查组")
    if not reason.strip():
        raise ApplicationError("请写明移出原因")
    RecordStep.objects.create(
        record=record, action="member_remove", from_status=record.status, to_status=record.status, actor=actor,
        comment=f"移出{member.role_label}：{member.name}（{reason.strip()}）",
    )
    audit_record(
        actor=actor, event="inspection.member_remove", target=record,
        changes={"inspector": member.inspector_id, "name": member.name, "role": member.role, "reason": reason.strip()},
    )
    member.delete()
