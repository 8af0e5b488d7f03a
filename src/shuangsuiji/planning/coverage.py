"""Required coverage, checked where it is decided (issue 18 item 5; 平顶山 plan rules, issue 20 item 8).

- ``plan_estimate``: the expected share of the bureau's register an annual plan will inspect (each target's
  chance = 1 − Π(1 − p) over the lines of its 专业, with the 一般 cap, 非请勿扰, mandatory flags and full-coverage
  lines applied), the share of each 专业 not yet inspected in the coverage cycle, the projected coverage by year
  (``core.draw.simulate_coverage`` over the register) and the 平顶山 line rules (全覆盖 / 不低于上年数量).
- ``joint_estimate`` / ``task_estimate``: the same share for a joint plan (ratios per risk class over the
  register of its 卫健 items) and for a task.
- ``check_justification``: below the floor, submitting needs a recorded justification.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from shuangsuiji.accounts.models import Organization
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.draw import Candidate, DrawInputError, Pool, simulate_coverage
from shuangsuiji.directory.models import ItemKind, Specialty, Target, TargetStatus
from shuangsuiji.planning.models import (
    RISK_CLASSES,
    AnnualPlan,
    AnnualPlanLine,
    CoverageRule,
    JointPlan,
    Task,
)
from shuangsuiji.planning.rule_models import FloorLevel
from shuangsuiji.planning.rules import BureauRules, Floor, bureau_rules, coverage_floor, joint_ratios

KEYWORD_SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass
class TargetRow:
    pk: int
    code: str
    name: str
    region: str
    specialties: frozenset[str]
    risk: str
    flags: frozenset[str]
    last: datetime.date | None
    last_result: str


def register_rows(owner: Organization, *, specialties: set[str] | None = None, regions: list[Any] | None = None) -> list[TargetRow]:
    """The bureau's operating targets (optionally of some 专业 / regions), one row each."""
    qs = Target.objects.filter(owner=owner, status=TargetStatus.OPERATING, is_retired=False)
    if regions:
        region_q = Q()
        for region in regions:
            region_q |= Q(region__path__startswith=region.path)
        qs = qs.filter(region_q)
    if specialties is not None:
        qs = qs.filter(specialties__code__in=specialties).distinct()
    rows = {
        pk: TargetRow(pk, code, name, region, frozenset(), risk, frozenset(flags or []), last, result or "")
        for pk, code, name, region, risk, flags, last, result in qs.values_list(
            "pk", "code", "name", "region__code", "risk_class", "risk_flags", "last_inspected_on", "last_result"
        )
    }
    specs: dict[int, set[str]] = defaultdict(set)
    through = Target.specialties.through.objects.filter(target_id__in=list(rows))
    for target_id, code in through.values_list("target_id", "specialty__code"):
        specs[target_id].add(code)
    for pk, row in rows.items():
        row.specialties = frozenset(specs.get(pk, set()))
    return list(rows.values())


def _keywords(text: str) -> list[str]:
    return [k for k in KEYWORD_SPLIT.split(text or "") if k]


def matches_class(row: TargetRow, line: AnnualPlanLine) -> bool:
    """Whether a target belongs to the line's target class (its 专业, and a name keyword when given)."""
    if line.item.specialty.code not in row.specialties:
        return False
    words = _keywords(line.target_keywords)
    return not words or any(w in row.name for w in words)


def _left_alone(row: TargetRow, rules: BureauRules) -> bool:
    """非请勿扰 for a 一般 item: A类, no flag, no adverse result, no key 专业."""
    return (
        rules.do_not_disturb
        and row.risk == "A"
        and not row.flags
        and row.last_result in ("", "未发现问题")
        and not (row.specialties & set(rules.key_specialties))
    )


def line_probability(row: TargetRow, line: AnnualPlanLine, rules: BureauRules) -> float:
    """The chance a target is inspected under one plan line (its expected share of the line's draws)."""
    if line.item.specialty.code not in row.specialties:
        return 0.0
    if line.coverage_rule == CoverageRule.FULL and matches_class(row, line):
        return 1.0
    if row.flags & set(rules.mandatory_flags):
        return 1.0
    general = line.item.kind == ItemKind.GENERAL
    if general and _left_alone(row, rules):
        return 0.0
    ratio = Decimal(str((line.ratios or {}).get(row.risk) or 0))
    if general:
        ratio = min(ratio, rules.general_cap)
    return float(ratio) / 100


@dataclass
class SpecialtyCoverage:
    name: str
    register: int
    expected: float
    not_in_cycle: int

    @property
    def expected_percent(self) -> float:
        return 100 * self.expected / self.register if self.register else 0.0

    @property
    def not_in_cycle_percent(self) -> float:
        return 100 * self.not_in_cycle / self.register if self.register else 0.0


