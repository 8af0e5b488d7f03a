"""Writes of the draws app: freeze the pool, draw, 双人确认, re-draw with approval, match, re-match one slot.

Every function checks permission and scope, runs in one transaction, locks the rows it changes in a fixed
order (task → draw → match → request) and re-checks their state after the lock, so that of two people
doing the same thing at the same moment exactly one succeeds and the other gets a Chinese explanation.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.security import require_second_factor_for
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.core.formats.text import FormatError
from shuangsuiji.core.matching import MatchError, MatchInputError, build_record, rematch_slot
from shuangsuiji.directory.models import Target, TargetStatus
from shuangsuiji.draws import engine, events, hooks, storage
from shuangsuiji.draws.commitments import (
    draw_record_register,
    match_record_register,
    public_pool_digest_of,
    salt_for,
)
from shuangsuiji.draws.confirmations import (
    close_department_confirmations,
    department_confirm,
    open_department_confirmations,
    pending_departments,
)
from shuangsuiji.draws.match_inputs import (
    MatchOptions,
    build_input_files,
    inspector_key,
    inspector_pk,
    load_input_files,
)
from shuangsuiji.draws.models import (
    Assignment,
    AssignmentMode,
    AssignmentRole,
    DepartmentConfirmation,
    DrawnTarget,
    DrawStatus,
    InspectorMatch,
    MatchStatus,
    RandomnessKind,
    RedrawRequest,
    RedrawStatus,
    TargetDraw,
)
from shuangsuiji.draws.permissions import check_can_approve, check_can_confirm, check_can_run
from shuangsuiji.draws.pool import DepartmentScope, collect_pool, quoted_column, targets_for_ids
from shuangsuiji.draws.rules import apply_region_weights, rule_context
from shuangsuiji.draws.task_hooks import task_set_state
from shuangsuiji.planning.models import Task, TaskState
from shuangsuiji.planning.rules import task_rules

OPEN_DRAW_STATUSES = (DrawStatus.POOL_FROZEN, DrawStatus.DRAWN, DrawStatus.CONFIRMED)
HEX64 = re.compile(r"^[0-9a-f]{64}$")
BASIS_MODES = {
    "本区域": AssignmentMode.SAME_REGION,
    "相邻区域": AssignmentMode.ADJACENT_REGION,
    "直接委派": AssignmentMode.DIRECT,
}


def seed_commitment_of(seed: str) -> str:
    """The commitment published at the freeze for a commit–reveal seed: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(seed.strip().encode("utf-8")).hexdigest()


