"""Writes of the draw rules: a bureau's ``DrawRuleSettings`` and the ``CoverageFloor`` of a region.

Only the 双随机办 administrator (or a superuser) of the bureau changes them; every error is Chinese and nothing is
saved when any value is wrong (cycle outside 3–5, cap below the floor, unknown 专业 or flag).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region, Role, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import ItemKind, RiskFlag, Specialty
from shuangsuiji.planning.models import CoverageRule
from shuangsuiji.planning.permissions import require_plan_edit
from shuangsuiji.planning.rule_models import CoverageFloor, CycleMode, DrawRuleSettings, FloorLevel
from shuangsuiji.planning.rules import CYCLE_RANGE, bureau_rules, coverage_floor

SETTING_FIELDS = (
    "cycle_years", "cycle_mode", "cycle_start_year", "do_not_disturb", "key_specialties", "general_cap_percent",
    "mandatory_flags", "flag_lookback_years",
)  # fmt: skip


def _require_admin(actor: User, bureau: Organization) -> None:
    if actor.is_superuser:
        return
    own = user_bureau(actor)
    if not actor.is_active or actor.role != Role.PROGRAM_ADMIN or own is None or own.pk != bureau.pk:
        raise PermissionDeniedError("只有本单位双随机办管理员可以修改抽取规则")


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"{what}『{value}』不是数字") from None
    if not number.is_finite():
        raise ApplicationError(f"{what}『{value}』不是数字")
    return number


def clean_settings(bureau: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """Validated values (all of them or an ApplicationError listing every problem)."""
    current = bureau_rules(bureau)
    merged: dict[str, Any] = {
        "cycle_years": current.cycle_years, "cycle_mode": current.cycle_mode,
        "cycle_start_year": current.cycle_start_year, "do_not_disturb": current.do_not_disturb,
        "key_specialties": list(current.key_specialties), "general_cap_percent": current.general_cap,
        "mandatory_flags": list(current.mandatory_flags), "flag_lookback_years": current.flag_lookback_years,
    }
    unknown = sorted(set(data) - set(SETTING_FIELDS))
    if unknown:
        raise ApplicationError(f"未知的设置项：{'、'.join(unknown)}")
    merged.update(data)
    errors: list[str] = []
    try:
        years = int(merged["cycle_years"])
    except (TypeError, ValueError):
        years = 0
    low, high = CYCLE_RANGE
    if not low <= years <= high:
        errors.append(f"全覆盖周期须为 {low}—{high} 年（大洼实施细则：按3—5年全面覆盖一次），现为『{merged['cycle_years']}』")
    if merged["cycle_mode"] not in CycleMode.values:
        errors.append(f"覆盖方式『{merged['cycle_mode']}』无效（可选：{'、'.join(CycleMode.labels)}）")
    start = merged["cycle_start_year"]
    if start in (None, ""):
        start = timezone.localdate().year  # a new cycle starts this year
    else:
        try:
            start = int(start)
        except (TypeError, ValueError):
            start = 0
        if not 2000 <= start <= 2100:
            errors.append(f"本周期起始年度『{merged['cycle_start_year']}』无效")
    try:
        cap = _decimal(merged["general_cap_percent"], "一般事项抽查比例上限")
    except ApplicationError as error:
        errors.append(error.message)
        cap = None
    floor = coverage_floor(bureau.region, FloorLevel.ANNUAL)
    if cap is not None:
        if not Decimal(0) < cap <= Decimal(100):
            errors.append(f"一般事项抽查比例上限须在 0%—100% 之间，现为 {cap.normalize():f}%")
        elif cap < floor.percent:
            errors.append(
                f"一般事项抽查比例上限 {cap.normalize():f}% 低于最低抽查比例 {floor.percent.normalize():f}%"
                f"（{floor.basis}），按上限抽取将达不到最低比例"
            )
    keys = sorted({str(k).strip() for k in merged["key_specialties"] or [] if str(k).strip()})
    known = set(Specialty.objects.filter(code__in=keys).values_list("code", flat=True))
    if set(keys) - known:
        errors.append(f"非请勿扰除外的专业不存在：{'、'.join(sorted(set(keys) - known))}")
    flags = sorted({str(f) for f in merged["mandatory_flags"] or []})
    if set(flags) - set(RiskFlag.values):
        errors.append(f"未知的必查风险标记：{'、'.join(sorted(set(flags) - set(RiskFlag.values)))}")
    try:
        lookback = int(merged["flag_lookback_years"])
    except (TypeError, ValueError):
        lookback = -1
    if not 0 <= lookback <= 3:
        errors.append("必查标记回溯年度须为 0—3（0 = 仅本年度，1 = 上年度起）")
    if errors:
        raise ApplicationError("；".join(errors))
    return {
        "cycle_years": years, "cycle_mode": merged["cycle_mode"], "cycle_start_year": start,
        "do_not_disturb": bool(merged["do_not_disturb"]), "key_specialties": keys, "general_cap_percent": cap,
        "mandatory_flags": flags, "flag_lookback_years": lookback,
    }


@transaction.atomic
def draw_rules_save(*, actor: User, organization: Organization, data: dict[str, Any]) -> DrawRuleSettings:
    """设置抽取规则 of a bureau (its subordinate bureaus without their own settings inherit them)."""
    bureau = organization.bureau
    _require_admin(actor, bureau)
    values = clean_settings(bureau, data)
    settings = DrawRuleSettings.objects.select_for_update().filter(organization=bureau).first()
    before = {f: getattr(settings, f) for f in SETTING_FIELDS} if settings is not None else None
    if settings is None:
        settings = DrawRuleSettings(organization=bureau, **values)
    else:
        for key, value in values.items():
            setattr(settings, key, value)
    settings.save()
    changes = {
        f: (None if before is None else _plain(before[f]), _plain(values[f]))
        for f in SETTING_FIELDS
        if before is None or before[f] != values[f]
    }
    audit_record(actor=actor, event="draw_rules.save", target=settings, changes=changes)
    return settings


def _plain(value: Any) -> Any:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else value


@transaction.atomic
def coverage_floor_set(*, actor: User, region: Region, level: str, percent: Any, basis: str = "") -> CoverageFloor:
    """最低抽查比例 for plans of ``level`` in ``region`` and its subregions (the bureau's own region or below)."""
    bureau = user_bureau(actor)
    if not actor.is_superuser:
        if bureau is None or actor.role != Role.PROGRAM_ADMIN:
            raise PermissionDeniedError("只有双随机办管理员可以设置最低抽查比例")
        if not region.path.startswith(bureau.region.path):
            raise PermissionDeniedError(f"区划“{region.name}”不在本单位管辖范围内")
    if level not in FloorLevel.values:
        raise ApplicationError(f"适用层级『{level}』无效（可选：{'、'.join(FloorLevel.labels)}）")
    value = _decimal(percent, "最低抽查比例")
    if not Decimal(0) < value <= Decimal(100):
        raise ApplicationError(f"最低抽查比例须在 0%—100% 之间，现为 {value.normalize():f}%")
    if bureau is not None and level == FloorLevel.ANNUAL:
        cap = bureau_rules(bureau).general_cap
        if value > cap:
            raise ApplicationError(
                f"最低抽查比例 {value.normalize():f}% 高于本单位一般事项抽查比例上限 {cap.normalize():f}%，二者矛盾"
            )
    floor, created = CoverageFloor.objects.select_for_update().get_or_create(
        region=region, level=level, defaults={"percent": value, "basis": basis.strip()[:200]}
    )
    old = None if created else f"{floor.percent.normalize():f}"
    floor.percent, floor.basis = value, basis.strip()[:200]
    floor.save()
    audit_record(
        actor=actor, event="coverage_floor.set", target=floor,
        changes={"region": region.code, "level": level, "percent": (old, f"{value.normalize():f}")},
    )
    return floor


# ---------------------------------------------------------------- contradictions (called by the planning services)


def check_line_rule(*, plan: Any, item: Any, coverage_rule: str) -> None:
    """A 一般 item (capped) cannot also require 100% coverage: the two settings contradict each other."""
    if coverage_rule not in CoverageRule.values:
        raise ApplicationError(f"覆盖要求『{coverage_rule}』无效（可选：{'、'.join(CoverageRule.labels)}）")
    if coverage_rule == CoverageRule.FULL and item.kind == ItemKind.GENERAL:
        cap = bureau_rules(plan.owner).general_cap
        if cap < 100:
            raise ApplicationError(
                f"“{item.name}”是一般检查事项，本单位一般事项抽查比例上限为 {cap.normalize():f}%，"
                "与“全覆盖（100%）”要求矛盾：请将该事项改为重点检查事项（不设上限），或改用其他覆盖要求"
            )


def check_task_settings(*, owner: Organization, items: Any, floor_percent: Any) -> None:
    """A task of 一般 items cannot require a per-class floor above the 一般 cap (the cap would break it)."""
    if floor_percent in (None, "") or any(getattr(i, "kind", "") == ItemKind.KEY for i in items):
        return
    floor = Decimal(str(floor_percent))
    cap = bureau_rules(owner).general_cap
    if floor > cap:
        raise ApplicationError(
            f"各类别最低抽查比例 {floor.normalize():f}% 高于一般事项抽查比例上限 {cap.normalize():f}%，二者矛盾："
            "请降低最低比例，或选择重点检查事项"
        )


def joint_ratio_data(data: dict[str, Any]) -> dict[str, Any]:
    """莲池: 按照企业信用风险分级分类，抽查比例5%以上 — ratios per class; ``ratio_percent`` is their minimum."""
    if "ratios" not in data or not data["ratios"]:
        return {k: v for k, v in data.items() if k != "ratios"}
    table: dict[str, float] = {}
    for risk in ("A", "B", "C", "D"):
        value = data["ratios"].get(risk)
        if value in (None, ""):
            raise ApplicationError(f"请填写{risk}类对象的抽查比例")
        number = _decimal(value, f"{risk}类抽查比例")
        if not Decimal(0) < number <= Decimal(100):
            raise ApplicationError(f"{risk}类抽查比例应在0到100之间（不含0）")
        table[risk] = float(round(number, 2))
    return {**data, "ratios": table, "ratio_percent": Decimal(str(min(table.values())))}


@transaction.atomic
def plan_rules_save(
    *, actor: User, plan: Any, cycle_years: Any = None, cycle_mode: str = "", region_weights: dict[str, Any] | None = None
) -> Any:
    """An annual plan's own draw rules: coverage cycle (else the bureau's) and 不同地区的抽查比重 (玉溪)."""
    from shuangsuiji.planning.models import AnnualPlan, PlanStatus

    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    require_plan_edit(actor, plan.owner_id)
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(f"计划当前状态为“{plan.get_status_display()}”，只有起草状态的计划可以修改抽取规则")
    errors: list[str] = []
    years: int | None = None
    if cycle_years not in (None, ""):
        try:
            years = int(cycle_years)
        except (TypeError, ValueError):
            years = -1
        low, high = CYCLE_RANGE
        if not low <= years <= high:
            errors.append(f"全覆盖周期须为 {low}—{high} 年（大洼实施细则：按3—5年全面覆盖一次），现为『{cycle_years}』")
    if cycle_mode and cycle_mode not in CycleMode.values:
        errors.append(f"覆盖方式『{cycle_mode}』无效")
    weights: dict[str, str] = {}
    for code, raw in (region_weights or {}).items():
        region = Region.objects.filter(code=str(code).strip()).first()
        if region is None or not region.path.startswith(plan.owner.region.path):
            errors.append(f"区划『{code}』不在本单位辖区内")
            continue
        try:
            weight = _decimal(raw, f"{region.name}的抽查比重")
        except ApplicationError as error:
            errors.append(error.message)
            continue
        if not Decimal("0.1") <= weight <= Decimal(10):
            errors.append(f"{region.name}的抽查比重须在 0.1—10 之间（1 为一般），现为 {weight.normalize():f}")
            continue
        if weight != 1:
            weights[region.code] = f"{weight.normalize():f}"
    if errors:
        raise ApplicationError("；".join(errors))
    before = {"cycle_years": plan.cycle_years, "cycle_mode": plan.cycle_mode, "region_weights": plan.region_weights}
    plan.cycle_years, plan.cycle_mode, plan.region_weights = years, cycle_mode or "", weights
    plan.save(update_fields=["cycle_years", "cycle_mode", "region_weights", "updated_at"])
    after = {"cycle_years": years, "cycle_mode": plan.cycle_mode, "region_weights": weights}
    audit_record(
        actor=actor, event="plan.rules", target=plan,
        changes={k: (before[k], after[k]) for k in after if before[k] != after[k]},
    )
    return plan


def parse_region_weights(text: str) -> dict[str, str]:
    """"130606:2, 130630：0.5" (or 区划名称:比重, one per line) → {code: weight}; Chinese error on bad input."""
    result: dict[str, str] = {}
    for n, part in enumerate((p.strip() for p in re.split(r"[,，;；\n]+", text or "")), start=1):
        if not part:
            continue
        pieces = re.split(r"[:：=\s]+", part)
        if len(pieces) != 2 or not pieces[0] or not pieces[1]:
            raise ApplicationError(f"第{n}项『{part}』格式应为“区划代码或名称:比重”，如 130606:2")
        key, value = pieces
        region = Region.objects.filter(code=key).first() or Region.objects.filter(name=key).first()
        if region is None:
            raise ApplicationError(f"第{n}项：区划『{key}』不存在")
        result[region.code] = value
    return result