@dataclass
class LineRuleCheck:
    """A 平顶山 line rule: 全覆盖 of a target class, or not below last year's number of inspections."""

    line: AnnualPlanLine
    label: str
    required: int
    planned: int
    done: int  # inspected so far this year (the dashboard's progress)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.planned >= self.required

    @property
    def progress_percent(self) -> float:
        return 100 * self.done / self.required if self.required else 100.0


@dataclass
class Estimate:
    register: int
    expected: float
    floor: Floor
    by_specialty: list[SpecialtyCoverage] = field(default_factory=list)
    projection: list[dict[str, Any]] = field(default_factory=list)
    line_checks: list[LineRuleCheck] = field(default_factory=list)
    cycle_start: datetime.date | None = None

    @property
    def share_percent(self) -> Decimal:
        if not self.register:
            return Decimal(0)
        return (Decimal(self.expected) * 100 / self.register).quantize(Decimal("0.01"))

    @property
    def below_floor(self) -> bool:
        return self.register > 0 and self.share_percent < self.floor.percent

    @property
    def failed_rules(self) -> list[LineRuleCheck]:
        return [c for c in self.line_checks if not c.ok]

    def problems(self) -> list[str]:
        out = []
        if self.below_floor:
            out.append(
                f"预计抽查约 {self.expected:.1f} 户，占检查对象名录库 {self.register} 户的 {self.share_percent.normalize():f}%，"
                f"低于最低抽查比例 {self.floor.percent.normalize():f}%（{self.floor.basis}）"
            )
        out += [c.message for c in self.failed_rules]
        return out


def inspected_counts(owner: Organization, specialty_code: str, year: int) -> int:
    """Targets of a 专业 inspected in a year — the count 平顶山 compares against ("不低于2020年的监督检查数量").

    From the 名录库 and its history: every inspection result sets the target's last inspection date and the
    history keeps each earlier value, so a target inspected last year and again this year still counts.
    """
    targets = Target.objects.filter(owner=owner, specialties__code=specialty_code)
    ids = set(targets.filter(last_inspected_on__year=year).values_list("pk", flat=True))
    ids |= set(
        Target.history.filter(id__in=targets.values("pk"), last_inspected_on__year=year).values_list("id", flat=True)
    )
    return len(ids)


def _inspected_in_year(owner: Organization, line: AnnualPlanLine, year: int, rows: list[TargetRow]) -> int:
    return sum(1 for r in rows if matches_class(r, line) and r.last is not None and r.last.year == year)


def plan_line_checks(plan: AnnualPlan, rows: list[TargetRow], rules: BureauRules) -> list[LineRuleCheck]:
    checks = []
    for line in plan.lines.select_related("item", "item__specialty"):
        if line.coverage_rule == CoverageRule.NONE:
            continue
        members = [r for r in rows if matches_class(r, line)]
        planned = sum(line_probability(r, line, rules) for r in members)
        done = _inspected_in_year(plan.owner, line, plan.year, members)
        label = line.item.name + (f"（{line.target_keywords}）" if line.target_keywords else "")
        if line.coverage_rule == CoverageRule.FULL:
            required = len(members)
            msg = f"“{label}”要求全覆盖：对象类别共 {required} 户，计划只安排约 {planned:.0f} 户"
        else:
            required = inspected_counts(plan.owner, line.item.specialty.code, plan.year - 1)
            msg = f"“{label}”要求不低于上年检查数量 {required} 户，按计划比例只能抽查约 {planned:.0f} 户"
        checks.append(LineRuleCheck(line, label, required, math.floor(planned + 1e-9), done, msg))
    return checks


def plan_estimate(plan: AnnualPlan, *, today: datetime.date | None = None, project: bool = True) -> Estimate:
    today = today or datetime.date(plan.year, 1, 1)
    rules = bureau_rules(plan.owner)
    years = plan.cycle_years or rules.cycle_years
    cycle_start = rules.cycle_start(plan.year) if years == rules.cycle_years else datetime.date(plan.year - years + 1, 1, 1)
    lines = list(plan.lines.select_related("item", "item__specialty"))
    rows = register_rows(plan.owner)
    chance: dict[int, float] = {}
    for row in rows:
        miss = 1.0
        for line in lines:
            miss *= 1 - line_probability(row, line, rules)
        chance[row.pk] = 1 - miss
    estimate = Estimate(
        register=len(rows), expected=sum(chance.values()), floor=coverage_floor(plan.owner.region, FloorLevel.ANNUAL),
        cycle_start=cycle_start,
    )
    names = dict(Specialty.objects.values_list("code", "name"))
    per: dict[str, list[TargetRow]] = defaultdict(list)
    for row in rows:
        for code in row.specialties:
            per[code].append(row)
    for code in sorted(per, key=lambda c: -len(per[c])):
        members = per[code]
        estimate.by_specialty.append(SpecialtyCoverage(
            names.get(code, code), len(members), sum(chance[r.pk] for r in members),
            sum(1 for r in members if r.last is None or r.last < cycle_start),
        ))
    estimate.line_checks = plan_line_checks(plan, rows, rules)
    if project and rows:
        estimate.projection = _projection(rows, chance, cycle_start, years, plan.year)
    return estimate


