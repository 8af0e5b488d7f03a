"""年度抽查计划: create, edit lines, submit → review → approve → file, return and adjust."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, User
from shuangsuiji.accounts.scope import Perm, bureau_for_write
from shuangsuiji.accounts.security import require_second_factor_for
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, ItemStatus
from shuangsuiji.planning import deadline_hooks, events
from shuangsuiji.planning.coverage import check_justification, plan_estimate
from shuangsuiji.planning.models import (
    AnnualPlan,
    AnnualPlanLine,
    PlanStatus,
    PlanStep,
    PlanUncoveredItem,
)
from shuangsuiji.planning.permissions import (
    can_approve,
    can_review,
    require_approve,
    require_plan_edit,
    require_review,
)
from shuangsuiji.planning.rule_services import check_line_rule
from shuangsuiji.planning.services.base import full_clean, normalise_months, normalise_ratios

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
    audit_record(actor=actor, event=events.PLAN_CREATE, target=plan, changes={"year": year, "title": plan.title})
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
        audit_record(actor=actor, event=events.PLAN_UPDATE, target=plan, changes=changes)
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
        actor=actor, event=events.PLAN_LINE_ADD if created else events.PLAN_LINE_UPDATE, target=plan,
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
    audit_record(actor=actor, event=events.PLAN_LINE_DELETE, target=plan, changes={"item": code})


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
            actor=actor, event=events.PLAN_LINES_ADD_MISSING, target=plan,
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
    audit_record(actor=actor, event=events.PLAN_UNCOVERED_SAVE, target=plan, changes={"item": item.code, "reason": reason})
    return entry


@transaction.atomic
def plan_uncovered_delete(*, actor: User, entry: PlanUncoveredItem) -> None:
    plan = _lock_plan(entry.plan)
    require_plan_edit(actor, plan.owner_id)
    _require_draft(plan)
    code = entry.item.code
    entry.delete()
    audit_record(actor=actor, event=events.PLAN_UNCOVERED_DELETE, target=plan, changes={"item": code})


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
    require_second_factor_for(actor, f"plan.{action}")
    audit_record(
        actor=actor, event=events.plan_event(action), target=plan, changes={"status": (old, plan.status), "comment": comment}
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
    audit_record(actor=actor, event=events.PLAN_RETURN, target=plan, changes={"status": (old, plan.status), "comment": comment})
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
        actor=actor, event=events.PLAN_ADJUST, target=new,
        changes={"previous": plan.pk, "version": (plan.version, new.version), "reason": reason},
    )
    deadline_hooks.on_plan_created(new, actor=actor)
    return new
