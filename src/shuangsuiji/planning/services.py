"""Writes of planning: annual plans, joint plans, national task lists, tasks and 工作方案.

Every function takes keyword-only arguments, runs in one transaction, re-checks permission and scope and
writes its audit entry. ``task_transition`` is the one door through which a task changes state (the draws
app uses it for 已抽取对象 / 已匹配人员).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, User
from shuangsuiji.accounts.scope import BUREAU_KINDS, Perm, bureau_for_write, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, InspectionMethod, ItemStatus, RiskFlag, Specialty
from shuangsuiji.planning import deadline_hooks
from shuangsuiji.planning.coverage import check_justification, joint_estimate, plan_estimate
from shuangsuiji.planning.models import (
    RISK_CLASSES,
    AnnualPlan,
    AnnualPlanLine,
    JointPlan,
    JointPlanParticipant,
    JointPlanStatus,
    NationalTask,
    PlanStatus,
    PlanStep,
    PlanUncoveredItem,
    SchemeStatus,
    Task,
    TaskKind,
    TaskState,
    TaskTransition,
    WorkScheme,
)
from shuangsuiji.planning.permissions import (
    can_approve,
    can_review,
    require_approve,
    require_confirm_for,
    require_plan_edit,
    require_review,
)
from shuangsuiji.planning.rule_services import check_line_rule, check_task_settings, joint_ratio_data
from shuangsuiji.planning.rules import joint_ratios

# ---------------------------------------------------------------- shared checks


def normalise_ratios(raw: dict[str, Any] | None, *, required: bool = True) -> dict[str, float]:
    """{"A": "1", "B": 2, …} → {"A": 1.0, …}; every class A–D between 0 and 100."""
    raw = raw or {}
    unknown = set(raw) - set(RISK_CLASSES)
    if unknown:
        raise ApplicationError(f"未知的风险类别：{'、'.join(sorted(unknown))}（应为A、B、C、D）")
    ratios: dict[str, float] = {}
    for risk in RISK_CLASSES:
        value = raw.get(risk)
        if value is None or value == "":
            if required:
                raise ApplicationError(f"请填写{risk}类对象的抽查比例")
            continue
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            raise ApplicationError(f"{risk}类抽查比例“{value}”不是数字") from None
        if not (0 <= number <= 100):
            raise ApplicationError(f"{risk}类抽查比例应在0到100之间")
        ratios[risk] = float(round(number, 2))
    return ratios


def normalise_months(raw: Iterable[Any]) -> list[int]:
    months: set[int] = set()
    for value in raw:
        try:
            month = int(value)
        except (TypeError, ValueError):
            raise ApplicationError(f"实施月份“{value}”无效") from None
        if not 1 <= month <= 12:
            raise ApplicationError(f"实施月份“{value}”应在1到12之间")
        months.add(month)
    return sorted(months)


def full_clean(obj: Any) -> None:
    """Model validation with the errors in Chinese as an ApplicationError (never a 500)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in obj._meta.fields}
        parts = [
            f"{labels.get(name, '')}：{'；'.join(messages)}" if name in labels else "；".join(messages)
            for name, messages in exc.message_dict.items()
        ]
        raise ApplicationError("，".join(parts)) from None


# ---------------------------------------------------------------- 年度抽查计划

PLAN_FIELDS = ["title", "description", "overall_goal_percent"]


@dataclass(frozen=True)
class PlanAction:
    label: str
    from_status: str
    to_status: str
    check: Callable[[User, int], None]


PLAN_ACTIONS: dict[str, PlanAction] = {
    "submit": PlanAction("提交合法性审查", PlanStatus.DRAFT, PlanStatus.SUBMITTED, require_plan_edit),
    "review": PlanAction("合法性审查通过", PlanStatus.SUBMITTED, PlanStatus.REVIEWED, require_review),
    "approve": PlanAction("批准", PlanStatus.REVIEWED, PlanStatus.APPROVED, require_approve),
    "file": PlanAction("报上级备案", PlanStatus.APPROVED, PlanStatus.FILED, require_plan_edit),
    "publish": PlanAction("公布", PlanStatus.FILED, PlanStatus.PUBLISHED, require_plan_edit),
}
RETURNABLE = (PlanStatus.SUBMITTED, PlanStatus.REVIEWED, PlanStatus.APPROVED)


