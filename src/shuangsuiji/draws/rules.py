"""The source documents' rules as draw parameters (recorded, so ``ssj draw verify`` recomputes them).

- 覆盖周期 (大洼: 3—5 年全面覆盖一次): ``coverage_cycle`` — targets not inspected since the cycle began are drawn
  first (prefer) or in the number needed to finish in time (ensure).
- 非请勿扰 (玉溪): ``do_not_disturb`` mode ``exclude`` for A类 targets without any flag or adverse result, except the
  key 专业; only for 一般 items of the bureau's own tasks.
- 一般事项上限 (玉溪): ``general_ratio_cap``; 重点 items have none, and their drawn targets are ordered into
  inspection batches at random (``batch_order``, a pure function of the record).
- 高风险必查 (大洼): ``mandatory_flags``, counted from the dated flags of the look-back window (the pool's flags).
- 不同地区的抽查比重 (玉溪): the plan's region weights as the pool's ``risk_score`` and ``weighting`` by it.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuangsuiji.accounts.models import Region
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.draws.pool import PoolColumns
from shuangsuiji.planning.models import Task
from shuangsuiji.planning.rules import TaskRules


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def rule_params(rules: TaskRules) -> dict[str, Any]:
    """Engine parameters for the rules (merged into ``engine.draw_params``)."""
    data: dict[str, Any] = {
        "item_kind": rules.item_kind,
        "mandatory_flags": list(rules.mandatory_flags),
        "coverage_cycle": {
            "start": rules.cycle_start.isoformat(), "years": rules.cycle_years, "mode": rules.cycle_mode,
        },
        "do_not_disturb": {
            "mode": "exclude" if rules.do_not_disturb else "off",
            "classes": ["A"],
            "key_specialties": list(rules.key_specialties),
        },
    }
    if rules.general_cap is not None:
        data["general_ratio_cap"] = _percent(rules.general_cap)
    if rules.region_weights:
        data["weighting"] = {"by": "risk_score"}
    return data


def apply_region_weights(columns: PoolColumns, weights: Mapping[str, Decimal]) -> None:
    """Each candidate's ``risk_score`` = the weight of the deepest weighted region containing it (else 1),
    computed once per region."""
    if not weights:
        return
    paths = dict(Region.objects.filter(code__in=set(columns.region.values)).values_list("code", "path"))
    scores = []
    for region in columns.region.values:
        codes = [c for c in paths.get(region, f"/{region}/").strip("/").split("/") if c]
        weight = next((weights[c] for c in reversed(codes) if c in weights), Decimal(1))
        scores.append(f"{weight.normalize():f}")
    columns.risk_score = columns.region.with_values(scores)


def rule_context(rules: TaskRules, columns: PoolColumns, params: Mapping[str, Any]) -> dict[str, Any]:
    """What the draw page shows beside the record: the rules in words and each flagged target's reasons."""
    wanted = set(params.get("mandatory_flags") or [])
    rows = columns.risk_flags.rows_where(lambda flags: wanted.intersection(flags))
    reasons = columns.reasons
    mandatory = {
        candidate: list(reasons.values[code])
        for candidate, code in zip(columns.id_texts(rows), reasons.codes[rows].tolist(), strict=True)
    }
    return {
        "lines": rules.lines(),
        "flags_since": rules.flags_since.isoformat(),
        "mandatory": mandatory,
        "rules_source": rules.bureau.source,
    }


@dataclass(frozen=True)
class Batch:
    number: int
    label: str
    ids: list[str]


def batch_order(record: Mapping[str, Any], *, start: datetime.date, end: datetime.date) -> list[Batch]:
    """检查批次顺序 (玉溪: 抽查比例高的，可以通过随机抽取的方式确定检查批次顺序) for 重点 draws.

    Order: the drawn ids sorted by SHA-256(seed ‖ "|batch|" ‖ id) — fixed by the record's seed, so anyone can
    recompute it; then cut into one batch per calendar month of the task window (at least one).
    """
    if (record.get("params") or {}).get("item_kind") != "重点":
        return []
    seed = str(record.get("seed", ""))
    ids = [e["id"] for s in record.get("strata", []) for e in s.get("selected", [])]
    ordered = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|batch|{i}".encode()).hexdigest())
    months: list[datetime.date] = []
    day = start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    months = months or [start]
    size = -(-len(ordered) // len(months)) if ordered else 0
    batches = []
    for n, month in enumerate(months):
        part = ordered[n * size : (n + 1) * size]
        if not part:
            break
        first = max(month, start)
        label = f"第{n + 1}批（{format_cn_date(first)}起）"
        batches.append(Batch(n + 1, label, part))
    return batches


def task_batches(task: Task, record: Mapping[str, Any] | None) -> list[Batch]:
    return batch_order(record or {}, start=task.window_start, end=task.window_end)