def _clean_strings(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


def _lock_task(task: Task) -> Task:
    # Only the task row, and FOR NO KEY UPDATE: without `of`, PostgreSQL would also lock the joined bureau and
    # region rows FOR UPDATE, and every insert that references them (any target edit of that bureau: history,
    # audit) would wait for the whole freeze or draw (and could deadlock on the audit chain lock).
    return (
        Task.objects.select_for_update(of=("self",), no_key=True)
        .select_related("owner", "owner__region")
        .get(pk=task.pk)
    )


def _lock_draw(draw: TargetDraw) -> TargetDraw:
    return TargetDraw.objects.select_for_update().get(pk=draw.pk)


def _who(user: User | None) -> str:
    return user.display_name if user is not None else "他人"


# ---------------------------------------------------------------------------------------------- freeze


def _empty_pool_message(task: Task, scopes: list[DepartmentScope]) -> str:
    parts = []
    for scope in scopes:
        region_q = Q()
        for region in scope.regions:
            region_q |= Q(region__path__startswith=region.path)
        in_region = Target.objects.filter(region_q, owner=scope.organization)
        total = in_region.count()
        operating = in_region.filter(status=TargetStatus.OPERATING, is_retired=False).count()
        parts.append(
            f"{scope.describe()}：名录库中该区域共 {total} 户，其中在营且未移出名录 {operating} 户，"
            "均不属于本任务的抽查专业" if operating else
            f"{scope.describe()}：名录库中该区域共 {total} 户，没有在营且未移出名录的对象"
        )
    specialties = "、".join(task.specialties.values_list("name", flat=True)) or "（未指定）"
    return (
        "对象池为空，无法抽取：" + "；".join(parts) + f"。本任务抽查专业：{specialties}。"
        "请检查任务的抽查区域和专业是否正确，或先在检查对象名录库中录入、导入检查对象。"
    )


@transaction.atomic
def draw_freeze_pool(
    *,
    actor: User,
    task: Task,
    randomness_kind: str = RandomnessKind.ANNOUNCED,
    randomness_source: str = "",
    seed_commitment: str = "",
) -> TargetDraw:
    """冻结对象池: read the pool by the task's scope, store it content-addressed, publish digest and params."""
    task = _lock_task(task)
    check_can_run(actor, task.owner_id)
    open_draw = TargetDraw.objects.filter(task=task, status__in=OPEN_DRAW_STATUSES).first()
    approved = (
        RedrawRequest.objects.filter(draw__task=task, status=RedrawStatus.APPROVED, new_draw__isnull=True)
        .select_related("draw")
        .first()
    )
    if open_draw is not None:
        raise ApplicationError(
            f"该任务已有第{open_draw.sequence}次抽取（{open_draw.get_status_display()}），不能再次冻结对象池；"
            "如需重新抽取，请在抽取详情页提出申请并经审批"
        )
    if approved is None and task.state != TaskState.SCHEME_PUBLISHED:
        if task.state == TaskState.DRAFT:
            raise ApplicationError("任务的工作方案尚未公布：工作方案公布后才能抽取检查对象")
        raise ApplicationError(f"任务当前状态为“{task.get_state_display()}”，不能冻结对象池")
    try:
        kind = RandomnessKind(randomness_kind)
    except ValueError:
        raise ApplicationError(f"未知的随机数来源：{randomness_kind}") from None
    seed_commitment = seed_commitment.strip().lower()
    randomness_source = randomness_source.strip()
    if kind == RandomnessKind.COMMIT_REVEAL:
        if not HEX64.match(seed_commitment):
            raise ApplicationError("承诺—揭示方式须填写随机种子的 SHA-256 承诺值（64 位十六进制）")
    else:
        seed_commitment = ""
        if not randomness_source:
            raise ApplicationError(
                "请说明随机数的来源和公布时间（例如：2026年12月1日 福彩3D 开奖号码），随机数须在冻结对象池之后产生"
            )
    today = timezone.localdate()
    rules = task_rules(task, today=today)
    columns, scopes = collect_pool(task, flags_window=(rules.flags_since, today))
    if not len(columns):
        raise ApplicationError(_empty_pool_message(task, scopes))
    apply_region_weights(columns, rules.region_weights)
    try:
        params = engine.draw_params(task, today=today, rules=rules)
        pool = engine.build_pool(columns)
        engine.check_drawable(pool, params)
    except engine.DrawEngineError as error:
        raise ApplicationError(f"无法冻结对象池：{error}") from error
    content = engine.pool_csv(pool)
    relative = storage.store_file(folder="pools", content=content, suffix=".csv")
    del content
    digest = engine.pool_digest(pool)
    public_digest = public_pool_digest_of(pool, salt_for(digest))  # what the 双人确认 registers, fixed now
    sequence = (TargetDraw.objects.filter(task=task).aggregate(m=Max("sequence"))["m"] or 0) + 1
    draw = TargetDraw.objects.create(
        owner_id=task.owner_id,
        task=task,
        sequence=sequence,
        status=DrawStatus.POOL_FROZEN,
        pool_size=len(pool),
        pool_digest=digest,
        pool_file=relative,
        public_pool_digest=public_digest,
        params=params,
        rules=rule_context(rules, columns, params),
        randomness_kind=kind,
        randomness_source=randomness_source,
        seed_commitment=seed_commitment,
        previous=approved.draw if approved is not None else None,
        redraw_reason=approved.reason if approved is not None else "",
        redraw_approved_by=approved.decided_by if approved is not None else None,
        frozen_by=actor,
        frozen_at=timezone.now(),
    )
    if approved is not None:
        approved.new_draw = draw
        approved.save(update_fields=["new_draw", "updated_at"])
    audit_record(
        actor=actor, event=events.DRAW_FREEZE, target=draw,
        changes={
            "task": task.code, "sequence": sequence, "pool_size": draw.pool_size, "pool_digest": draw.pool_digest,
            "randomness_kind": kind.value, "seed_commitment": seed_commitment,
            "departments": [s.organization.code for s in scopes],
        },
    )
    return draw


# ---------------------------------------------------------------------------------------------- draw


def _save_selections(draw: TargetDraw, picked: list[engine.Picked], target_of: dict[str, int]) -> None:
    """The drawn targets (tens of thousands in a province-wide draw): PostgreSQL COPY, else bulk_create."""
    if connection.vendor != "postgresql":
        DrawnTarget.objects.bulk_create(
            (DrawnTarget(draw=draw, target_id=target_of[p.id], stratum=p.stratum, rank=p.rank, reason=p.reason)
             for p in picked),
            batch_size=2000,
        )  # fmt: skip
        return
    quoted = ", ".join(quoted_column(DrawnTarget, name) for name in ("draw", "target", "stratum", "rank", "reason"))
    table = connection.ops.quote_name(DrawnTarget._meta.db_table)
    with connection.cursor() as wrapper:
        with wrapper.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for p in picked:
                copy.write_row((draw.pk, target_of[p.id], p.stratum, p.rank, p.reason))


@transaction.atomic
def draw_execute(*, actor: User, draw: TargetDraw, randomness: list[str], reveal: str = "") -> TargetDraw:
    """抽取: take the public randomness (or the revealed seed), run the engine, store the immutable record."""
    task = _lock_task(draw.task)
    draw = _lock_draw(draw)
    check_can_run(actor, draw.owner_id)
    if draw.status != DrawStatus.POOL_FROZEN:
        if draw.status in (DrawStatus.DRAWN, DrawStatus.CONFIRMED):
            raise ApplicationError(f"该抽取已由{_who(draw.drawn_by)}完成，不能重复抽取")
        raise ApplicationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能抽取")
    values = _clean_strings(randomness)
    if draw.randomness_kind == RandomnessKind.COMMIT_REVEAL:
        reveal = reveal.strip()
        if not reveal:
            raise ApplicationError("请填写冻结对象池时承诺的随机种子（揭示值）")
        if seed_commitment_of(reveal) != draw.seed_commitment:
            raise ApplicationError("揭示的随机种子与冻结对象池时公布的承诺值不符（SHA-256 不一致），不能抽取")
        values = [reveal, *values]
    if not values:
        raise ApplicationError("请填写公开随机数（例如开奖号码），至少一项")
    pool = engine.load_pool(storage.read_file(draw.pool_file))
    if engine.pool_digest(pool) != draw.pool_digest:
        raise ApplicationError("对象池文件与冻结时的摘要不一致，可能已被篡改，不能抽取")
    previous_record = draw.previous.record if draw.previous is not None else None
    try:
        record = engine.run(
            pool, draw.params, values, previous_record=previous_record, redraw_reason=draw.redraw_reason or None
        )
    except engine.DrawEngineError as error:
        raise ApplicationError(f"抽取失败：{error}") from error
    picked = engine.selections(record)
    if not picked:
        raise ApplicationError("抽取结果为空：按本任务的抽查比例和排除规则没有应抽取的对象，请检查任务参数")
    target_of = targets_for_ids(task, [p.id for p in picked])
    missing = [p.id for p in picked if p.id not in target_of]
    if missing:
        raise ApplicationError(f"抽中的对象在名录库中找不到：{'、'.join(missing[:5])}")
    _save_selections(draw, picked, target_of)
    draw.status = DrawStatus.DRAWN
    draw.randomness = values
    draw.record = record
    draw.record_digest = engine.record_digest(record)
    draw.drawn_by = actor
    draw.drawn_at = timezone.now()
    draw.task = task
    deadline = hooks.on_draw_done(draw, actor=actor)  # the oversight 抽取结果确认 deadline, same transaction
    draw.confirm_deadline = deadline.due_date
    draw.confirm_deadline_provisional = deadline.provisional
    draw.save()
    open_department_confirmations(draw, actor=actor)  # joint task: each department confirms its part
    if task.state in (TaskState.SCHEME_PUBLISHED, TaskState.INSPECTORS_MATCHED):
        task_set_state(actor=actor, task=task, to_state=TaskState.TARGETS_DRAWN, comment=f"第{draw.sequence}次抽取完成")
    audit_record(
        actor=actor, event=events.DRAW_EXECUTE, target=draw,
        changes={
            "status": (DrawStatus.POOL_FROZEN, DrawStatus.DRAWN), "randomness": values,
            "record_digest": draw.record_digest, "selected": len(picked),
            "confirm_deadline": deadline.due_date.isoformat(),
        },
    )
    return draw


@transaction.atomic
def draw_confirm(*, actor: User, draw: TargetDraw, comment: str = "") -> TargetDraw:
    """双人确认: a second person of the 抽查部门 (not the operator) confirms; the draw is then locked — for a joint
    draw once every participating department has confirmed its part too (``draw_department_confirm``)."""
    draw = _lock_draw(draw)
    check_can_confirm(actor, draw.owner_id)
    if draw.status == DrawStatus.CONFIRMED or (draw.status == DrawStatus.DRAWN and draw.confirmed_at is not None):
        assert draw.confirmed_at is not None
        waiting = pending_departments(draw)
        raise ApplicationError(
            f"该抽取已由{_who(draw.confirmed_by)}于{format_cn_date(timezone.localtime(draw.confirmed_at).date())}确认，无需重复确认"
            + (f"；尚待{'、'.join(waiting)}确认本部门部分" if waiting else "")
        )
    if draw.status != DrawStatus.DRAWN:
        raise ApplicationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能确认")
    if actor.pk == draw.drawn_by_id:
        raise ApplicationError("双人确认须由抽取操作人以外的另一人进行，您是本次抽取的操作人")
    today = timezone.localdate()
    late = draw.confirm_deadline is not None and today > draw.confirm_deadline
    draw.confirmed_by = actor
    draw.confirmed_at = timezone.now()
    draw.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    require_second_factor_for(actor, events.DRAW_CONFIRM)
    audit_record(
        actor=actor, event=events.DRAW_CONFIRM, target=draw,
        changes={"late": late, "comment": comment.strip(), "pending_departments": pending_departments(draw)},
    )
    hooks.on_draw_confirmed(draw, actor=actor)  # the 发起部门's own deadline is met
    return _finish_if_complete(draw, actor=actor)


def _finish_if_complete(draw: TargetDraw, *, actor: User) -> TargetDraw:
    """已确认 when the 双人确认 and every participating department's confirmation are in."""
    if draw.confirmed_at is None or pending_departments(draw) or draw.status != DrawStatus.DRAWN:
        return draw
    draw.status = DrawStatus.CONFIRMED
    draw.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, event=events.DRAW_CONFIRMED, target=draw, changes={"status": (DrawStatus.DRAWN, DrawStatus.CONFIRMED)}
    )
    draw_record_register(draw)  # transparency log leaf (issue 11), same transaction
    return draw


