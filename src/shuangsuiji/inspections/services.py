"""Writes of 一企一表: generation from a confirmed draw/match, result entry with evidence, review, notices.

Every function checks permission and scope, runs in one transaction and writes one audit entry per state
change. Follow-up cases (后续处置) are in ``followup.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, bureau_for_write
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.flag_services import record_flag
from shuangsuiji.directory.models import CheckItem, FlagSource, InspectionMethod, InspectorKind, Target
from shuangsuiji.draws.experts import selections_by_drawn_target
from shuangsuiji.draws.models import (
    Assignment,
    DrawnTarget,
    DrawStatus,
    ExpertSelection,
    InspectorMatch,
    MatchStatus,
    TargetDraw,
)
from shuangsuiji.inspections import hooks, uploads
from shuangsuiji.inspections.models import (
    ENTRY_OPEN_STATUSES,
    PUBLICATION_PRECEDENCE,
    Evidence,
    Finding,
    FollowUpCase,
    FollowUpMeasure,
    InspectionNotice,
    InspectionRecord,
    InspectionSettings,
    MemberRole,
    MemberSource,
    PublicationGroup,
    RecordItem,
    RecordMember,
    RecordStatus,
    RecordStep,
    ResultCode,
    SignatureKind,
)
from shuangsuiji.inspections.permissions import (
    check_can_enter,
    check_can_generate,
    check_can_review,
)
from shuangsuiji.inspections.workdays import add_workdays
from shuangsuiji.planning.models import JointPlanParticipant, Task, TaskKind

METHOD_VALUES = {value for value, _ in InspectionMethod.choices}
MIN_OFFICERS = 2


def bureau_settings(owner: Organization | int) -> InspectionSettings:
    owner_id = owner if isinstance(owner, int) else owner.pk
    found, _ = InspectionSettings.objects.get_or_create(owner_id=owner_id)
    return found


@transaction.atomic
def settings_update(*, actor: User, data: dict[str, Any]) -> InspectionSettings:
    bureau = bureau_for_write(actor, Perm.PLAN_EDIT)
    current = bureau_settings(bureau)
    changes: dict[str, Any] = {}
    for name in ("keep_photo_location", "entry_workdays", "default_rectify_workdays", "documents_notice_workdays"):
        if name in data and getattr(current, name) != data[name]:
            changes[name] = (getattr(current, name), data[name])
            setattr(current, name, data[name])
    if changes:
        current.full_clean()
        current.save()
        audit_record(actor=actor, event="inspection_settings.update", target=current, changes=changes)
    return current


def _step(*, record: InspectionRecord, actor: User, action: str, old: str, comment: str = "") -> None:
    RecordStep.objects.create(
        record=record, action=action, from_status=old, to_status=record.status, actor=actor, comment=comment
    )


# ---------------------------------------------------------------- generation


@dataclass
class GenerateResult:
    created: list[InspectionRecord] = field(default_factory=list)
    refreshed: int = 0
    cancelled: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PlannedItem:
    check_item: CheckItem | None
    department: Organization
    code: str
    name: str
    specialty_id: int | None
    specialty_name: str
    sub_items: list[str]
    legal_basis: str
    methods: list[str]


def current_draw_and_match(task: Task) -> tuple[TargetDraw, InspectorMatch]:
    draw = TargetDraw.objects.filter(task=task, status=DrawStatus.CONFIRMED).order_by("-sequence").first()
    if draw is None:
        raise ApplicationError("该任务尚无已确认的检查对象抽取结果，不能生成一企一表")
    match = (
        InspectorMatch.objects.filter(task=task, draw=draw, status=MatchStatus.CONFIRMED).order_by("-sequence").first()
    )
    if match is None:
        raise ApplicationError("该任务的执法检查人员匹配结果尚未确认，不能生成一企一表")
    return draw, match


def _task_items(task: Task) -> list[_PlannedItem]:
    """Items of every participating department: the task's items, the joint plan's per-department items."""
    items: dict[int, CheckItem] = {
        i.pk: i for i in task.items.select_related("specialty", "owner").order_by("code", "pk")
    }
    planned: list[_PlannedItem] = []
    text_items: list[_PlannedItem] = []
    if task.joint_plan_id is not None:
        participants = JointPlanParticipant.objects.filter(joint_plan_id=task.joint_plan_id).select_related(
            "organization"
        ).prefetch_related("items__specialty", "items__owner")
        for participant in participants:
            for item in participant.items.all():
                items.setdefault(item.pk, item)
            for line in participant.item_lines:
                text_items.append(
                    _PlannedItem(
                        check_item=None, department=participant.organization, code="", name=line,
                        specialty_id=None, specialty_name="", sub_items=[],
                        legal_basis=f"（依据由{participant.organization.name}提供）", methods=[],
                    )
                )
    for item in items.values():
        planned.append(
            _PlannedItem(
                check_item=item, department=item.owner, code=item.code, name=item.name,
                specialty_id=item.specialty_id, specialty_name=item.specialty.name, sub_items=list(item.sub_items),
                legal_basis=item.legal_basis, methods=list(item.methods),
            )
        )

    def order(p: _PlannedItem) -> tuple[int, str, str]:
        return (0 if p.department.pk == task.owner_id else 1, p.department.name, p.code)

    return sorted(planned, key=order) + text_items


def _items_for_target(planned: list[_PlannedItem], specialty_ids: set[int]) -> list[_PlannedItem]:
    matching = [p for p in planned if p.specialty_id is None or p.specialty_id in specialty_ids]
    if not any(p.specialty_id is not None for p in matching):
        # The target's 专业 match no item (data changed after the draw): list every item, the team marks 不适用.
        return planned
    return matching


def _active_assignments(match: InspectorMatch) -> dict[int, list[Assignment]]:
    by_target: dict[int, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(match=match, is_active=True).select_related("inspector").order_by("slot", "pk")
    ):
        by_target.setdefault(assignment.drawn_target_id, []).append(assignment)
    return by_target


def _member_values(order: int, assignment: Assignment | ExpertSelection) -> dict[str, Any]:
    inspector = assignment.inspector
    if isinstance(assignment, ExpertSelection):  # drawn from the 专家库 (draws.experts)
        return {
            "inspector_id": inspector.pk, "assignment_id": None, "name": inspector.name,
            "licence_no": inspector.licence_no, "kind": inspector.kind, "role": MemberRole.EXPERT,
            "sort_order": order, "source": MemberSource.EXPERT_DRAW,
        }
    return {
        "inspector_id": inspector.pk, "assignment_id": assignment.pk, "name": inspector.name,
        "licence_no": inspector.licence_no, "kind": inspector.kind, "role": assignment.role, "sort_order": order,
        "source": MemberSource.MATCH,
    }


def _team_of(
    drawn_target_id: int, assignments: dict[int, list[Assignment]], experts: dict[int, list[ExpertSelection]]
) -> list[Assignment | ExpertSelection]:
    """The random part of a team: matched inspectors, then drawn experts not already on it."""
    team: list[Assignment | ExpertSelection] = list(assignments.get(drawn_target_id, []))
    seen = {a.inspector_id for a in team}
    for selection in experts.get(drawn_target_id, []):
        if selection.inspector_id not in seen:
            team.append(selection)
            seen.add(selection.inspector_id)
    return team


def drawn_target_pk(record: InspectionRecord) -> int:
    assert record.drawn_target_id is not None  # records of a draw
    return record.drawn_target_id


def _sync_members(
    record: InspectionRecord, current: list[RecordMember], assignments: list[Assignment | ExpertSelection]
) -> bool:
    """Make the random part of a not-yet-entered record's team match the active assignments and drawn experts
    (members 指派 by the bureau stay). Returns True if changed."""
    assigned = [m for m in current if m.source == MemberSource.ASSIGNED]
    current = [m for m in current if m.source != MemberSource.ASSIGNED]
    wanted = {a.inspector_id for a in assignments} - {m.inspector_id for m in assigned}
    assignments = [a for a in assignments if a.inspector_id in wanted]
    changed = False
    stale = [m.pk for m in current if m.inspector_id not in wanted]
    if stale:
        RecordMember.objects.filter(pk__in=stale).delete()
        changed = True
    existing = {m.inspector_id: m for m in current if m.inspector_id in wanted}
    for order, assignment in enumerate(assignments, start=1):
        values = _member_values(order, assignment)
        found = existing.get(assignment.inspector_id)
        if found is None:
            RecordMember.objects.create(record=record, **values)
            changed = True
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            found.save()
            changed = True
    return changed


@transaction.atomic
def records_generate_for_task(*, actor: User, task: Task) -> GenerateResult:
    """One 一企一表 per drawn target of the task's confirmed draw and match (idempotent).

    Re-running it creates the records of new drawn targets, refreshes the team of records not yet entered
    (swaps after the match), and cancels not-yet-entered records of targets that a re-draw removed.
    Rows are written in bulk: a few queries for the whole task, not per record.
    """
    task = Task.objects.select_for_update(of=("self",)).select_related("owner", "joint_plan").get(pk=task.pk)
    check_can_generate(actor, task)
    if task.kind == TaskKind.NONRANDOM:
        raise ApplicationError("非随机检查不经抽取：请在任务的一企一表页面指派检查组后生成")
    draw, match = current_draw_and_match(task)
    result = GenerateResult()
    entry_days = bureau_settings(task.owner_id).entry_workdays
    planned = _task_items(task)
    if not planned:
        raise ApplicationError("该任务没有抽查事项，不能生成一企一表")
    assignments = _active_assignments(match)
    experts = selections_by_drawn_target(task)
    existing = {r.drawn_target_id: r for r in InspectionRecord.objects.filter(task=task)}
    steps: list[RecordStep] = []

    # Records of drawn targets that are no longer in the current draw.
    cancelled = [r for r in existing.values() if r.draw_id != draw.pk and r.status == RecordStatus.PENDING]
    for record in cancelled:
        record.status = RecordStatus.CANCELLED
        record.cancel_reason = f"检查对象已重新抽取（第{draw.sequence}次抽取）"
        steps.append(RecordStep(record=record, action="cancel", from_status=RecordStatus.PENDING,
                                to_status=record.status, actor=actor, comment=record.cancel_reason))
        hooks.on_record_cancelled(actor=actor, record=record)
    if cancelled:
        InspectionRecord.objects.bulk_update(cancelled, ["status", "cancel_reason", "updated_at"])
        result.cancelled = len(cancelled)

    # Teams of records not yet entered (one query for all their members).
    pending = {r.pk: r for r in existing.values() if r.draw_id == draw.pk and r.status == RecordStatus.PENDING}
    members_by_record: dict[int, list[RecordMember]] = {pk: [] for pk in pending}
    for member in RecordMember.objects.filter(record_id__in=list(pending)).order_by("sort_order"):
        members_by_record[member.record_id].append(member)
    for record in pending.values():
        if record.drawn_target_id is not None and _sync_members(
            record, members_by_record[record.pk], _team_of(record.drawn_target_id, assignments, experts)
        ):
            result.refreshed += 1

    next_number = len(existing) + 1
    deadline = add_workdays(task.window_end, entry_days)
    drawn = [
        d for d in DrawnTarget.objects.filter(draw=draw).select_related("target").order_by("stratum", "rank", "pk")
        if d.pk not in existing
    ]
    specialty_map: dict[int, set[int]] = {}
    for target_id, specialty_id in Target.specialties.through.objects.filter(
        target_id__in=[d.target_id for d in drawn]
    ).values_list("target_id", "specialty_id"):
        specialty_map.setdefault(target_id, set()).add(specialty_id)
    new_records: list[InspectionRecord] = []
    for drawn_target in drawn:
        team = assignments.get(drawn_target.pk, [])
        if len([a for a in team if a.inspector.kind == InspectorKind.OFFICER]) < MIN_OFFICERS:
            result.warnings.append(f"{drawn_target.target.name}：匹配的执法人员不足{MIN_OFFICERS}名，请先补足人员")
        target = drawn_target.target
        new_records.append(InspectionRecord(
            owner_id=task.owner_id, task=task, draw=draw, drawn_target=drawn_target, target=target,
            number=f"{task.code}-{next_number:03d}", methods=list(task.methods) or ["on_site"],
            place=target.address, entry_deadline=deadline.date, entry_deadline_provisional=True,
        ))
        next_number += 1
    InspectionRecord.objects.bulk_create(new_records)
    if new_records and new_records[0].pk is None:  # backends that do not return ids from bulk inserts
        by_drawn = dict(InspectionRecord.objects.filter(task=task).values_list("drawn_target_id", "pk"))
        for record in new_records:
            record.pk = by_drawn[record.drawn_target_id]
    items: list[RecordItem] = []
    members: list[RecordMember] = []
    for record in new_records:
        for order, p in enumerate(_items_for_target(planned, specialty_map.get(record.target_id, set())), start=1):
            items.append(RecordItem(
                record=record, check_item=p.check_item, department=p.department, sort_order=order, code=p.code,
                name=p.name, specialty_name=p.specialty_name, sub_items=p.sub_items, legal_basis=p.legal_basis,
                methods=p.methods,
            ))
        for order, assignment in enumerate(_team_of(drawn_target_pk(record), assignments, experts), start=1):
            members.append(RecordMember(record=record, **_member_values(order, assignment)))
        steps.append(RecordStep(record=record, action="generate", from_status="", to_status=record.status, actor=actor))
    RecordItem.objects.bulk_create(items, batch_size=2000)
    RecordMember.objects.bulk_create(members, batch_size=2000)
    RecordStep.objects.bulk_create(steps, batch_size=2000)
    for record in new_records:
        hooks.on_record_created(actor=actor, record=record)
    result.created = new_records

    audit_record(
        actor=actor, event="inspection.records_generate", target=task,
        changes={
            "draw": draw.pk, "match": match.pk, "created": len(result.created), "refreshed": result.refreshed,
            "cancelled": result.cancelled,
        },
    )
    hooks.on_records_generated(actor=actor, task=task, created=result.created)
    return result


# ---------------------------------------------------------------- result entry


@dataclass
class ResultEntry:
    """What the entry form (or the API) sends for one record."""

    methods: list[str]
    inspected_on: datetime.date
    findings: dict[int, tuple[str, str]]  # RecordItem id → (finding, note)
    result_codes: list[str]
    present_member_ids: list[int]
    signature_kind: str = ""
    place: str = ""
    situation: str = ""
    result_note: str = ""
    rectify_workdays: int | None = None
    signer_name: str = ""
    refusal_reason: str = ""
    refusal_witness: str = ""
    client_submission_id: str = ""


def _selected_codes(codes: list[str]) -> list[ResultCode]:
    unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not unique:
        raise ApplicationError("请选择抽查结果")
    found = {c.code: c for c in ResultCode.objects.filter(code__in=unique, is_active=True)}
    unknown = [c for c in unique if c not in found]
    if unknown:
        raise ApplicationError(f"未知或已停用的抽查结果代码：{'、'.join(unknown)}")
    selected = [found[c] for c in unique]
    not_selectable = [c.name for c in selected if not c.is_selectable]
    if not_selectable:
        raise ApplicationError(f"“{'、'.join(not_selectable)}”是分类标题，请选择其下的具体结果")
    exclusive = [c for c in selected if c.is_exclusive]
    if exclusive and len(selected) > 1:
        raise ApplicationError(f"“{exclusive[0].name}”不能与其他抽查结果同时选择")
    return selected


def validate_result(
    *, record: InspectionRecord, entry: ResultEntry, items: list[RecordItem], members: list[RecordMember], today: datetime.date
) -> list[ResultCode]:
    """All entry rules; raises ApplicationError with the first problem, in Chinese."""
    if not entry.methods:
        raise ApplicationError("请选择检查方式（可多选）")
    bad_methods = [m for m in entry.methods if m not in METHOD_VALUES]
    if bad_methods:
        raise ApplicationError(f"未知的检查方式：{'、'.join(bad_methods)}")
    if entry.inspected_on > today:
        raise ApplicationError("检查日期不能晚于今天")
    if entry.inspected_on < record.task.window_start:
        raise ApplicationError(f"检查日期早于任务开始日期（{format_cn_date(record.task.window_start)}）")

    codes = _selected_codes(entry.result_codes)
    needs_findings = any(c.requires_findings for c in codes)
    item_ids = {i.pk for i in items}
    unknown_items = set(entry.findings) - item_ids
    if unknown_items:
        raise ApplicationError("检查事项与本表不符，请刷新页面后重新填写")
    valid_findings = {value for value, _ in Finding.choices}
    for item in items:
        finding, _note = entry.findings.get(item.pk, ("", ""))
        if finding and finding not in valid_findings:
            raise ApplicationError(f"“{item.name}”的检查结论无效")
        if needs_findings and not finding:
            raise ApplicationError(f"请填写“{item.name}”的检查结论（合格/不合格/不适用）")
    failed = [i for i in items if entry.findings.get(i.pk, ("", ""))[0] == Finding.FAIL]
    for item in failed:
        if not entry.findings[item.pk][1].strip():
            raise ApplicationError(f"“{item.name}”不合格，请描述发现的问题")
    if needs_findings and items and all(entry.findings[i.pk][0] == Finding.NOT_APPLICABLE for i in items):
        raise ApplicationError("全部事项均为“不适用”，请选择相应的抽查结果（如未发现开展本次抽查涉及的经营活动）")
    problem_codes = [c for c in codes if c.is_problem]
    if failed and not problem_codes:
        raise ApplicationError("有不合格的检查事项，抽查结果须选择“发现问题”下的结果（不能选“未发现问题”）")
    findings_problem_codes = [c for c in problem_codes if c.requires_findings]
    if findings_problem_codes and not failed:
        raise ApplicationError(f"选择了“{findings_problem_codes[0].name}”，但没有不合格的检查事项")
    if any(c.requires_note for c in codes) and not entry.result_note.strip():
        names = "、".join(c.name for c in codes if c.requires_note)
        raise ApplicationError(f"选择“{names}”时须填写结果说明")
    if any(FollowUpMeasure.RECTIFY in c.follow_up_measures for c in codes):
        if entry.rectify_workdays is None or not 1 <= entry.rectify_workdays <= 90:
            raise ApplicationError("责令改正须填写整改期限（1—90 个工作日）")

    member_ids = {m.pk for m in members}
    if set(entry.present_member_ids) - member_ids:
        raise ApplicationError("到场人员须是本检查组成员")
    present = [m for m in members if m.pk in set(entry.present_member_ids)]
    invalid = [
        m.name for m in present
        if m.kind == InspectorKind.OFFICER and not m.inspector.licence_valid_on(entry.inspected_on)
    ]
    if invalid:
        raise ApplicationError(f"{'、'.join(invalid)}的行政执法证在检查日期无效，不能作为执法人员到场")
    officers = [m for m in present if m.is_counted_officer]
    if len(officers) < MIN_OFFICERS:
        raise ApplicationError(
            f"到场执法人员须不少于{MIN_OFFICERS}名并出示执法证（当前 {len(officers)} 名；"
            "辅助检查人员、专家和指派的协助人员不计入）"
        )

    on_site = InspectionMethod.ON_SITE in entry.methods
    if entry.signature_kind and entry.signature_kind not in SignatureKind.values:
        raise ApplicationError("企业签字方式无效")
    if on_site and needs_findings and not entry.signature_kind:
        raise ApplicationError("现场检查须由被检查单位签字确认，或记录拒签原因和见证人")
    if entry.signature_kind == SignatureKind.REFUSED:
        if not entry.refusal_reason.strip():
            raise ApplicationError("拒签须如实记录拒签原因")
        if not entry.refusal_witness.strip():
            raise ApplicationError("拒签须记录见证人（姓名及身份）")
    if entry.signature_kind == SignatureKind.PAD and not entry.signer_name.strip():
        raise ApplicationError("请填写签字人姓名")
    return codes


@transaction.atomic
def record_submit_result(
    *,
    actor: User,
    record: InspectionRecord,
    entry: ResultEntry,
    signature_data_url: str = "",
    signature_scan: uploads.Upload | None = None,
    evidence_files: Sequence[uploads.Upload] | None = None,
) -> InspectionRecord:
    """Enter the results of one record (谁检查、谁录入) and submit them for review."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task", "owner").get(pk=record.pk)
    check_can_enter(actor, record)
    if (
        entry.client_submission_id
        and record.client_submission_id == entry.client_submission_id
        and record.status not in ENTRY_OPEN_STATUSES
    ):
        return record  # the same submission sent again (offline queue): already done
    if record.status not in ENTRY_OPEN_STATUSES:
        raise ApplicationError(f"本表当前状态为“{record.get_status_display()}”，不能录入结果")
    today = timezone.localdate()
    pending_tests = record.testings.filter(status="waiting").values_list("agency_name", flat=True)
    if pending_tests:
        raise ApplicationError(
            f"检验检测报告尚未出具（{'、'.join(pending_tests)}），结果录入期限中止中：请登记检测报告后再提交"
        )
    items = list(record.items.all())
    members = list(record.members.select_related("inspector"))
    codes = validate_result(record=record, entry=entry, items=items, members=members, today=today)
    keep_location = bureau_settings(record.owner_id).keep_photo_location

    signature: Evidence | None = None
    if entry.signature_kind == SignatureKind.PAD:
        if not signature_data_url:
            raise ApplicationError("请在签名板上签字")
        stored = uploads.store_signature_data_url(signature_data_url)
        signature = _evidence_row(actor=actor, record=record, stored=stored, note=f"{entry.signer_name} 签名")
    elif entry.signature_kind == SignatureKind.SCAN:
        if signature_scan is None:
            if record.signature_file_id is None or record.signature_kind != SignatureKind.SCAN:
                raise ApplicationError("请上传签字盖章页的扫描件或照片")
            signature = record.signature_file
        else:
            stored = uploads.store_upload(signature_scan, keep_location=keep_location, kind_hint="scan")
            signature = _evidence_row(actor=actor, record=record, stored=stored, note="签字盖章扫描件")
    for upload in evidence_files or []:
        stored = uploads.store_upload(upload, keep_location=keep_location)
        _evidence_row(actor=actor, record=record, stored=stored, note="")

    for item in items:
        finding, note = entry.findings.get(item.pk, ("", ""))
        if item.finding != finding or item.note != note.strip():
            item.finding, item.note = finding, note.strip()
            item.save(update_fields=["finding", "note"])
    present_ids = set(entry.present_member_ids)
    for member in members:
        if member.present != (member.pk in present_ids):
            member.present = member.pk in present_ids
            member.save(update_fields=["present"])
    record.result_codes.set(codes)

    # days the deadline was 中止 for test reports (inspections/testing.py) are not counted
    held = sum(record.testings.values_list("held_workdays", flat=True))
    deadline = add_workdays(entry.inspected_on, bureau_settings(record.owner_id).entry_workdays + held)
    old = record.status
    record.methods = list(dict.fromkeys(entry.methods))
    record.inspected_on = entry.inspected_on
    record.place = entry.place.strip() or record.place
    record.situation = entry.situation.strip()
    record.result_note = entry.result_note.strip()
    record.rectify_workdays = (
        entry.rectify_workdays if any(FollowUpMeasure.RECTIFY in c.follow_up_measures for c in codes) else None
    )
    record.signature_kind = entry.signature_kind
    record.signer_name = entry.signer_name.strip() if entry.signature_kind != SignatureKind.REFUSED else ""
    record.signature_file = signature if entry.signature_kind in (SignatureKind.PAD, SignatureKind.SCAN) else None
    record.refusal_reason = entry.refusal_reason.strip() if entry.signature_kind == SignatureKind.REFUSED else ""
    record.refusal_witness = entry.refusal_witness.strip() if entry.signature_kind == SignatureKind.REFUSED else ""
    record.entry_deadline = deadline.date
    record.entry_deadline_provisional = deadline.provisional
    record.entered_late = today > deadline.date
    record.client_submission_id = entry.client_submission_id[:64]
    record.status = RecordStatus.SUBMITTED
    record.submitted_by = actor
    record.submitted_at = timezone.now()
    record.save()
    late = "（逾期录入）" if record.entered_late else ""
    _step(record=record, actor=actor, action="submit", old=old, comment=late)
    audit_record(
        actor=actor, event="inspection.submit", target=record,
        changes={
            "status": (old, record.status), "inspected_on": record.inspected_on, "methods": record.methods,
            "result_codes": [c.code for c in codes], "signature_kind": record.signature_kind,
            "failed_items": [i.name for i in items if i.finding == Finding.FAIL], "entered_late": record.entered_late,
        },
    )
    hooks.on_result_submitted(actor=actor, record=record)
    return record


