"""The randomness part of a match's fairness report (algorithm 2.x records), worded for the match page."""

from __future__ import annotations

from typing import Any

SHOWN_TARGETS = 20  # the least even targets are listed; the full table is in the record


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def randomness_report(record: dict[str, Any], target_names: dict[str, str]) -> dict[str, Any] | None:
    """Figures and the least even targets of a 2.x record; None for 1.0 records (no such report)."""
    fairness = record.get("fairness", {})
    summary = fairness.get("summary")
    rows = fairness.get("targets")
    if not summary or rows is None:
        return None
    targets = sorted(rows, key=lambda r: (-(r["max_probability"] / r["uniform_share"]), r["target_id"]))[
        :SHOWN_TARGETS
    ]
    return {
        "eligible_p50": int(summary["eligible_p50"]),
        "eligible_min": int(summary["eligible_min"]),
        "ratio_p50": f"{summary['ratio_p50']:.2f}",
        "ratio_p95": f"{summary['ratio_p95']:.2f}",
        "ratio_max": f"{summary['ratio_max']:.2f}",
        "floor_ratio_p50": f"{summary.get('floor_ratio_p50', 0):.2f}",
        "floor_ratio_p95": f"{summary.get('floor_ratio_p95', 0):.2f}",
        "team_guess_p50": _percent(summary["team_guess_p50"]),
        "team_guess_p95": _percent(summary["team_guess_p95"]),
        "uniform_team_guess_p50": _percent(summary["uniform_team_guess_p50"]),
        "mixed": fairness.get("mixed_share", 0) > 0,
        # 2.2: the workload cap lowered for balance (0 or absent: no cap had to be lowered)
        "balance_level": int(summary.get("balance_level", 0)),
        "pair_digest": fairness.get("pair_digest", ""),
        "count": len(rows),
        "targets": [
            {
                "code": r["target_id"],
                "name": target_names.get(r["target_id"], ""),
                "eligible": r["eligible"],
                "team_size": r["team_size"],
                "max_probability": _percent(r["max_probability"]),
                "uniform_share": _percent(r["uniform_share"]),
                "ratio": f"{r['max_probability'] / r['uniform_share']:.2f}",
                "rule_floor": _percent(r.get("rule_floor", r["uniform_share"])),
                "team_guess": _percent(r["team_guess_bound"]),
            }
            for r in targets
        ],
    }