@transaction.atomic
def draw_department_confirm(*, actor: User, confirmation: DepartmentConfirmation, comment: str = "") -> TargetDraw:
    """A participating department confirms its part of a joint draw (its own deadline); may complete the draw."""
    confirmation = department_confirm(actor=actor, confirmation=confirmation, comment=comment)
    return _finish_if_complete(_lock_draw(confirmation.draw), actor=actor)


# ---------------------------------------------------------------------------------------------- re-draw


@transaction.atomic
def redraw_request_create(*, actor: User, draw: TargetDraw, reason: str) -> RedrawRequest:
    draw = _lock_draw(draw)
    check_can_run(actor, draw.owner_id)
    if draw.status not in (DrawStatus.DRAWN, DrawStatus.CONFIRMED):
        raise ApplicationError(f"该抽取当前状态为“{draw.get_status_display()}”，不能申请重新抽取")
    reason = reason.strip()
    if len(reason) < 4:
        raise ApplicationError("请填写重新抽取的具体原因（至少4个字）")
    pending = RedrawRequest.objects.filter(draw=draw, status=RedrawStatus.PENDING).select_related("requested_by").first()
    if pending is not None:
        raise ApplicationError(f"{_who(pending.requested_by)}已提出重新抽取申请，正在等待审批，不能重复申请")
    try:
        with transaction.atomic():
            request = RedrawRequest.objects.create(owner_id=draw.owner_id, draw=draw, reason=reason, requested_by=actor)
    except IntegrityError:  # pragma: no cover - the row lock above already serialises requests
        raise ApplicationError("已有重新抽取申请正在等待审批，不能重复申请") from None
    audit_record(actor=actor, event=events.DRAW_REDRAW_REQUEST, target=draw, changes={"reason": reason})
    return request