def _evidence_row(
    *, actor: User, record: InspectionRecord, stored: uploads.StoredFile, note: str, case: FollowUpCase | None = None
) -> Evidence:
    existing = Evidence.objects.filter(record=record, case=case, sha256=stored.sha256).first()
    if existing is not None:
        return existing
    return Evidence.objects.create(
        owner_id=record.owner_id, record=record, case=case, kind=stored.kind, sha256=stored.sha256,
        original_sha256=stored.original_sha256, size=stored.size, mime=stored.mime, extension=stored.extension,
        original_name=stored.original_name, storage_path=stored.storage_path, width=stored.width,
        height=stored.height, location_kept=stored.location_kept, note=note[:255], uploaded_by=actor,
    )


@transaction.atomic
def evidence_add(
    *, actor: User, record: InspectionRecord, upload: uploads.Upload, note: str = "", case: FollowUpCase | None = None
) -> Evidence:
    """Attach one evidence file to a record (before approval) or to an open follow-up case."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
    if case is not None:
        from shuangsuiji.inspections.models import CaseStatus
        from shuangsuiji.inspections.permissions import check_can_handle_case

        check_can_handle_case(actor, case)
        if case.record_id != record.pk:
            raise ApplicationError("证据材料与处置记录不对应")
        if case.status != CaseStatus.OPEN:
            raise ApplicationError("已办结的处置记录不能再补充材料")
    else:
        check_can_enter(actor, record)
        if record.status in (RecordStatus.APPROVED, RecordStatus.CANCELLED):
            raise ApplicationError(f"本表状态为“{record.get_status_display()}”，不能再上传证据材料")
    stored = uploads.store_upload(upload, keep_location=bureau_settings(record.owner_id).keep_photo_location)
    evidence = _evidence_row(actor=actor, record=record, stored=stored, note=note, case=case)
    audit_record(
        actor=actor, event="inspection.evidence_add", target=evidence,
        changes={"record": record.pk, "case": case.pk if case else None, "sha256": evidence.sha256,
                 "kind": evidence.kind, "size": evidence.size},
    )
    return evidence


# ---------------------------------------------------------------- review


@transaction.atomic
def record_review(*, actor: User, record: InspectionRecord, approve: bool, comment: str = "") -> InspectionRecord:
    """科室 review: 退回 with a reason, or 通过 (opens follow-up cases, updates the target, ready to publish)."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task", "target").get(pk=record.pk)
    check_can_review(actor, record)
    if record.status != RecordStatus.SUBMITTED:
        raise ApplicationError(f"本表当前状态为“{record.get_status_display()}”，不能审核")
    old = record.status
    record.reviewed_by = actor
    record.reviewed_at = timezone.now()
    record.review_comment = comment.strip()
    if not approve:
        if not comment.strip():
            raise ApplicationError("退回须写明原因")
        record.status = RecordStatus.RETURNED
        record.return_count += 1
        record.save()
        _step(record=record, actor=actor, action="return", old=old, comment=record.review_comment)
        audit_record(
            actor=actor, event="inspection.return", target=record,
            changes={"status": (old, record.status), "reason": record.review_comment},
        )
        hooks.on_record_reviewed(actor=actor, record=record, approved=False)
        return record
    record.status = RecordStatus.APPROVED
    record.save()
    _step(record=record, actor=actor, action="approve", old=old, comment=record.review_comment)
    from shuangsuiji.inspections import followup

    cases = followup.open_cases_for_record(actor=actor, record=record)
    target_changes = apply_result_to_target(actor=actor, record=record)
    audit_record(
        actor=actor, event="inspection.approve", target=record,
        changes={
            "status": (old, record.status), "cases_opened": [c.number for c in cases], "target": target_changes,
        },
    )
    hooks.on_record_reviewed(actor=actor, record=record, approved=True)
    return record


