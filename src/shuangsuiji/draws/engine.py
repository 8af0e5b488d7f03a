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

import numpy as np

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
from shuangsuiji.core.draw.pool import Column, IdSequence
from shuangsuiji.core.draw.pool import _canonical_row_value as canonical_field
from shuangsuiji.core.verification import Verification
from shuangsuiji.draws.pool import PoolColumns
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


# PoolColumns field → engine column (core.draw COLUMNS, id aside).
_ENGINE_COLUMNS = {
    "region": "region", "specialties": "specialties", "risk_class": "risk_class", "risk_flags": "risk_flags",
    "last_inspected": "last_inspected_on", "risk_score": "risk_score",
}  # fmt: skip
_UNTRIMMED = (ord(" "), ord("\t"))


def _engine_value(name: str, value: Any) -> Any:
    if name == "specialties":
        return tuple(value) or ("unspecified",)  # a target without any 专业 (as one Candidate per row had it)
    return value


def _ids_canonical(ids: np.ndarray) -> bool:
    """Whether every id (UTF-8, NUL-padded) is already as the engine cleans it: not empty, no control
    character, no space or tab at either end (checked on the bytes, no str per id)."""
    if not len(ids):
        return False
    width = ids.dtype.itemsize
    matrix = np.frombuffer(ids.tobytes(), dtype=np.uint8).reshape(len(ids), width)
    lengths = width - (matrix[:, ::-1] != 0).argmax(axis=1)
    lengths[~matrix.any(axis=1)] = 0
    if int(lengths.min()) == 0:
        return False
    inside = np.arange(width) < lengths[:, None]
    if bool(((matrix < 32) & inside).any()) or bool((matrix == 127).any()):
        return False
    first, last = matrix[:, 0], matrix[np.arange(len(ids)), lengths - 1]
    return not bool(np.isin(first, _UNTRIMMED).any() or np.isin(last, _UNTRIMMED).any())


def build_pool(columns: PoolColumns) -> Pool:
    """The engine's pool from the columns, without a Python object per row: each distinct value is
    canonicalised once, by the engine's own rules and with its errors (as ``Pool.from_columns``)."""
    ids = columns.ids
    if not _ids_canonical(ids):  # ids to clean (or to refuse, with the engine's message): the general path
        values = {}
        for name, engine_name in _ENGINE_COLUMNS.items():
            categorical = getattr(columns, name)
            values[engine_name] = [_engine_value(name, categorical.values[code]) for code in categorical.codes.tolist()]
        return Pool.from_columns({"id": columns.id_texts(), **values})
    built: dict[str, Column] = {}
    for name, engine_name in _ENGINE_COLUMNS.items():
        categorical = getattr(columns, name)
        texts: dict[int, str] = {}
        for code in np.unique(categorical.codes).tolist():
            raw = _engine_value(name, categorical.values[code])
            try:
                texts[code] = canonical_field(engine_name, raw, "")
            except DrawInputError:  # say which target: the first with this value
                canonical_field(engine_name, raw, ids[int(np.argmax(categorical.codes == code))].decode("utf-8"))
                raise
        distinct = sorted(set(texts.values()))
        position = {text: k for k, text in enumerate(distinct)}
        remap = np.zeros(max(len(categorical.values), 1), dtype=np.int32)
        for code, text in texts.items():
            remap[code] = position[text]
        built[engine_name] = Column(remap[categorical.codes], tuple(distinct))
    return Pool(IdSequence(ids), built)


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