@transaction.atomic
def redraw_request_decide(*, actor: User, request: RedrawRequest, approve: bool, comment: str = "") -> RedrawRequest:
    """Approve (the draw and its matches are superseded; a new pool can be frozen) or reject a re-draw."""
    task = _lock_task(request.draw.task)
    draw = _lock_draw(request.draw)
    request = RedrawRequest.objects.select_for_update().get(pk=request.pk)
    check_can_approve(actor, request.owner_id)
    if request.status != RedrawStatus.PENDING:
        raise ApplicationError(
            f"该申请已由{_who(request.decided_by)}审批（{request.get_status_display()}），不能重复审批"
        )
    if actor.pk == request.requested_by_id:
        raise ApplicationError("重新抽取须由申请人以外的领导或双随机办管理员审批，您不能审批自己的申请")
    comment = comment.strip()
    if approve:
        if draw.status not in (DrawStatus.DRAWN, DrawStatus.CONFIRMED):
            raise ApplicationError(f"原抽取当前状态为“{draw.get_status_display()}”，不能重新抽取")
        old_status = draw.status
        draw.status = DrawStatus.SUPERSEDED
        draw.save(update_fields=["status", "updated_at"])
        hooks.on_draw_superseded(draw, actor=actor)
        close_department_confirmations(draw, actor=actor)
        superseded_matches = list(
            InspectorMatch.objects.select_for_update().filter(draw=draw).exclude(status=MatchStatus.SUPERSEDED)
        )
        for match in superseded_matches:
            match.status = MatchStatus.SUPERSEDED
            match.save(update_fields=["status", "updated_at"])
        Assignment.objects.filter(match__draw=draw, is_active=True).update(is_active=False)
        if task.state == TaskState.INSPECTORS_MATCHED:
            # The requester (双随机办) asked for this transition; the approver only decides on it.
            task_set_state(
                actor=request.requested_by, task=task, to_state=TaskState.TARGETS_DRAWN,
                comment=f"重新抽取申请经{actor.display_name}批准，原人员匹配作废",
            )
        request.status = RedrawStatus.APPROVED
        changes: dict[str, Any] = {
            "draw_status": (old_status, DrawStatus.SUPERSEDED), "reason": request.reason,
            "superseded_matches": [m.pk for m in superseded_matches],
        }
    else:
        if not comment:
            raise ApplicationError("不批准时请填写审批意见")
        request.status = RedrawStatus.REJECTED
        changes = {"reason": request.reason}
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment[:255]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    changes["comment"] = comment
    audit_record(
        actor=actor, event=events.DRAW_REDRAW_APPROVE if approve else events.DRAW_REDRAW_REJECT, target=draw, changes=changes
    )
    return request


