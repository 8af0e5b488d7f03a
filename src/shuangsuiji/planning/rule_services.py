"""Writes of the draw rules: a bureau's ``DrawRuleSettings`` and the ``CoverageFloor`` of a region.

Only the 双随机办 administrator (or a superuser) of the bureau changes them; every error is Chinese and nothing is
saved when any value is wrong (cycle outside 3–5, cap below the floor, unknown 专业 or flag).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region, Role, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import RiskFlag, Specialty
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