def _projection(
    rows: list[TargetRow], chance: dict[int, float], cycle_start: datetime.date, years: int, year: int
) -> list[dict[str, Any]]:
    """Projected coverage by year: the engine's own yearly draws over the register, with each risk class at the
    plan's expected share for it (``simulate_coverage``, coverage cycle preferred)."""
    by_class: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_class[row.risk].append(chance[row.pk])
    ratio = {c: f"{(sum(v) / len(v)) if v else 0:.6f}" for c in RISK_CLASSES for v in [by_class.get(c, [])]}
    try:
        pool = Pool.from_candidates(
            Candidate(id=r.code, region=r.region, specialties=tuple(sorted(r.specialties)) or ("unspecified",),
                      risk_class=r.risk, last_inspected_on=r.last)
            for r in rows
        )
        params = {
            "ratio": ratio, "rounding": "round", "mandatory_flags": [],
            "coverage_cycle": {"start": cycle_start.isoformat(), "years": years, "mode": "prefer"},
            "reference_date": datetime.date(year, 1, 1).isoformat(),
        }
        report = simulate_coverage(pool, params, years=years, randomness_prefix="计划覆盖预测")
    except DrawInputError:
        return []
    for entry in report:
        entry["calendar_year"] = year + entry["year"] - 1
        entry["percent"] = round(100 * entry["share"], 1)
    return report


def joint_estimate(joint: JointPlan) -> Estimate:
    """A joint plan's own register: the 发起部门's targets in the 专业 of its items, at the plan's ratios."""
    own = joint.participants.filter(organization_id=joint.owner_id).first()
    codes = set(own.items.values_list("specialty__code", flat=True)) if own is not None else set()
    rows = register_rows(joint.owner, specialties=codes) if codes else []
    ratios = joint_ratios(joint)
    rules = bureau_rules(joint.owner)
    expected = sum(
        1.0 if row.flags & set(rules.mandatory_flags) else float(ratios.get(row.risk, Decimal(0))) / 100 for row in rows
    )
    return Estimate(register=len(rows), expected=expected, floor=coverage_floor(joint.owner.region, FloorLevel.JOINT))


def task_estimate(task: Task) -> Estimate:
    codes = set(task.specialties.values_list("code", flat=True)) | set(task.items.values_list("specialty__code", flat=True))
    rows = register_rows(task.owner, specialties=codes or None, regions=list(task.regions.all()))
    rules = bureau_rules(task.owner)
    general = not task.items.filter(kind=ItemKind.KEY).exists()
    expected = 0.0
    for row in rows:
        if row.flags & set(task.mandatory_flags or []):
            expected += 1
            continue
        if general and task.national_task_id is None and _left_alone(row, rules):
            continue
        ratio = Decimal(str((task.ratios or {}).get(row.risk) or 0))
        if general:
            ratio = min(ratio, rules.general_cap)
        expected += float(ratio) / 100
    return Estimate(register=len(rows), expected=expected, floor=coverage_floor(task.owner.region, FloorLevel.TASK))


def check_justification(estimate: Estimate, justification: str, *, what: str) -> str:
    """Refuse to submit a plan below its floor (or failing a line rule) without a recorded justification."""
    problems = estimate.problems()
    text = (justification or "").strip()
    if problems and not text:
        raise ApplicationError(
            f"{what}{'；'.join(problems)}。请填写低于要求的说明（将记入计划流转记录）后再提交。",
            extra={"coverage_problems": problems},
        )
    return text if problems else ""


@dataclass
class RuleProgress:
    bureau: str
    plan: AnnualPlan
    check: LineRuleCheck


def rule_progress(owner_ids: list[int] | None, year: int) -> list[RuleProgress]:
    """平顶山 line rules of the year's plans in scope, with this year's progress (for the dashboard)."""
    from shuangsuiji.planning.models import PlanStatus

    lines = AnnualPlanLine.objects.filter(plan__year=year).exclude(coverage_rule=CoverageRule.NONE).exclude(
        plan__status=PlanStatus.SUPERSEDED
    )
    if owner_ids is not None:
        lines = lines.filter(plan__owner_id__in=owner_ids)
    out: list[RuleProgress] = []
    plans = AnnualPlan.objects.filter(pk__in=lines.values("plan_id")).select_related("owner").order_by("owner__code")
    for plan in plans:
        rules = bureau_rules(plan.owner)
        codes = set(plan.lines.exclude(coverage_rule=CoverageRule.NONE).values_list("item__specialty__code", flat=True))
        rows = register_rows(plan.owner, specialties=codes)
        out += [RuleProgress(plan.owner.name, plan, check) for check in plan_line_checks(plan, rows, rules)]
    return out