# ---------------------------------------------------------------------------------------------- matching


def _fallback_advice(fallback: str) -> str:
    if fallback == "none":
        return "建议：允许相邻区域人员参与匹配（回退方式选“相邻区域”），或补充本区域具备资格的执法人员"
    if fallback == "adjacent":
        return "建议：选择“直接委派”并填写委派理由，或补充具备该专业资格、执法证有效的执法人员"
    return "建议：补充具备该专业资格、执法证覆盖检查期间的执法人员，或提高每人最多检查户数"


def _unstaffed_details(draw: TargetDraw, unstaffed: list[dict[str, Any]], fallback: str) -> list[dict[str, str]]:
    names = dict(DrawnTarget.objects.filter(draw=draw).values_list("target__code", "target__name"))
    advice = _fallback_advice(fallback)
    return [
        {"target_id": row["target_id"], "name": names.get(row["target_id"], ""), "reason": row["reason"],
         "advice": advice}
        for row in unstaffed
    ]


def _load_inputs(files: dict[str, bytes]) -> Any:
    try:
        return load_input_files(files)
    except (FormatError, MatchInputError) as error:
        raise ApplicationError(f"匹配输入数据有误：{error}") from error


def _create_assignments(match: InspectorMatch, record: dict[str, Any]) -> list[Assignment]:
    by_code = {d.target.code: d for d in DrawnTarget.objects.filter(draw=match.draw).select_related("target")}
    direct_reason = str(record["params"].get("direct_assignment_reason", ""))[:255]
    rows = []
    for entry in record["assignments"]:
        drawn = by_code[entry["target_id"]]
        members = [(m, AssignmentRole.LEADER if n == 0 else AssignmentRole.MEMBER) for n, m in enumerate(entry["team"])]
        members += [(m, AssignmentRole.EXPERT) for m in entry["experts"]]
        for slot, (member, role) in enumerate(members, start=1):
            mode = BASIS_MODES.get(member["basis"], AssignmentMode.SAME_REGION)
            rows.append(
                Assignment(
                    match=match, drawn_target=drawn, inspector_id=inspector_pk(member["inspector_id"]), slot=slot,
                    role=role, mode=mode, direct_reason=direct_reason if mode == AssignmentMode.DIRECT else "",
                )
            )
    return Assignment.objects.bulk_create(rows)


