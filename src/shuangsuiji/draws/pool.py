"""The pool of a task's draw, read from the 检查对象名录库 by the task's scope.

Scope of the task's bureau: its regions (``task.regions`` or the bureau's whole territory) and the task's
专业. A joint task adds each participating department's scope (its own targets, in the task's regions or its
territory, in the 专业 of its items in the joint plan). A target in several scopes (same 对象编码, i.e. USCC)
is one candidate, visited once for all departments (进一次门、查多项事): its 专业 and risk flags are merged
and its highest risk class counts.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast, Collate

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.directory.models import Specialty, Target, TargetStatus
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
class PoolColumns:
    """The pool as columns, one entry per 对象编码, in COLUMNS order of the draw engine (no object per row).

    ``specialties`` and ``risk_flags`` hold sorted tuples of codes; ``risk_score`` is not used by the app.
    """

    ids: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    specialties: list[tuple[str, ...]] = field(default_factory=list)
    risk_classes: list[str] = field(default_factory=list)
    risk_flags: list[tuple[str, ...]] = field(default_factory=list)
    last_inspected: list[datetime.date | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self) -> dict[str, list[Any]]:
        return {
            "id": self.ids, "region": self.regions, "specialties": self.specialties, "risk_class": self.risk_classes,
            "risk_flags": self.risk_flags, "last_inspected_on": self.last_inspected, "risk_score": [""] * len(self.ids),
        }  # fmt: skip


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


def _scope_columns(scope: DepartmentScope) -> tuple[PoolColumns, list[int]]:
    """One scope's candidates (在营, not removed from the 名录库) as columns, and their owner ids.

    Two queries whatever the size: the targets (risk flags as JSON text, parsed once per distinct value) and
    their 专业 links (integers; each target's set of 专业 becomes a bit mask, decoded once per distinct mask).
    Plain reads: the pool is read from a snapshot (MVCC) and locks no target row or table.
    """
    region_q = Q()
    for region in scope.regions:
        region_q |= Q(region__path__startswith=region.path)
    qs = Target.objects.filter(region_q, owner=scope.organization, is_retired=False, status=TargetStatus.OPERATING)
    if scope.specialty_ids:
        qs = qs.filter(specialties__in=scope.specialty_ids).distinct()
    code_order = Collate("code", "C") if connection.vendor == "postgresql" else F("code")
    rows = (
        qs.annotate(flags_text=Cast("risk_flags", TextField()))
        .order_by(code_order)
        .values_list("pk", "code", "region__code", "risk_class", "last_inspected_on", "owner_id", "flags_text")
    )
    found = _fetch_all(rows)
    out = PoolColumns()
    if not found:
        return out, []
    pks, codes, regions, risks, lasts, owners, flags = (list(c) for c in zip(*found, strict=True))
    del found
    out.ids, out.regions, out.risk_classes, out.last_inspected = codes, regions, risks, lasts
    parsed: dict[str, tuple[str, ...]] = {}
    for text in set(flags):
        value = json.loads(text) if text else []
        parsed[text] = tuple(sorted({str(v) for v in value})) if isinstance(value, list) else ()
    out.risk_flags = [parsed[text] for text in flags]
    out.specialties = _specialty_sets(qs, np.asarray(pks, dtype=np.int64))
    return out, owners


def _fetch_all(values_list: Any) -> list[tuple[Any, ...]]:
    """All rows of a values_list queryset of plain columns, fetched by the driver in one go (no per-row model
    layer: a million rows). Its SQL lists the model columns before the annotations, as the callers do."""
    sql, params = values_list.query.sql_with_params()
    width = len(values_list.query.values_select) + len(values_list.query.annotation_select)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
    if rows and len(rows[0]) > width:  # SELECT DISTINCT … ORDER BY adds the ordering expression
        rows = [row[:width] for row in rows]
    return rows


def _specialty_sets(qs: Any, pks: np.ndarray) -> list[tuple[str, ...]]:
    """Sorted 专业 codes of each target (in the order of ``pks``); ("unspecified",) for a target without any."""
    codes = dict(Specialty.objects.values_list("pk", "code"))
    links = Target.specialties.through.objects.filter(target_id__in=qs.order_by().values("pk"))
    pairs = np.asarray(_fetch_all(links.values_list("target_id", "specialty_id")), dtype=np.int64).reshape(-1, 2)
    order = np.argsort(pks, kind="stable")
    rows = order[np.searchsorted(pks, pairs[:, 0], sorter=order)] if len(pairs) else np.zeros(0, dtype=np.int64)
    ids = sorted(codes)
    if len(ids) > 63:  # pragma: no cover - more 专业 than bits: group in Python
        groups: dict[int, set[str]] = {}
        for row, specialty in zip(rows.tolist(), pairs[:, 1].tolist(), strict=True):
            groups.setdefault(row, set()).add(codes[specialty])
        return [tuple(sorted(groups.get(k, ()))) or ("unspecified",) for k in range(len(pks))]
    bit = {pk: 1 << k for k, pk in enumerate(ids)}
    masks = np.zeros(len(pks), dtype=np.uint64)
    if len(pairs):
        np.bitwise_or.at(masks, rows, np.asarray([bit[s] for s in pairs[:, 1].tolist()], dtype=np.uint64))
    distinct, inverse = np.unique(masks, return_inverse=True)
    decoded = [
        tuple(sorted(codes[pk] for pk in ids if int(mask) & bit[pk])) or ("unspecified",) for mask in distinct.tolist()
    ]
    return [decoded[k] for k in inverse.tolist()]


def collect_pool(task: Task) -> tuple[PoolColumns, list[DepartmentScope]]:
    """Candidates in scope (在营, not removed from the 名录库), one per 对象编码, sorted by id.

    A target in several departments' scopes (same 对象编码) is one candidate: 专业 and risk flags merged, the
    highest risk class, the latest inspection date.
    """
    scopes = task_scopes(task)
    parts = [_scope_columns(scope) for scope in scopes]
    if len(parts) == 1:
        return parts[0][0], scopes
    merged: dict[str, list[Any]] = {}
    for columns, _owners in parts:
        for code, region, specialties, risk, flags, last in zip(
            columns.ids, columns.regions, columns.specialties, columns.risk_classes, columns.risk_flags,
            columns.last_inspected, strict=True,
        ):  # fmt: skip
            row = merged.get(code)
            if row is None:
                merged[code] = [region, set(specialties) - {"unspecified"}, risk, set(flags), last]
                continue
            row[1] |= set(specialties) - {"unspecified"}
            if RISK_ORDER.get(risk, 1) > RISK_ORDER.get(row[2], 1):
                row[2] = risk
            row[3] |= set(flags)
            if last and (row[4] is None or last > row[4]):
                row[4] = last
    out = PoolColumns()
    for code in sorted(merged):
        region, specialties, risk, flags, last = merged[code]
        out.ids.append(code)
        out.regions.append(region)
        out.specialties.append(tuple(sorted(specialties)) or ("unspecified",))
        out.risk_classes.append(risk)
        out.risk_flags.append(tuple(sorted(flags)))
        out.last_inspected.append(last)
    return out, scopes


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
