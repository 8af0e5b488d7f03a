"""Coverage simulation: N yearly draws over one pool, each drawn target marked as inspected that year."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from shuangsuiji.core.draw.engine import _days, as_params, compute_seed, prepare, select_strata
from shuangsuiji.core.draw.model import RISK_CLASSES, DrawInputError, DrawParams, encode_params, sha256_hex
from shuangsuiji.core.draw.pool import Pool


def _add_years(value: date, years: int) -> date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def simulate_coverage(
    pool: Pool,
    params: DrawParams | Mapping[str, Any],
    *,
    years: int,
    randomness_prefix: str = "模拟",
    start: date | None = None,
) -> list[dict[str, Any]]:
    """Run `years` yearly draws; report per year the share of the pool inspected since the cycle start.

    Year y uses reference date start + y years and the randomness "<prefix> 第y年". The cycle start is the
    params' coverage_cycle.start, else the first reference date. No pool digest is computed (the seed uses
    the placeholder digest "simulation"), so the figures are for planning, not for publication.
    """
    parsed = as_params(params)
    if not 1 <= years <= 50:
        raise DrawInputError("模拟年数必须在 1 到 50 之间")
    first = start or parsed.reference_date or (parsed.coverage_cycle.start if parsed.coverage_cycle else None)
    if first is None:
        raise DrawInputError("模拟需要起始日期：请在参数中给出 reference_date 或 coverage_cycle.start")
    cycle_start = parsed.coverage_cycle.start if parsed.coverage_cycle else first
    prep = prepare(pool, parsed)
    cycle_days = _days(cycle_start)
    risk = prep.risk
    class_sizes = {c: int((risk == k).sum()) for k, c in enumerate(RISK_CLASSES)}
    position = {candidate_id: row for row, candidate_id in enumerate(pool.ids)}
    report = []
    for year in range(years):
        reference = _add_years(first, year)
        yearly = dataclasses.replace(parsed, reference_date=reference)
        digest = sha256_hex(encode_params(yearly))
        randomness = [f"{randomness_prefix} 第{year + 1}年"]
        seed = compute_seed(yearly.method, "simulation", len(pool), digest, randomness, "")
        strata = select_strata(pool, prep, yearly, seed, randomness)
        indices = np.asarray(
            [position[entry["id"]] for s in strata for entry in s["selected"]], dtype=np.int64
        )
        prep.last_days[indices] = _days(reference)
        covered = prep.last_days >= cycle_days
        report.append(
            {
                "year": year + 1,
                "reference_date": reference.isoformat(),
                "selected": len(indices),
                "covered": int(covered.sum()),
                "share": float(covered.mean()),
                "share_by_class": {
                    c: float(covered[risk == k].mean()) if class_sizes[c] else None
                    for k, c in enumerate(RISK_CLASSES)
                },
            }
        )
    return report