@transaction.atomic
def match_run(
    *,
    actor: User,
    draw: TargetDraw,
    randomness: list[str],
    options: MatchOptions | None = None,
    allow_unstaffed: bool = False,
    reason: str = "",
) -> InspectorMatch:
    """匹配人员 for a confirmed draw. A second full match needs a reason and supersedes the first."""
    options = options or MatchOptions()
    task = _lock_task(draw.task)
    draw = _lock_draw(draw)
    check_can_run(actor, draw.owner_id)
    if draw.status != DrawStatus.CONFIRMED:
        raise ApplicationError("抽取结果经双人确认后才能匹配执法检查人员")
    active = InspectorMatch.objects.select_for_update().filter(draw=draw).exclude(status=MatchStatus.SUPERSEDED).first()
    reason = reason.strip()
    if active is not None and not reason:
        raise ApplicationError(
            f"本次抽取已于第{active.sequence}次匹配完成人员匹配；如需整体重新匹配请填写原因，单个人员回避请使用“替换”"
        )
    values = _clean_strings(randomness)
    if not values:
        raise ApplicationError("请填写匹配使用的公开随机数（例如开奖号码），至少一项")
    if options.fallback == "direct" and not options.direct_assignment_reason.strip():
        raise ApplicationError("选择直接委派时必须填写委派理由")
    files = build_input_files(draw, options)
    inputs = _load_inputs(files)
    try:
        record = build_record(inputs, values)
    except (MatchInputError, MatchError, ValueError) as error:
        raise ApplicationError(f"无法匹配：{error}") from error
    if record["unstaffed"]:
        details = _unstaffed_details(draw, record["unstaffed"], options.fallback)
        if not record["assignments"]:
            raise ApplicationError(
                f"没有任何检查对象能配齐检查组（共 {len(details)} 个对象），未保存匹配结果。",
                extra={"unstaffed": details},
            )
        if not allow_unstaffed:
            raise ApplicationError(
                f"有 {len(details)} 个检查对象无法配齐检查组，未保存匹配结果。请按建议调整后重新匹配，"
                "或勾选“仍然保存”将未配齐的对象留待处理。",
                extra={"unstaffed": details},
            )
    relative = storage.store_bundle(folder="matches", files=files)
    sequence = (InspectorMatch.objects.filter(task=task).aggregate(m=Max("sequence"))["m"] or 0) + 1
    if active is not None:
        active.status = MatchStatus.SUPERSEDED
        active.save(update_fields=["status", "updated_at"])
        Assignment.objects.filter(match=active, is_active=True).update(is_active=False)
    match = InspectorMatch.objects.create(
        owner_id=draw.owner_id, task=task, draw=draw, sequence=sequence, status=MatchStatus.MATCHED,
        params=record["params"], randomness=values, inputs_file=relative, record=record,
        record_digest=record["record_digest"], fairness=record["fairness"],
        unstaffed=_unstaffed_details(draw, record["unstaffed"], options.fallback),
        previous=active, rematch_reason=reason, matched_by=actor, matched_at=timezone.now(),
    )
    assignments = _create_assignments(match, record)
    if task.state == TaskState.TARGETS_DRAWN:
        task_set_state(actor=actor, task=task, to_state=TaskState.INSPECTORS_MATCHED, comment=f"第{sequence}次匹配完成")
    audit_record(
        actor=actor, event=events.MATCH_RUN, target=match,
        changes={
            "draw": draw.pk, "randomness": values, "record_digest": match.record_digest,
            "staffed": len(record["assignments"]), "unstaffed": len(record["unstaffed"]),
            "replaces": active.pk if active is not None else None, "reason": reason,
        },
    )
    hooks.notify_assigned(assignments)
    return match