def _lock_plan(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_for_update().select_related("owner").get(pk=plan.pk)


def _require_draft(plan: AnnualPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(f"计划当前状态为“{plan.get_status_display()}”，只有起草状态的计划可以修改")


@transaction.atomic
def plan_create(
    *, actor: User, year: int, title: str, description: str = "", overall_goal_percent: Decimal | None = None
) -> AnnualPlan:
    bureau = bureau_for_write(actor, Perm.PLAN_EDIT)
    if not title.strip():
        raise ApplicationError("请填写计划名称")
    if not 2000 <= year <= 2100:
        raise ApplicationError("年度无效")
    if AnnualPlan.objects.filter(owner=bureau, year=year).exists():
        raise ApplicationError(f"本单位{year}年度抽查计划已存在；如需变更，请对已公布的计划发起调整")
    plan = AnnualPlan(owner=bureau, year=year, title=title.strip(), description=description)
    if overall_goal_percent is not None:
        plan.overall_goal_percent = overall_goal_percent
    full_clean(plan)
    plan.save()
    audit_record(actor=actor, event="plan.create", target=plan, changes={"year": year, "title": plan.title})
    deadline_hooks.on_plan_created(plan, actor=actor)
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: AnnualPlan, data: dict[str, Any]) -> AnnualPlan:
    plan = _lock_plan(plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    changes: dict[str, Any] = {}
    for name in PLAN_FIELDS:
        if name in data and getattr(plan, name) != data[name]:
            changes[name] = (getattr(plan, name), data[name])
            setattr(plan, name, data[name])
    if changes:
        full_clean(plan)
        plan.save()
        audit_record(actor=actor, event="plan.update", target=plan, changes=changes)
    return plan


def _plan_item(plan: AnnualPlan, item: CheckItem) -> CheckItem:
    if item.owner_id != plan.owner_id:
        raise ApplicationError(f"事项“{item.name}”不属于本单位的抽查事项清单")
    if not item.is_current or item.status != ItemStatus.PUBLISHED:
        raise ApplicationError(f"事项“{item.name}”不是已公布的当前版本，不能纳入计划")
    return item


def _check_section(plan: AnnualPlan, section: Organization | None) -> None:
    if section is None:
        return
    if section.kind not in (OrganizationKind.SECTION, OrganizationKind.SUPERVISION_INSTITUTE):
        raise ApplicationError("责任科室应为本单位的科室或监督所")
    if section.bureau.pk != plan.owner_id:
        raise ApplicationError(f"“{section.name}”不是本单位的科室")


@transaction.atomic
def plan_line_save(
    *,
    actor: User,
    plan: AnnualPlan,
    item: CheckItem,
    ratios: dict[str, Any],
    frequency: str = "每年1次",
    months: Sequence[Any] = (),
    responsible_section: Organization | None = None,
    is_joint: bool = False,
    note: str = "",
    coverage_rule: str = "none",
    target_keywords: str = "",
) -> AnnualPlanLine:
    """Add the item to the plan, or change its line; a recorded 未纳入 reason for it is dropped."""
    plan = _lock_plan(plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    _plan_item(plan, item)
    _check_section(plan, responsible_section)
    check_line_rule(plan=plan, item=item, coverage_rule=coverage_rule)
    values = {
        "coverage_rule": coverage_rule,
        "target_keywords": target_keywords.strip()[:200],
        "ratios": normalise_ratios(ratios),
        "frequency": frequency.strip() or "每年1次",
        "months": normalise_months(months),
        "responsible_section": responsible_section,
        "is_joint": is_joint,
        "note": note.strip(),
    }
    line = plan.lines.filter(item__code=item.code).first()
    created = line is None
    if line is None:
        line = AnnualPlanLine(plan=plan, item=item)
    line.item = item
    for name, value in values.items():
        setattr(line, name, value)
    full_clean(line)
    line.save()
    plan.uncovered.filter(item__code=item.code).delete()
    audit_record(
        actor=actor, event="plan.line_add" if created else "plan.line_update", target=plan,
        changes={"item": item.code, **{k: v for k, v in values.items() if k != "responsible_section"},
                 "responsible_section": str(responsible_section or "")},
    )
    return line


@transaction.atomic
def plan_line_delete(*, actor: User, line: AnnualPlanLine) -> None:
    plan = _lock_plan(line.plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    if line.tasks.exists():
        raise ApplicationError("该计划事项已生成抽查任务，不能移除")
    code = line.item.code
    line.delete()
    audit_record(actor=actor, event="plan.line_delete", target=plan, changes={"item": code})


@transaction.atomic
def plan_lines_add_missing(
    *, actor: User, plan: AnnualPlan, ratios: dict[str, Any], months: Sequence[Any] = (), frequency: str = "每年1次"
) -> list[AnnualPlanLine]:
    """Put every published item not yet covered into the plan with the same ratios (one audit entry)."""
    plan = _lock_plan(plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    clean_ratios = normalise_ratios(ratios)
    clean_months = normalise_months(months)
    missing = plan_missing_items(plan=plan)
    lines = [
        AnnualPlanLine(plan=plan, item=item, ratios=clean_ratios, months=clean_months, frequency=frequency)
        for item in missing
    ]
    AnnualPlanLine.objects.bulk_create(lines)
    if lines:
        audit_record(
            actor=actor, event="plan.lines_add_missing", target=plan,
            changes={"items": [item.code for item in missing], "ratios": clean_ratios},
        )
    return lines


@transaction.atomic
def plan_uncovered_save(*, actor: User, plan: AnnualPlan, item: CheckItem, reason: str) -> PlanUncoveredItem:
    plan = _lock_plan(plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    if item.owner_id != plan.owner_id:
        raise ApplicationError(f"事项“{item.name}”不属于本单位的抽查事项清单")
    if not reason.strip():
        raise ApplicationError("请填写该事项未纳入计划的原因（如已纳入国家监督抽检、专项行动）")
    if plan.lines.filter(item__code=item.code).exists():
        raise ApplicationError(f"事项“{item.name}”已纳入计划，请先从计划中移除")
    entry, _ = PlanUncoveredItem.objects.update_or_create(
        plan=plan, item=item, defaults={"reason": reason.strip()[:255]}
    )
    audit_record(actor=actor, event="plan.uncovered_save", target=plan, changes={"item": item.code, "reason": reason})
    return entry


@transaction.atomic
def plan_uncovered_delete(*, actor: User, entry: PlanUncoveredItem) -> None:
    plan = _lock_plan(entry.plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    code = entry.item.code
    entry.delete()
    audit_record(actor=actor, event="plan.uncovered_delete", target=plan, changes={"item": code})


def plan_missing_items(*, plan: AnnualPlan) -> list[CheckItem]:
    """Published current items of the plan's bureau that have neither a line nor a recorded reason."""
    covered = set(plan.lines.values_list("item__code", flat=True)) | set(
        plan.uncovered.values_list("item__code", flat=True)
    )
    items = CheckItem.objects.filter(owner_id=plan.owner_id, is_current=True, status=ItemStatus.PUBLISHED)
    return [item for item in items.select_related("specialty") if item.code not in covered]


def _step(plan: AnnualPlan, *, action: str, old: str, new: str, actor: User, comment: str) -> PlanStep:
    return PlanStep.objects.create(
        plan=plan, action=action, from_status=old, to_status=new, actor=actor, comment=comment.strip()
    )


@transaction.atomic
def plan_transition(
    *, actor: User, plan: AnnualPlan, action: str, comment: str = "", justification: str = ""
) -> AnnualPlan:
    """submit → review (合法性审查) → approve → file (备案) → publish; ``return`` sends it back to 起草."""
    plan = _lock_plan(plan)
    if action == "return":
        return _plan_return(actor=actor, plan=plan, comment=comment)
    rule = PLAN_ACTIONS.get(action)
    if rule is None:
        raise ApplicationError(f"未知的计划操作：{action}")
    rule.check(actor, plan.owner_id)
    if plan.status != rule.from_status:
        raise ApplicationError(
            f"计划当前状态为“{plan.get_status_display()}”，不能执行“{rule.label}”"
            f"（须为“{PlanStatus(rule.from_status).label}”）"
        )
    if action == "submit":
        _check_plan_complete(plan)
        # 涞源: 年度抽查监管主体占比 3% 以上 — below the floor (or a 平顶山 line rule) only with a recorded reason
        plan.coverage_justification = check_justification(
            plan_estimate(plan, project=False), justification, what="年度计划"
        )
        plan.save(update_fields=["coverage_justification", "updated_at"])
        if plan.coverage_justification:
            comment = f"{comment}（低于最低抽查要求的说明：{plan.coverage_justification}）".lstrip()
    now = timezone.now()
    old = plan.status
    plan.status = rule.to_status
    if action == "file":
        plan.filed_at = now
    if action == "publish":
        plan.published_at = now
        if plan.previous is not None:
            previous = AnnualPlan.objects.select_for_update().get(pk=plan.previous.pk)
            _step(previous, action="supersede", old=previous.status, new=PlanStatus.SUPERSEDED, actor=actor,
                  comment=f"被第{plan.version}版取代：{plan.adjustment_reason}")
            previous.status = PlanStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
    plan.save(update_fields=["status", "filed_at", "published_at", "updated_at"])
    _step(plan, action=action, old=old, new=plan.status, actor=actor, comment=comment)
    audit_record(
        actor=actor, event=f"plan.{action}", target=plan, changes={"status": (old, plan.status), "comment": comment}
    )
    if action == "file":
        deadline_hooks.on_plan_filed(plan, actor=actor)
    return plan


def _check_plan_complete(plan: AnnualPlan) -> None:
    if not plan.lines.exists():
        raise ApplicationError("计划中还没有抽查事项，不能提交")
    missing = plan_missing_items(plan=plan)
    if missing:
        names = "、".join(f"{item.code} {item.name}" for item in missing[:10])
        more = f"等{len(missing)}项" if len(missing) > 10 else ""
        raise ApplicationError(
            f"以下已公布的抽查事项既未纳入计划，也未说明未纳入原因：{names}{more}。请纳入计划或填写原因后再提交。",
            extra={"missing_items": [{"id": i.pk, "code": i.code, "name": i.name} for i in missing]},
        )


def _plan_return(*, actor: User, plan: AnnualPlan, comment: str) -> AnnualPlan:
    if plan.status not in RETURNABLE:
        raise ApplicationError(f"计划当前状态为“{plan.get_status_display()}”，不能退回")
    if not (can_review(actor, plan.owner_id) or can_approve(actor, plan.owner_id)):
        require_review(actor, plan.owner_id)
    if not comment.strip():
        raise ApplicationError("退回须填写意见")
    old = plan.status
    plan.status = PlanStatus.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, action="return", old=old, new=plan.status, actor=actor, comment=comment)
    audit_record(actor=actor, event="plan.return", target=plan, changes={"status": (old, plan.status), "comment": comment})
    return plan


@transaction.atomic
def plan_adjust(*, actor: User, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """Start an adjustment: a new draft version with the same lines; the published one stays in force
    (and readable) until the new version is published, then it becomes 已被取代."""
    plan = _lock_plan(plan)
    require_plan_edit(actor, plan.owner_id)
    if plan.status != PlanStatus.PUBLISHED:
        raise ApplicationError("只有已公布的计划可以调整")
    if AnnualPlan.objects.filter(previous=plan).exists():
        raise ApplicationError("该计划已有一个调整中的新版本，请在新版本上继续")
    if not reason.strip():
        raise ApplicationError("调整计划须填写调整原因")
    new = AnnualPlan.objects.create(
        owner=plan.owner, year=plan.year, title=plan.title, version=plan.version + 1, previous=plan,
        adjustment_reason=reason.strip(), overall_goal_percent=plan.overall_goal_percent,
        description=plan.description,
    )
    lines = list(plan.lines.all())
    for line in lines:
        line.pk = None
        line.plan = new
    AnnualPlanLine.objects.bulk_create(lines)
    PlanUncoveredItem.objects.bulk_create(
        PlanUncoveredItem(plan=new, item_id=u.item_id, reason=u.reason) for u in plan.uncovered.all()
    )
    _step(new, action="adjust", old=PlanStatus.DRAFT, new=PlanStatus.DRAFT, actor=actor, comment=reason)
    audit_record(
        actor=actor, event="plan.adjust", target=new,
        changes={"previous": plan.pk, "version": (plan.version, new.version), "reason": reason},
    )
    deadline_hooks.on_plan_created(new, actor=actor)
    return new


# ---------------------------------------------------------------- 联合抽查计划

JOINT_FIELDS = ["title", "year", "target_scope", "ratio_percent", "ratios", "window_start", "window_end"]


def _lock_joint(joint_plan: JointPlan) -> JointPlan:
    return JointPlan.objects.select_for_update().select_related("owner").get(pk=joint_plan.pk)


def joint_participant_candidates(owner: Organization) -> Any:
    """Departments that may join: bureau-level units in the same region (卫健, 文广旅, 医保 …)."""
    return Organization.objects.filter(kind__in=BUREAU_KINDS, region_id=owner.region_id, is_active=True).exclude(
        pk=owner.pk
    )


def _check_window(start: datetime.date, end: datetime.date) -> None:
    if start > end:
        raise ApplicationError("开始日期不能晚于结束日期")


def _set_participants(joint_plan: JointPlan, organizations: Sequence[Organization]) -> list[str]:
    allowed = set(joint_participant_candidates(joint_plan.owner).values_list("pk", flat=True))
    wanted = {org.pk: org for org in organizations if org.pk != joint_plan.owner_id}
    for org in wanted.values():
        if org.pk not in allowed:
            raise ApplicationError(f"“{org.name}”不能作为参与部门（须为本区划的其他部门）")
    if not wanted:
        raise ApplicationError("联合抽查计划至少需要一个参与部门")
    JointPlanParticipant.objects.get_or_create(joint_plan=joint_plan, organization=joint_plan.owner)
    joint_plan.participants.exclude(organization_id__in=[*wanted, joint_plan.owner_id]).delete()
    for org in wanted.values():
        JointPlanParticipant.objects.get_or_create(joint_plan=joint_plan, organization=org)
    return sorted(org.name for org in wanted.values())


@transaction.atomic
def joint_plan_create(
    *, actor: User, data: dict[str, Any], participants: Sequence[Organization], owner_items: Sequence[CheckItem] = ()
) -> JointPlan:
    bureau = bureau_for_write(actor, Perm.PLAN_EDIT)
    data = joint_ratio_data(data)
    joint_plan = JointPlan(owner=bureau, **{k: v for k, v in data.items() if k in JOINT_FIELDS})
    full_clean(joint_plan)
    _check_window(joint_plan.window_start, joint_plan.window_end)
    joint_plan.save()
    names = _set_participants(joint_plan, participants)
    own = joint_plan.participants.get(organization=bureau)
    own.items.set(_own_items(bureau, owner_items))
    audit_record(
        actor=actor, event="joint_plan.create", target=joint_plan,
        changes={"title": joint_plan.title, "participants": names, "items": [i.code for i in owner_items]},
    )
    deadline_hooks.on_joint_plan_created(joint_plan, actor=actor)
    return joint_plan


def _own_items(bureau: Organization, items: Sequence[CheckItem]) -> list[CheckItem]:
    for item in items:
        if item.owner_id != bureau.pk:
            raise ApplicationError(f"事项“{item.name}”不属于本单位")
    return list(items)


@transaction.atomic
def joint_plan_update(
    *, actor: User, joint_plan: JointPlan, data: dict[str, Any],
    participants: Sequence[Organization] | None = None, owner_items: Sequence[CheckItem] | None = None,
) -> JointPlan:
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.DRAFT:
        raise ApplicationError(
            f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，只有起草状态的计划可以修改"
            "（已公布的计划请使用“调整”）"
        )
    changes: dict[str, Any] = {}
    data = joint_ratio_data(data)
    for name in JOINT_FIELDS:
        if name in data and getattr(joint_plan, name) != data[name]:
            changes[name] = (getattr(joint_plan, name), data[name])
            setattr(joint_plan, name, data[name])
    full_clean(joint_plan)
    _check_window(joint_plan.window_start, joint_plan.window_end)
    joint_plan.save()
    if participants is not None:
        changes["participants"] = _set_participants(joint_plan, participants)
    if owner_items is not None:
        own = joint_plan.participants.get(organization_id=joint_plan.owner_id)
        own.items.set(_own_items(joint_plan.owner, owner_items))
        changes["items"] = [i.code for i in owner_items]
    audit_record(actor=actor, event="joint_plan.update", target=joint_plan, changes=changes)
    return joint_plan


@transaction.atomic
def joint_plan_send(*, actor: User, joint_plan: JointPlan, justification: str = "") -> JointPlan:
    """Send the plan to the participating departments; the 发起部门's own part counts as confirmed."""
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.DRAFT:
        raise ApplicationError("联合抽查计划已发出确认")
    joint_plan.coverage_justification = check_justification(
        joint_estimate(joint_plan), justification, what="联合抽查计划"
    )
    own = joint_plan.participants.filter(organization_id=joint_plan.owner_id).first()
    if own is None or (not own.items.exists() and not own.item_lines):
        raise ApplicationError("请先选择发起部门本部门的抽查事项")
    if joint_plan.participants.exclude(organization_id=joint_plan.owner_id).count() == 0:
        raise ApplicationError("联合抽查计划至少需要一个参与部门")
    now = timezone.now()
    own.confirmed_at, own.confirmed_by = now, actor
    own.save(update_fields=["confirmed_at", "confirmed_by"])
    joint_plan.status = JointPlanStatus.CONFIRMING
    joint_plan.save(update_fields=["status", "coverage_justification", "updated_at"])
    audit_record(actor=actor, event="joint_plan.send", target=joint_plan,
                 changes={"status": (JointPlanStatus.DRAFT, joint_plan.status),
                          "coverage_justification": joint_plan.coverage_justification})
    deadline_hooks.on_joint_plan_sent(joint_plan, actor=actor)
    return joint_plan


@transaction.atomic
def joint_participant_confirm(
    *, actor: User, participant: JointPlanParticipant, item_titles: str | None = None, comment: str = ""
) -> JointPlanParticipant:
    """A participating department confirms its part (its own users only); the last one makes the plan 已确认."""
    joint_plan = _lock_joint(participant.joint_plan)
    participant = JointPlanParticipant.objects.select_for_update().select_related("organization").get(
        pk=participant.pk
    )
    require_confirm_for(actor, participant.organization)
    if joint_plan.status != JointPlanStatus.CONFIRMING:
        raise ApplicationError(f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，不在确认阶段")
    if participant.confirmed_at is not None:
        raise ApplicationError("本部门已确认，无需重复确认")
    if item_titles is not None:
        participant.item_titles = item_titles.strip()
    if not participant.item_lines and not participant.items.exists():
        raise ApplicationError("请填写本部门参加联合抽查的抽查事项（每行一项）")
    participant.confirmed_at = timezone.now()
    participant.confirmed_by = actor
    participant.confirm_comment = comment.strip()[:255]
    participant.save(update_fields=["item_titles", "confirmed_at", "confirmed_by", "confirm_comment"])
    all_done = not joint_plan.participants.filter(confirmed_at__isnull=True).exists()
    if all_done:
        joint_plan.status = JointPlanStatus.CONFIRMED
        joint_plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, event="joint_plan.confirm", target=joint_plan,
        changes={"organization": participant.organization.name, "items": participant.item_lines,
                 "all_confirmed": all_done},
    )
    return participant


@transaction.atomic
def joint_plan_publish(*, actor: User, joint_plan: JointPlan) -> JointPlan:
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.CONFIRMED:
        waiting = [p.organization.name for p in joint_plan.participants.filter(confirmed_at__isnull=True)]
        detail = f"，尚待确认：{'、'.join(waiting)}" if waiting else ""
        raise ApplicationError(f"各参与部门全部确认后才能公布{detail}")
    joint_plan.status = JointPlanStatus.PUBLISHED
    joint_plan.published_at = timezone.now()
    joint_plan.save(update_fields=["status", "published_at", "updated_at"])
    changes: dict[str, Any] = {"status": (JointPlanStatus.CONFIRMED, joint_plan.status)}
    if joint_plan.previous_id is not None:
        previous = JointPlan.objects.select_for_update().get(pk=joint_plan.previous_id)
        changes["superseded"] = {"id": previous.pk, "version": previous.version,
                                 "status": (previous.status, JointPlanStatus.SUPERSEDED)}
        previous.status = JointPlanStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, event="joint_plan.supersede", target=previous,
                     changes={"status": (JointPlanStatus.PUBLISHED, previous.status), "next": joint_plan.pk,
                              "reason": f"被第{joint_plan.version}版取代：{joint_plan.adjustment_reason}"})
    audit_record(actor=actor, event="joint_plan.publish", target=joint_plan, changes=changes)
    deadline_hooks.on_joint_plan_published(joint_plan, actor=actor)
    return joint_plan


@transaction.atomic
def joint_plan_adjust(*, actor: User, joint_plan: JointPlan, reason: str) -> JointPlan:
    """Start an adjustment of a published joint plan: a new draft version with the same participants and items,
    which every department confirms again; the published version stays in force (and readable) until the new
    one is published, then it becomes 已被取代."""
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.PUBLISHED:
        raise ApplicationError(
            f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，只有已公布的联合抽查计划可以调整"
        )
    if JointPlan.objects.filter(previous=joint_plan).exists():
        raise ApplicationError("该联合抽查计划已有一个调整中的新版本，请在新版本上继续")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("调整联合抽查计划须填写调整原因")
    new = JointPlan.objects.create(
        owner=joint_plan.owner, year=joint_plan.year, title=joint_plan.title, version=joint_plan.version + 1,
        previous=joint_plan, adjustment_reason=reason, target_scope=joint_plan.target_scope,
        ratio_percent=joint_plan.ratio_percent, ratios=joint_plan.ratios, window_start=joint_plan.window_start,
        window_end=joint_plan.window_end,
    )
    for part in joint_plan.participants.prefetch_related("items").order_by("pk"):
        copy = JointPlanParticipant.objects.create(
            joint_plan=new, organization_id=part.organization_id, item_titles=part.item_titles
        )
        copy.items.set(part.items.all())
    audit_record(
        actor=actor, event="joint_plan.adjust", target=new,
        changes={"previous": joint_plan.pk, "version": (joint_plan.version, new.version), "reason": reason},
    )
    deadline_hooks.on_joint_plan_created(new, actor=actor)
    return new


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
        actor=actor, event="national_task.import", target=None, organization=bureau,
        changes={"file": file_name, "count": len(tasks), "codes": [t.code for t in tasks]},
    )
    return list(NationalTask.objects.filter(owner=bureau, code__in=[t.code for t in tasks]))


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
    audit_record(actor=actor, event="task.create", target=task, changes={**_task_audit_changes(task), "plan_line": line.pk})
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
    audit_record(actor=actor, event="task.create", target=task,
                 changes={**_task_audit_changes(task), "joint_plan": joint_plan.pk})
    deadline_hooks.on_task_created(task, actor=actor)
    return task


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
    audit_record(actor=actor, event="national_task.claim", target=task,
                 changes={**_task_audit_changes(task), "national_task": national_task.code})
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
        audit_record(actor=actor, event="task.update", target=task, changes=changes)
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


def _transition_refusal(task: Task, frm: str, to: str) -> str | None:
    """Why the work behind ``frm`` → ``to`` is not done yet (``None``: the move may happen).

    A state says what has happened (a draw, a match, every record reviewed, every result published), so no one
    can move a task past a step that did not take place, whether from a page, the API or another app.
    """
    # Other apps' models, imported here: they depend on planning, not the other way round.
    from shuangsuiji.disclosure.selectors_results import unpublished_record_count
    from shuangsuiji.draws.models import DrawStatus, InspectorMatch, MatchStatus, TargetDraw
    from shuangsuiji.inspections.models import InspectionRecord, RecordStatus

    active_matches = InspectorMatch.objects.filter(task=task, status__in=[MatchStatus.MATCHED, MatchStatus.CONFIRMED])
    records = InspectionRecord.objects.filter(task=task).exclude(status=RecordStatus.CANCELLED)
    if (task.kind == TaskKind.NONRANDOM) != (frm == TaskState.DRAFT and to == TaskState.INSPECTING) and frm in (
        TaskState.DRAFT, TaskState.SCHEME_PUBLISHED, TaskState.TARGETS_DRAWN, TaskState.INSPECTORS_MATCHED
    ):
        if task.kind == TaskKind.NONRANDOM:
            return "非随机检查不经抽取和匹配：请指派检查组并生成一企一表后开始检查"
        return "双随机抽查任务须经公布方案、抽取对象和匹配人员后才能开始检查"
    if frm == TaskState.DRAFT and to == TaskState.INSPECTING:
        if not records.exists():
            return "请先指派检查组并生成一企一表"
    elif to == TaskState.SCHEME_PUBLISHED:
        scheme = WorkScheme.objects.filter(task=task).first()
        if scheme is None or scheme.status != SchemeStatus.PUBLISHED:
            return "工作方案尚未公布，不能进入“方案已公布”状态"
    elif to == TaskState.TARGETS_DRAWN and frm == TaskState.SCHEME_PUBLISHED:
        if not TargetDraw.objects.filter(task=task, status__in=[DrawStatus.DRAWN, DrawStatus.CONFIRMED]).exists():
            return "尚未抽取检查对象：请在“双随机抽取”中冻结对象池、公布随机数并抽取"
    elif to == TaskState.TARGETS_DRAWN:  # back from 已匹配人员: only when a re-draw has voided the match
        if active_matches.exists():
            return "人员匹配仍然有效：重新抽取须经申请和审批，批准后原匹配自动作废"
    elif to == TaskState.INSPECTORS_MATCHED:
        if not active_matches.exists():
            return "尚未匹配执法检查人员：请在“双随机抽取”中随机匹配执法人员"
    elif to == TaskState.INSPECTING:
        if not active_matches.filter(status=MatchStatus.CONFIRMED).exists():
            return "人员匹配尚未经第二人确认，不能开始检查"
    elif to == TaskState.COMPLETED:
        open_count = records.exclude(status=RecordStatus.APPROVED).count()
        if not records.exists():
            return "本任务还没有一企一表，不能标记为检查完成"
        if open_count:
            return f"还有 {open_count} 份一企一表未审核通过，不能标记为检查完成"
    elif to == TaskState.PUBLISHED:
        missing = unpublished_record_count(task)
        if missing:
            return f"还有 {missing} 户的抽查结果未公示（或未登记依法不予公开的理由），请先在“公示抽查结果”中公示"
    return None


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
    audit_record(actor=actor, event="task.transition", target=locked,
                 changes={"state": (old, to_state), "action": rule.label, "comment": comment})
    if to_state == TaskState.COMPLETED:
        deadline_hooks.on_task_completed(locked, actor=actor)
    if to_state == TaskState.PUBLISHED:
        deadline_hooks.on_task_published(locked, actor=actor)
    task.state, task.completed_at = locked.state, locked.completed_at
    return locked


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
        event = "scheme.create"
    else:
        scheme.body = body
        scheme.save(update_fields=["body", "updated_at"])
        event = "scheme.regenerate"
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
        audit_record(actor=actor, event="scheme.update", target=scheme, changes=changes)
    return scheme


@transaction.atomic
def scheme_approve(*, actor: User, scheme: WorkScheme, comment: str = "") -> WorkScheme:
    scheme = _lock_scheme(scheme)
    require_approve(actor, scheme.task.owner_id)
    if scheme.status != SchemeStatus.DRAFT:
        raise ApplicationError(f"工作方案当前状态为“{scheme.get_status_display()}”，不能审批")
    scheme.status, scheme.approved_by, scheme.approved_at = SchemeStatus.APPROVED, actor, timezone.now()
    scheme.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(actor=actor, event="scheme.approve", target=scheme,
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
    audit_record(actor=actor, event="scheme.publish", target=scheme,
                 changes={"status": (SchemeStatus.APPROVED, scheme.status)})
    task_transition(actor=actor, task=scheme.task, to_state=TaskState.SCHEME_PUBLISHED, comment="工作方案已公布")
    deadline_hooks.on_scheme_published(scheme.task, actor=actor)
    return scheme


def specialties_by_code(codes: Iterable[str]) -> list[Specialty]:
    codes = list(codes)
    found = list(Specialty.objects.filter(code__in=codes))
    missing = set(codes) - {s.code for s in found}
    if missing:
        raise ApplicationError(f"未知的专业代码：{'、'.join(sorted(missing))}")
    return found


def regions_by_code(codes: Iterable[str]) -> list[Region]:
    codes = list(codes)
    found = list(Region.objects.filter(code__in=codes))
    missing = set(codes) - {r.code for r in found}
    if missing:
        raise ApplicationError(f"未知的行政区划代码：{'、'.join(sorted(missing))}")
    return found
