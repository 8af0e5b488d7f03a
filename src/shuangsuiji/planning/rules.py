"""Which draw rules apply to a bureau, a plan and a task (read side; writes are in ``rule_services``).

Resolution, most specific first: the task's own fields (ratios, mandatory flags) → its annual plan (cycle,
region weights) → the bureau's ``DrawRuleSettings`` → the nearest upper-level bureau's → the defaults of
``rule_models`` (5-year cycle, 非请勿扰 on, 一般 cap 30%, all six mandatory flags, floor 3%).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from shuangsuiji.accounts.models import Organization, OrganizationKind, Region
from shuangsuiji.directory.flag_services import MandatoryRule
from shuangsuiji.directory.models import ItemKind, RiskFlag, Specialty
from shuangsuiji.planning.models import RISK_CLASSES, AnnualPlan, JointPlan, Task
from shuangsuiji.planning.rule_models import (
    ALL_FLAGS,
    DEFAULT_CYCLE_YEARS,
    DEFAULT_FLOOR,
    DEFAULT_GENERAL_CAP,
    DEFAULT_KEY_SPECIALTIES,
    CoverageFloor,
    CycleMode,
    DrawRuleSettings,
    FloorLevel,
)

CYCLE_RANGE = (3, 5)  # 大洼: 按3—5年全面覆盖一次


@dataclass(frozen=True)
class BureauRules:
    source: str  # where the settings come from, for the pages
    cycle_years: int
    cycle_mode: str
    cycle_start_year: int | None  # None: rolling window (the last cycle_years years)
    do_not_disturb: bool
    key_specialties: tuple[str, ...]
    general_cap: Decimal
    mandatory_flags: tuple[str, ...]
    flag_lookback_years: int

    @property
    def cycle_mode_label(self) -> str:
        return CycleMode(self.cycle_mode).label if self.cycle_mode in CycleMode.values else self.cycle_mode

    def cycle_start(self, year: int) -> datetime.date:
        """First day of the coverage cycle that contains ``year``."""
        if self.cycle_start_year is None or year < self.cycle_start_year:
            return datetime.date(year - self.cycle_years + 1, 1, 1)
        offset = (year - self.cycle_start_year) // self.cycle_years * self.cycle_years
        return datetime.date(self.cycle_start_year + offset, 1, 1)

    def flags_since(self, day: datetime.date) -> datetime.date:
        """Flags dated on or after this day make a target mandatory (上年度 = 1 year back from 1 January)."""
        return datetime.date(day.year - self.flag_lookback_years, 1, 1)


DEFAULTS = BureauRules(
    source="系统默认",
    cycle_years=DEFAULT_CYCLE_YEARS,
    cycle_mode=CycleMode.PREFER,
    cycle_start_year=None,
    do_not_disturb=True,
    key_specialties=tuple(DEFAULT_KEY_SPECIALTIES),
    general_cap=DEFAULT_GENERAL_CAP,
    mandatory_flags=tuple(ALL_FLAGS),
    flag_lookback_years=1,
)


def _from_settings(settings: DrawRuleSettings, source: str) -> BureauRules:
    return BureauRules(
        source=source,
        cycle_years=settings.cycle_years,
        cycle_mode=settings.cycle_mode,
        cycle_start_year=settings.cycle_start_year,
        do_not_disturb=settings.do_not_disturb,
        key_specialties=tuple(sorted(settings.key_specialties or [])),
        general_cap=settings.general_cap_percent,
        mandatory_flags=tuple(sorted(settings.mandatory_flags or [])),
        flag_lookback_years=settings.flag_lookback_years,
    )


def _ancestor_codes(region: Region) -> list[str]:
    return [code for code in region.path.strip("/").split("/") if code]


def bureau_rules(organization: Organization) -> BureauRules:
    bureau = organization.bureau
    own = DrawRuleSettings.objects.filter(organization=bureau).first()
    if own is not None:
        return _from_settings(own, "本单位设置")
    ancestors = _ancestor_codes(bureau.region)[:-1]
    inherited = (
        DrawRuleSettings.objects.filter(
            organization__kind=OrganizationKind.HEALTH_BUREAU,
            organization__region__code__in=ancestors,
            organization__system=bureau.system,
        )
        .select_related("organization", "organization__region")
        .order_by("-organization__region__path")
        .first()
    )
    if inherited is not None:
        return _from_settings(inherited, f"沿用上级单位（{inherited.organization.name}）设置")
    return DEFAULTS


@dataclass(frozen=True)
class Floor:
    percent: Decimal
    source: str  # full sentence for the pages
    basis: str  # short, for error messages


def coverage_floor(region: Region, level: str) -> Floor:
    """The required share for plans of ``level`` in ``region``: the nearest region up the tree that sets one."""
    codes = _ancestor_codes(region)
    found = (
        CoverageFloor.objects.filter(region__code__in=codes, level=level)
        .select_related("region")
        .order_by("-region__path")
        .first()
    )
    if found is not None:
        basis = f"，{found.basis}" if found.basis else ""
        return Floor(
            found.percent,
            f"{found.region.name}{FloorLevel(level).label}最低 {found.percent.normalize():f}%{basis}",
            f"{found.region.name}设定{'：' + found.basis if found.basis else ''}",
        )
    return Floor(
        DEFAULT_FLOOR, f"默认最低 {DEFAULT_FLOOR.normalize():f}%（年度抽查监管主体占比 3% 以上）", "默认：年度抽查监管主体占比3%以上"
    )


@dataclass(frozen=True)
class TaskRules:
    """Everything the draw of a task applies besides ratios and floors, with the reasons for the pages."""

    bureau: BureauRules
    item_kind: str  # 一般 | 重点
    cycle_years: int
    cycle_mode: str
    cycle_start: datetime.date
    do_not_disturb: bool
    do_not_disturb_reason: str
    key_specialties: tuple[str, ...]
    general_cap: Decimal | None
    mandatory_flags: tuple[str, ...]
    flags_since: datetime.date
    region_weights: dict[str, Decimal] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The rules in Chinese, for the 工作方案, the task page and the draw page."""
        mode = CycleMode(self.cycle_mode).label if self.cycle_mode in CycleMode.values else self.cycle_mode
        out = [
            f"全覆盖周期：{self.cycle_years} 年（本周期自{_cn(self.cycle_start)}起；{mode}）",
        ]
        if self.do_not_disturb:
            keys = "、".join(specialty_names(self.key_specialties)) or "无"
            out.append(
                "非请勿扰：A类（信用风险低）且无任何风险标记的对象不参加本次随机抽取；"
                f"重点专业除外（{keys}），投诉举报或上级任务要求检查的除外"
            )
        else:
            out.append(f"非请勿扰：不适用（{self.do_not_disturb_reason}）")
        if self.general_cap is not None:
            out.append(f"一般事项抽查比例上限：{self.general_cap.normalize():f}%（超过上限的类别按上限抽取）")
        else:
            out.append("重点事项：抽查比例不设上限，检查批次顺序随机确定")
        flags = "、".join(dict(RiskFlag.choices).get(f, f) for f in self.mandatory_flags) or "无"
        out.append(f"高风险必查：{_cn(self.flags_since)}以来发生以下情形的对象必须检查：{flags}")
        if self.region_weights:
            weights = "、".join(f"{_region_name(code)} ×{w.normalize():f}" for code, w in sorted(self.region_weights.items()))
            out.append(f"不同地区的抽查比重（年度计划）：{weights}，其他地区 ×1")
        return out