@transaction.atomic
def match_confirm(*, actor: User, match: InspectorMatch, comment: str = "") -> InspectorMatch:
    """确认人员匹配: a second person of the 抽查部门 (not the operator) confirms the teams; the 一企一表 can then be
    generated (inspections). A later 回避 replacement keeps the confirmation (its reason and randomness are recorded)."""
    _lock_task(match.task)
    match = InspectorMatch.objects.select_for_update().select_related("draw").get(pk=match.pk)
    check_can_confirm(actor, match.owner_id)
    if match.status == MatchStatus.CONFIRMED:
        assert match.confirmed_at is not None
        raise ApplicationError(
            f"该人员匹配已由{_who(match.confirmed_by)}于{format_cn_date(timezone.localtime(match.confirmed_at).date())}"
            "确认，无需重复确认"
        )
    if match.status != MatchStatus.MATCHED:
        raise ApplicationError("该人员匹配已被新的匹配取代，请在最新的匹配结果中确认")
    if match.draw.status != DrawStatus.CONFIRMED:
        raise ApplicationError("对象抽取结果已不是确认状态（可能已申请重新抽取），不能确认人员匹配")
    if actor.pk == match.matched_by_id:
        raise ApplicationError("人员匹配结果须由匹配操作人以外的另一人确认，您是本次匹配的操作人")
    match.status = MatchStatus.CONFIRMED
    match.confirmed_by = actor
    match.confirmed_at = timezone.now()
    match.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    require_second_factor_for(actor, "match.confirm")
    audit_record(
        actor=actor, event=events.MATCH_CONFIRM, target=match,
        changes={
            "status": (MatchStatus.MATCHED, MatchStatus.CONFIRMED), "unstaffed": len(match.unstaffed),
            "comment": comment.strip(),
        },
    )
    match_record_register(match)  # transparency log leaf (issue 11), same transaction
    return match