def publication_group(record: InspectionRecord) -> PublicationGroup | None:
    """The seed-003 group a record is published under, derived from its result codes and its cases."""
    groups = {c.publication_group for c in record.result_codes.all()}
    if FollowUpCase.objects.filter(record=record, penalty_decided_on__isnull=False).exists():
        groups.add(PublicationGroup.PENALTY)
    for group in PUBLICATION_PRECEDENCE:
        if group in groups:
            return group
    return None


def apply_result_to_target(*, actor: User, record: InspectionRecord) -> dict[str, Any]:
    """Results flow back to the target: last inspection date and result, risk flags (next year's draw)."""
    target = Target.objects.select_for_update(of=("self",)).get(pk=record.target_id)
    changes: dict[str, Any] = {}
    # Only 双随机 inspections move the target's last inspection (the draws' exclusion and 3–5-year coverage):
    # a non-random one (投诉举报 …) is no 双随机 coverage (大洼: only random checks may replace the year's check).
    is_random = record.task.kind != TaskKind.NONRANDOM
    if is_random and record.inspected_on and (
        target.last_inspected_on is None or target.last_inspected_on <= record.inspected_on
    ):
        group = publication_group(record)
        label = PublicationGroup(group).label if group else ""
        names = "、".join(c.name for c in record.result_codes.all())
        result_text = (label if label and label in names else f"{label}（{names}）" if label else names)[:64]
        if target.last_inspected_on != record.inspected_on:
            changes["last_inspected_on"] = (target.last_inspected_on, record.inspected_on)
            target.last_inspected_on = record.inspected_on
        if target.last_result != result_text:
            changes["last_result"] = (target.last_result, result_text)
            target.last_result = result_text
    failed_testing = InspectionMethod.TESTING in record.methods and record.items.filter(finding=Finding.FAIL).exists()
    if failed_testing and "sampling_failed" not in target.risk_flags:
        changes["risk_flags"] = (list(target.risk_flags), [*target.risk_flags, "sampling_failed"])
        target.risk_flags = [*target.risk_flags, "sampling_failed"]
    if changes:
        target.save(update_fields=["last_inspected_on", "last_result", "risk_flags", "updated_at"])
        audit_record(actor=actor, event="target.inspection_result", target=target, changes=changes)
    if failed_testing and record.inspected_on:
        record_flag(actor=actor, target=target, flag="sampling_failed", occurred_on=record.inspected_on,
                    source=FlagSource.SAMPLING, reference=f"一企一表 {record.number}")
    return changes