def _cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _region_name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


def specialty_names(codes: tuple[str, ...] | list[str]) -> list[str]:
    names = dict(Specialty.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


def task_item_kind(task: Task) -> str:
    return "重点" if task.items.filter(kind=ItemKind.KEY).exists() else "一般"


def task_plan(task: Task) -> AnnualPlan | None:
    return task.plan_line.plan if task.plan_line_id is not None and task.plan_line is not None else None


def task_rules(task: Task, *, today: datetime.date) -> TaskRules:
    bureau = bureau_rules(task.owner)
    kind = task_item_kind(task)
    plan = task_plan(task)
    years = plan.cycle_years if plan is not None and plan.cycle_years else bureau.cycle_years
    mode = plan.cycle_mode if plan is not None and plan.cycle_mode else bureau.cycle_mode
    base = dataclasses.replace(bureau, cycle_years=years)
    if task.national_task_id is not None:
        dnd, reason = False, "上级下达任务，按上级要求的范围检查"
    elif kind == "重点":
        dnd, reason = False, "重点检查事项"
    elif not bureau.do_not_disturb:
        dnd, reason = False, f"{bureau.source}未启用"
    else:
        dnd, reason = True, ""
    weights = {str(k): Decimal(str(v)) for k, v in ((plan.region_weights or {}) if plan is not None else {}).items()}
    return TaskRules(
        bureau=bureau,
        item_kind=kind,
        cycle_years=years,
        cycle_mode=mode,
        cycle_start=base.cycle_start(today.year),
        do_not_disturb=dnd,
        do_not_disturb_reason=reason,
        key_specialties=bureau.key_specialties,
        general_cap=bureau.general_cap if kind == "一般" else None,
        mandatory_flags=tuple(sorted(task.mandatory_flags or [])),
        flags_since=bureau.flags_since(today),
        region_weights={k: w for k, w in weights.items() if w != 1},
    )


def check_ratios_against_cap(ratios: dict[str, object], cap: Decimal, what: str) -> list[str]:
    """Chinese errors for ratios of a 一般 item above the bureau's cap (玉溪: 一般检查事项……严格控制上限)."""
    over = [
        f"{risk}类 {Decimal(str(value)).normalize():f}%"
        for risk, value in sorted(ratios.items())
        if value not in (None, "") and Decimal(str(value)) > cap
    ]
    if not over:
        return []
    return [f"{what}为一般检查事项，抽查比例（{'、'.join(over)}）超过一般事项上限 {cap.normalize():f}%"]


def joint_ratios(joint: JointPlan) -> dict[str, Decimal]:
    """A joint plan's ratio per risk class (莲池: 按照企业信用风险分级分类); older plans have one number for all."""
    table = joint.ratios or {}
    return {risk: Decimal(str(table.get(risk, joint.ratio_percent))) for risk in RISK_CLASSES}


def mandatory_rule_for(organization: Organization, day: datetime.date) -> MandatoryRule:
    """高风险必查 of the bureau's rules, for directory's target page (registered in PlanningConfig.ready)."""
    rules = bureau_rules(organization)
    return MandatoryRule(since=rules.flags_since(day), flags=rules.mandatory_flags, source=rules.source)
