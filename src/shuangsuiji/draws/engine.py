"""Adapter between the draws app and the target-draw engine (``shuangsuiji.core.draw``).

The app keeps the pool as the engine's canonical CSV (content-addressed file); everything the engine needs is
derived from the task here, so that the stored record verifies with ``ssj draw verify`` on the downloads.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuangsuiji.core.draw import (
    DrawInputError,
    Pool,
    encode_params,
    parse_params,
    pool_csv_bytes,
    read_pool_bytes,
    run_draw,
    verify_record,
)
from shuangsuiji.core.draw import pool_digest as core_pool_digest
from shuangsuiji.core.draw import (
    record_digest as core_record_digest,
)
from shuangsuiji.core.verification import Verification
from shuangsuiji.draws.pool import PoolRow
from shuangsuiji.draws.rules import rule_params
from shuangsuiji.planning.models import Task
from shuangsuiji.planning.rules import TaskRules, task_rules

DrawEngineError = DrawInputError
RISK_CLASSES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Picked:
    id: str
    stratum: str
    rank: int
    reason: str  # drawn / mandatory / take_all (InclusionReason)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _percent(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}%"


def draw_params(task: Task, *, today: datetime.date, rules: TaskRules | None = None) -> dict[str, Any]:
    """Engine parameters (``params.json`` of ``ssj draw``) from the task and the rules that apply to it
    (``planning.rules.task_rules``: coverage cycle, 非请勿扰, 一般 cap, mandatory flags), normalised by the engine."""
    rules = rules if rules is not None else task_rules(task, today=today)
    ratios = task.ratios or {}
    if not any(Decimal(str(v or 0)) > 0 for v in ratios.values()):
        raise DrawEngineError("任务未设置各风险类别的抽查比例，请先在任务中填写（如 A 1%、B 2%、C 10%、D 30%）")
    data: dict[str, Any] = {
        "method": "sha256",
        "strata": ["risk_class"],
        "ratio": {risk: _percent(ratios.get(risk, 0) or 0) for risk in RISK_CLASSES},
        "rounding": "ceil",
        "floor_ratio": _percent(task.floor_percent),
        "floor_count": int(task.min_per_stratum),
        "reference_date": today.isoformat(),
        **rule_params(rules),
    }
    if task.exclusion_months:
        data["exclude_recent_days"] = (today - months_before(today, task.exclusion_months)).days
    return encode_params(parse_params(data))


def engine_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (encoded) params back to engine input: the encoding has ``None`` for unset keys."""
    return {k: v for k, v in params.items() if v is not None}


def build_pool(rows: list[PoolRow]) -> Pool:
    """The engine's pool, built column-wise: each distinct value is canonicalised once (same rules and
    errors as one Candidate per row, without a million objects)."""
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


def pool_csv(pool: Pool) -> bytes:
    return pool_csv_bytes(pool)


def load_pool(content: bytes) -> Pool:
    return read_pool_bytes(content, name="pool.csv")


def pool_digest(pool: Pool) -> str:
    return core_pool_digest(pool)


def check_drawable(pool: Pool, params: Mapping[str, Any]) -> None:
    """Fail at the freeze, not at the draw, when the parameters cannot be applied to this pool."""
    run_draw(pool, engine_params(params), ["预检（不作为抽取结果）"])


def run(
    pool: Pool,
    params: Mapping[str, Any],
    randomness: list[str],
    *,
    previous_record: dict[str, Any] | None = None,
    redraw_reason: str | None = None,
) -> dict[str, Any]:
    return run_draw(
        pool, engine_params(params), randomness, previous_record=previous_record, redraw_reason=redraw_reason
    )


def selections(record: Mapping[str, Any]) -> list[Picked]:
    picked = []
    for stratum in record.get("strata", []):
        took_all = stratum.get("quota", 0) >= stratum.get("size", 0) > 0
        for entry in stratum.get("selected", []):
            reason = entry["reason"]
            if reason == "drawn" and took_all:
                reason = "take_all"
            picked.append(Picked(entry["id"], str(stratum["key"]), int(entry["rank"]), reason))
    return picked


def record_digest(record: Mapping[str, Any]) -> str:
    return str(record.get("record_digest", ""))


def recompute_record_digest(record: Mapping[str, Any]) -> str:
    return core_record_digest(record)


def verify(
    record: Mapping[str, Any], pool: Pool, *, previous_record: Mapping[str, Any] | None = None
) -> Verification:
    return verify_record(record, pool, previous_record=previous_record)


def notes(record: Mapping[str, Any]) -> list[str]:
    return [str(n) for n in record.get("notes", [])]
