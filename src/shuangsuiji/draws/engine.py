"""Adapter between the draws app and the target-draw engine (``shuangsuiji.core.draw``).

PROVISIONAL: until the engine lands this module carries a minimal stand-in with the same shape
(pool CSV, pool digest, record with digest, verify). Only this module changes when switching.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuangsuiji.draws.pool import PoolRow
from shuangsuiji.planning.models import Task


class DrawEngineError(ValueError):
    """Bad pool or parameters; the message is Chinese."""


@dataclass(frozen=True)
class Picked:
    id: str
    stratum: str
    rank: int
    reason: str  # drawn / mandatory / take_all


Pool = list[dict[str, str]]
COLUMNS = ["id", "region", "specialties", "risk_class", "risk_flags", "last_inspected_on"]


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def draw_params(task: Task, *, today: datetime.date) -> dict[str, Any]:
    ratios = {k: float(Decimal(str(v))) for k, v in (task.ratios or {}).items()}
    return {
        "ratios": ratios,
        "floor_percent": float(task.floor_percent),
        "min_per_stratum": task.min_per_stratum,
        "mandatory_flags": sorted(task.mandatory_flags or []),
        "exclusion_months": task.exclusion_months,
        "reference_date": today.isoformat(),
    }


def build_pool(rows: list[PoolRow]) -> Pool:
    return [
        {
            "id": r.id,
            "region": r.region,
            "specialties": ";".join(sorted(r.specialties)),
            "risk_class": r.risk_class,
            "risk_flags": ";".join(sorted(r.risk_flags)),
            "last_inspected_on": r.last_inspected_on.isoformat() if r.last_inspected_on else "",
        }
        for r in sorted(rows, key=lambda r: r.id)
    ]


def pool_csv(pool: Pool) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(pool)
    return buffer.getvalue().encode("utf-8")


def load_pool(content: bytes) -> Pool:
    return [dict(row) for row in csv.DictReader(io.StringIO(content.decode("utf-8")))]


def pool_digest(pool: Pool) -> str:
    return hashlib.sha256(pool_csv(pool)).hexdigest()


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, min(day.day, 28))


def _select(pool: Pool, params: dict[str, Any], randomness: list[str]) -> list[Picked]:
    mandatory_flags = set(params.get("mandatory_flags", []))
    reference = datetime.date.fromisoformat(params["reference_date"])
    cutoff = _months_before(reference, int(params.get("exclusion_months", 0)))
    key = "\n".join(randomness).encode("utf-8")
    picked: list[Picked] = []
    for stratum in sorted({row["risk_class"] for row in pool}):
        rows = [r for r in pool if r["risk_class"] == stratum]
        mandatory = [r for r in rows if mandatory_flags & set(filter(None, r["risk_flags"].split(";")))]
        others = [
            r for r in rows if r not in mandatory
            and not (params.get("exclusion_months") and r["last_inspected_on"]
                     and datetime.date.fromisoformat(r["last_inspected_on"]) > cutoff)
        ]
        ratio = float(params["ratios"].get(stratum, 0))
        wanted = math.ceil(len(rows) * max(ratio, float(params.get("floor_percent", 0))) / 100 - 1e-9)
        if ratio > 0:
            wanted = max(wanted, int(params.get("min_per_stratum", 0)))
        rank = 0
        for row in sorted(mandatory, key=lambda r: r["id"]):
            rank += 1
            picked.append(Picked(row["id"], stratum, rank, "mandatory"))
        remaining = max(0, wanted - len(mandatory))
        ordered = sorted(others, key=lambda r: hashlib.sha256(key + b"\0" + r["id"].encode()).hexdigest())
        take_all = remaining >= len(ordered) and remaining > 0
        for row in ordered[:remaining]:
            rank += 1
            picked.append(Picked(row["id"], stratum, rank, "take_all" if take_all else "drawn"))
    return picked


def check_drawable(pool: Pool, params: dict[str, Any]) -> None:
    if not pool:
        raise DrawEngineError("对象池为空")
    if any(float(v) < 0 or float(v) > 100 for v in params["ratios"].values()):
        raise DrawEngineError("抽查比例必须在 0% 到 100% 之间")


def run(
    pool: Pool,
    params: dict[str, Any],
    randomness: list[str],
    *,
    previous_record: dict[str, Any] | None = None,
    redraw_reason: str | None = None,
) -> dict[str, Any]:
    check_drawable(pool, params)
    picked = _select(pool, params, randomness)
    record: dict[str, Any] = {
        "type": "ssj.draw",
        "algorithm": {"name": "provisional-sha256-order", "version": "0"},
        "pool_digest": pool_digest(pool),
        "pool_size": len(pool),
        "params": params,
        "randomness": randomness,
        "result": [{"id": p.id, "stratum": p.stratum, "rank": p.rank, "reason": p.reason} for p in picked],
        "previous_record_digest": previous_record["record_digest"] if previous_record else None,
        "redraw_reason": redraw_reason,
    }
    record["record_digest"] = hashlib.sha256(_canonical(record)).hexdigest()
    return record


def selections(record: dict[str, Any]) -> list[Picked]:
    return [Picked(r["id"], r["stratum"], int(r["rank"]), r["reason"]) for r in record["result"]]


def record_digest(record: dict[str, Any]) -> str:
    return str(record["record_digest"])


def verify(record: dict[str, Any], pool: Pool) -> tuple[bool, list[str]]:
    problems: list[str] = []
    body = {k: v for k, v in record.items() if k != "record_digest"}
    if hashlib.sha256(_canonical(body)).hexdigest() != record.get("record_digest"):
        problems.append("记录摘要不一致：记录内容在生成后被修改过")
    if pool_digest(pool) != record.get("pool_digest"):
        problems.append("对象池摘要不一致：对象池文件与记录所用的不同")
    expected = run(pool, record["params"], record["randomness"])["result"]
    if expected != record.get("result"):
        problems.append("抽取结果与重新计算的结果不一致")
    return not problems, problems or ["重新计算得到相同的抽取结果"]


VERIFY_COMMAND = "ssj draw verify record.json --pool pool.csv"