def target_add_risk_flag(
    *, actor: User, target: Target, flag: str, reason: str, occurred_on: datetime.date | None = None,
    source: str = FlagSource.INSPECTION,
) -> None:
    """Add a risk flag (受过行政处罚, 经营异常名录, 严重违法失信) to a target with its date and source, so that the draw
    applies it by date (大洼: 上年度……); audited. Caller holds the transaction."""
    record_flag(
        actor=actor, target=target, flag=flag, occurred_on=occurred_on or timezone.localdate(), source=source,
        reference=reason,
    )


# ---------------------------------------------------------------- 检查通知


METHOD_NOTICES: dict[str, str] = {
    InspectionMethod.DOCUMENTS: "书面检查通知书",
    InspectionMethod.ENTRUSTED: "委托专业机构检查告知书",
    InspectionMethod.TESTING: "检验检测告知书",
}


def notice_methods(record: InspectionRecord) -> list[tuple[str, str]]:
    """The methods of the record that need a 检查通知, with the notice title."""
    return [(m, METHOD_NOTICES[m]) for m in record.methods if m in METHOD_NOTICES]


@transaction.atomic
def notice_issue(*, actor: User, record: InspectionRecord, method: str) -> InspectionNotice:
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task", "target", "owner").get(pk=record.pk)
    check_can_enter(actor, record)
    if method not in METHOD_NOTICES or method not in record.methods:
        raise ApplicationError("本表的检查方式不需要发送该检查通知")
    if record.status == RecordStatus.CANCELLED:
        raise ApplicationError("已作废的一企一表不能发送检查通知")
    today = timezone.localdate()
    config = bureau_settings(record.owner_id)
    title = METHOD_NOTICES[method]
    sequence = record.notices.count() + 1
    number = f"{record.number}-TZ{sequence}"
    items = "\n".join(f"{i}. {item.name}" for i, item in enumerate(record.items.all(), start=1))
    respond_by = None
    if method == InspectionMethod.DOCUMENTS:
        respond = add_workdays(today, config.documents_notice_workdays)
        respond_by = respond
        body = (
            f"{record.target.name}：\n"
            f"根据《{record.task.title}》工作安排，本机关依法对你单位开展“双随机、一公开”书面检查。"
            f"请于{format_cn_date(respond.date)}前（{config.documents_notice_workdays}个工作日内）"
            f"向本机关提交下列事项的有关材料（复印件须加盖单位公章）：\n{items}\n"
            "逾期不提交或提交虚假材料的，本机关将依法处理。"
        )
    elif method == InspectionMethod.TESTING:
        body = (
            f"{record.target.name}：\n"
            f"根据《{record.task.title}》工作安排，本机关将对你单位开展检验检测，"
            "请予以配合，并为采样提供必要条件。检验检测项目涉及：\n" f"{items}\n"
            "检验检测结果将书面告知你单位。"
        )
    else:
        body = (
            f"{record.target.name}：\n"
            f"根据《{record.task.title}》工作安排，本机关委托有资质的专业机构对你单位下列事项开展检查，"
            f"请予以配合：\n{items}\n专业机构作出的结论将作为本次抽查结果的依据。"
        )
    notice = InspectionNotice.objects.create(
        owner_id=record.owner_id, record=record, method=method, number=number, title=title, body=body,
        issued_on=today, respond_by=respond_by.date if respond_by else None,
        respond_by_provisional=bool(respond_by and respond_by.provisional), issued_by=actor,
    )
    audit_record(actor=actor, event="inspection.notice_issue", target=notice, changes={"record": record.pk, "method": method})
    return notice
