"""The pool of a task's draw, read from the 检查对象名录库 by the task's scope.

Scope of the task's bureau: its regions (``task.regions`` or the bureau's whole territory) and the task's
专业. A joint task adds each participating department's scope (its own targets, in the task's regions or its
territory, in the 专业 of its items in the joint plan). A target in several scopes (same 对象编码, i.e. USCC)
is one candidate, visited once for all departments (进一次门、查多项事): its 专业 and risk flags are merged
and its highest risk class counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.directory.flag_services import effective_flags
from shuangsuiji.directory.models import Target, TargetStatus
from shuangsuiji.planning.models import JointPlanParticipant, Task


@dataclass(frozen=True)
class DepartmentScope:
    organization: Organization
    regions: tuple[Region, ...]
    specialty_ids: frozenset[int]  # empty = every 专业 of the department's targets

    def describe(self) -> str:
        regions = "、".join(r.name for r in self.regions)
        return f"{self.organization.name}（{regions}）"


@dataclass
class PoolRow:
    id: str
    target_pk: int
    name: str
    region: str
    specialties: set[str] = field(default_factory=set)
    risk_class: str = "B"
    risk_flags: set[str] = field(default_factory=set)
    last_inspected_on: datetime.date | None = None
    departments: set[str] = field(default_factory=set)
    risk_score: str = ""  # the plan's region weight (玉溪 不同地区的抽查比重), when the plan sets any
    flag_reasons: list[str] = field(default_factory=list)  # dated flags and their sources, for the draw page


def task_scopes(task: Task) -> list[DepartmentScope]:
    regions = tuple(task.regions.all())
    own_specialties = set(task.specialties.values_list("pk", flat=True))
    own_specialties |= set(task.items.values_list("specialty_id", flat=True))
    scopes = [
        DepartmentScope(task.owner, regions or (task.owner.region,), frozenset(own_specialties)),
    ]
    for org in task.participants.exclude(pk=task.owner_id).select_related("region"):
        specialties: set[int] = set()
        if task.joint_plan_id is not None:
            participant = JointPlanParticipant.objects.filter(joint_plan_id=task.joint_plan_id, organization=org).first()
            if participant is not None:
                specialties = set(participant.items.values_list("specialty_id", flat=True))
        if not specialties:
            specialties = set(org.specialties.values_list("pk", flat=True))
        scopes.append(DepartmentScope(org, regions or (org.region,), frozenset(specialties)))
    return scopes


RISK_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


# A target whose last inspection found a problem has an adverse record: never left alone by 非请勿扰 (玉溪: 对诚信守法类
# 企业实行“非请勿扰”). The pseudo-flag is not one of the mandatory flags, so it only keeps the target in the pool.
ADVERSE_FLAG = "adverse_result"
CLEAN_RESULTS = ("", "未发现问题")


def collect_pool(
    task: Task, *, flags_window: tuple[datetime.date, datetime.date] | None = None
) -> tuple[list[PoolRow], list[DepartmentScope]]:
    """Candidates in scope (在营, not removed from the 名录库), one row per 对象编码, sorted by id.

    With ``flags_window`` (since, until) the risk flags are the dated ones of that window (directory
    ``effective_flags``) instead of the 名录库's current list, and an adverse last result adds ``ADVERSE_FLAG``.
    """
    scopes = task_scopes(task)
    rows: dict[str, PoolRow] = {}
    for scope in scopes:
        region_q = Q()
        for region in scope.regions:
            region_q |= Q(region__path__startswith=region.path)
        qs = Target.objects.filter(region_q, owner=scope.organization, is_retired=False, status=TargetStatus.OPERATING)
        if scope.specialty_ids:
            qs = qs.filter(specialties__in=scope.specialty_ids)
        qs = qs.distinct().order_by("pk")
        fields = ("pk", "code", "name", "region__code", "risk_class", "risk_flags", "last_inspected_on", "owner_id")
        found = list(qs.values_list(*fields))
        reasons: dict[int, list[str]] = {}
        if flags_window is not None:
            dated, reasons = effective_flags([f[0] for f in found], since=flags_window[0], until=flags_window[1])
            adverse = set(qs.exclude(last_result__in=CLEAN_RESULTS).values_list("pk", flat=True))
            found = [
                (pk, *rest[:4], sorted(dated.get(pk, set()) | ({ADVERSE_FLAG} if pk in adverse else set())), *rest[5:])
                for pk, *rest in found
            ]
        specialties: dict[int, set[str]] = {}
        through = Target.specialties.through.objects.filter(target_id__in=qs.order_by().values("pk"))
        for target_id, code in through.values_list("target_id", "specialty__code"):
            specialties.setdefault(target_id, set()).add(code)
        for pk, code, name, region_code, risk_class, risk_flags, last_inspected_on, owner_id in found:
            row = rows.get(code)
            if row is None:
                row = PoolRow(id=code, target_pk=pk, name=name, region=region_code, risk_class=risk_class)
                rows[code] = row
            elif owner_id == task.owner_id:
                row.target_pk = pk  # the task bureau's own record represents the target
            row.specialties |= specialties.get(pk, set())
            row.risk_flags |= set(risk_flags or [])
            row.flag_reasons.extend(r for r in reasons.get(pk, []) if r not in row.flag_reasons)
            if RISK_ORDER.get(risk_class, 1) > RISK_ORDER.get(row.risk_class, 1):
                row.risk_class = risk_class
            if last_inspected_on and (row.last_inspected_on is None or last_inspected_on > row.last_inspected_on):
                row.last_inspected_on = last_inspected_on
            row.departments.add(scope.organization.code)
    return [rows[k] for k in sorted(rows)], scopes


def targets_for_ids(task: Task, ids: list[str]) -> dict[str, int]:
    """Map drawn ids back to target rows (the task bureau's own record first, else the lowest pk)."""
    owners = [s.organization.pk for s in task_scopes(task)]
    found: dict[str, tuple[bool, int]] = {}
    for pk, code, owner_id in Target.objects.filter(code__in=ids, owner_id__in=owners).values_list(
        "pk", "code", "owner_id"
    ):
        key = (owner_id != task.owner_id, pk)
        if code not in found or key < found[code]:
            found[code] = key
    return {code: key[1] for code, key in found.items()}
