"""The pool as it was read before issue 21 (one PoolRow per candidate, effective flags for every target id),
kept as the reference the column-wise reader (``draws.pool.collect_pool``) must equal on any data.

Copied from ``draws/pool.py``, ``draws/engine.build_pool`` and ``draws/rules`` at 4bafeea; not used by the app.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from shuangsuiji.accounts.models import Region
from shuangsuiji.core.draw import Pool
from shuangsuiji.directory.flag_services import effective_flags
from shuangsuiji.directory.models import Target, TargetStatus
from shuangsuiji.draws.pool import ADVERSE_FLAG, CLEAN_RESULTS, RISK_ORDER, task_scopes
from shuangsuiji.planning.models import Task


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
    risk_score: str = ""
    flag_reasons: list[str] = field(default_factory=list)


def collect_pool_rows(task: Task, *, flags_window: tuple[datetime.date, datetime.date] | None = None) -> list[PoolRow]:
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
                row.target_pk = pk
            row.specialties |= specialties.get(pk, set())
            row.risk_flags |= set(risk_flags or [])
            row.flag_reasons.extend(r for r in reasons.get(pk, []) if r not in row.flag_reasons)
            if RISK_ORDER.get(risk_class, 1) > RISK_ORDER.get(row.risk_class, 1):
                row.risk_class = risk_class
            if last_inspected_on and (row.last_inspected_on is None or last_inspected_on > row.last_inspected_on):
                row.last_inspected_on = last_inspected_on
            row.departments.add(scope.organization.code)
    return [rows[k] for k in sorted(rows)]


def apply_region_weights(rows: list[PoolRow], weights: Mapping[str, Decimal]) -> None:
    if not weights:
        return
    paths = dict(Region.objects.filter(code__in={r.region for r in rows}).values_list("code", "path"))
    for row in rows:
        codes = [c for c in paths.get(row.region, f"/{row.region}/").strip("/").split("/") if c]
        weight = next((weights[c] for c in reversed(codes) if c in weights), Decimal(1))
        row.risk_score = f"{weight.normalize():f}"


def mandatory_reasons(rows: list[PoolRow], params: Mapping[str, Any]) -> dict[str, list[str]]:
    wanted = set(params.get("mandatory_flags") or [])
    return {row.id: row.flag_reasons for row in rows if row.risk_flags & wanted}


def build_pool(rows: list[PoolRow]) -> Pool:
    return Pool.from_columns(
        {
            "id": [row.id for row in rows],
            "region": [row.region for row in rows],
            "specialties": [tuple(sorted(row.specialties)) or ("unspecified",) for row in rows],
            "risk_class": [row.risk_class for row in rows],
            "risk_flags": [tuple(sorted(row.risk_flags)) for row in rows],
            "last_inspected_on": [row.last_inspected_on for row in rows],
            "risk_score": [row.risk_score for row in rows],
        }
    )