@transaction.atomic
def assignment_replace(*, actor: User, assignment: Assignment, reason: str, randomness: list[str]) -> InspectorMatch:
    """回避 discovered later: re-draw only this slot; a new match record references the old one."""
    match = assignment.match
    task = _lock_task(match.task)
    match = InspectorMatch.objects.select_for_update().select_related("draw").get(pk=match.pk)
    check_can_run(actor, match.owner_id)
    assignment = Assignment.objects.select_related("drawn_target__target").get(pk=assignment.pk)
    if match.status == MatchStatus.SUPERSEDED or not assignment.is_active:
        raise ApplicationError("该人员分派已被替换或所在匹配已被新的匹配取代，请在最新的匹配结果中操作")
    reason = reason.strip()
    if len(reason) < 2:
        raise ApplicationError("请填写替换原因（如：发现利害关系需回避）")
    values = _clean_strings(randomness)
    if not values:
        raise ApplicationError("请填写本次替换使用的新公开随机数")
    params = match.record["params"]
    options = MatchOptions(
        fallback=params["fallback"], direct_assignment_reason=params["direct_assignment_reason"],
        add_experts=params["add_experts"], probability_cap=params["probability_cap"],
        swap_limit_ratio=params["swap_limit_ratio"],
    )
    files = build_input_files(match.draw, options)
    inputs = _load_inputs(files)
    target_code = assignment.drawn_target.target.code
    try:
        record = rematch_slot(
            match.record, inputs, target_id=target_code, inspector_id=inspector_key(assignment.inspector_id),
            reason=reason, randomness=values,
        )
    except (MatchInputError, MatchError, ValueError) as error:
        raise ApplicationError(f"无法替换：{error}") from error
    change = record["changes"][-1]
    relative = storage.store_bundle(folder="matches", files=files)
    sequence = (InspectorMatch.objects.filter(task=task).aggregate(m=Max("sequence"))["m"] or 0) + 1
    was_confirmed = match.status == MatchStatus.CONFIRMED
    match.status = MatchStatus.SUPERSEDED
    match.save(update_fields=["status", "updated_at"])
    new_match = InspectorMatch.objects.create(
        owner_id=match.owner_id, task=task, draw=match.draw, sequence=sequence,
        status=MatchStatus.CONFIRMED if was_confirmed else MatchStatus.MATCHED,
        params=record["params"], randomness=values, inputs_file=relative, record=record,
        record_digest=record["record_digest"], fairness=record["fairness"], unstaffed=match.unstaffed,
        previous=match, rematch_reason=reason, matched_by=actor, matched_at=timezone.now(),
        confirmed_by=match.confirmed_by if was_confirmed else None,
        confirmed_at=match.confirmed_at if was_confirmed else None,
    )
    old_rows = list(Assignment.objects.select_for_update().filter(match=match, is_active=True).order_by("pk"))
    replacement: Assignment | None = None
    copies = []
    for row in old_rows:
        copy = Assignment(
            match=new_match, drawn_target_id=row.drawn_target_id, inspector_id=row.inspector_id, slot=row.slot,
            role=row.role, mode=row.mode, direct_reason=row.direct_reason,
        )
        if row.pk == assignment.pk:
            copy.inspector_id = inspector_pk(change["replacement"])
            copy.mode = BASIS_MODES.get(change["basis"], AssignmentMode.SAME_REGION)
            copy.direct_reason = str(params.get("direct_assignment_reason", ""))[:255] if copy.mode == AssignmentMode.DIRECT else ""
            replacement = copy
        copies.append(copy)
    Assignment.objects.bulk_create(copies)
    Assignment.objects.filter(pk__in=[r.pk for r in old_rows]).update(is_active=False)
    assert replacement is not None
    Assignment.objects.filter(pk=assignment.pk).update(replaced_by=replacement, replaced_reason=reason[:255])
    audit_record(
        actor=actor, event=events.MATCH_REPLACE, target=new_match,
        changes={
            "previous_match": match.pk, "target": target_code, "replaced": change["replaced"],
            "replacement": change["replacement"], "reason": reason, "randomness": values,
            "record_digest": new_match.record_digest, "keeps_confirmation": was_confirmed,
        },
    )
    if was_confirmed:
        match_record_register(new_match)  # the replacement record is confirmed too: transparency log leaf
    hooks.notify_assigned([replacement])
    return new_match
