"""Balanced workloads (algorithm 2.2): expected loads capped at the balance level where eligibility allows."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.core.matching import (
    ALGORITHM_VERSION,
    Inspector,
    MatchInputs,
    MatchParams,
    Target,
    match,
    match_version,
    pair_table,
)
from shuangsuiji.core.matching.engine import balance_level
from shuangsuiji.core.matching.fractional import UNIT

from .test_engine import instances

PUBLIC = "公共场所卫生"
WINDOW = date(2024, 6, 1)


def _skewed() -> MatchInputs:
    """30 targets x team 2 on 12 people: I00-I03 may go everywhere, I04-I11 only to T00-T19 (their 执法证
    ends before the later windows). Uniform shares would give I00-I03 an expected load of 8.33."""
    targets = tuple(
        Target(
            f"T{k:02d}",
            "甲区",
            frozenset({PUBLIC}),
            WINDOW + timedelta(days=40 * (k >= 20)),
            WINDOW + timedelta(days=40 * (k >= 20) + 5),
        )  # fmt: skip
        for k in range(30)
    )
    inspectors = tuple(
        Inspector(
            f"I{k:02d}",
            "甲区",
            frozenset({PUBLIC}),
            date(2020, 1, 1),
            date(2030, 1, 1) if k < 4 else WINDOW + timedelta(days=20),
        )  # fmt: skip
        for k in range(12)
    )
    return MatchInputs(targets, inspectors, params=MatchParams(max_targets_per_inspector=10))


def test_balance_level_is_the_even_share_with_a_fifth_of_slack() -> None:
    assert balance_level(60, 12) == 6  # even share 5 -> 6
    assert balance_level(2000, 366) == 7  # 5.46 -> 6 -> 7
    assert balance_level(7, 4) == 2  # 1.75 -> 2 -> floor(2.4) = 2
    assert balance_level(0, 0) == 0


def test_skewed_eligibility_is_balanced_and_stays_exact() -> None:
    inputs = _skewed()
    result = match(inputs, ["第1期"])
    report = result.fairness
    assert report.summary["balance_level"] == 6
    assert max(x.expected_load for x in report.loads) <= 6
    assert max(x.actual_load for x in report.loads) <= 6
    assert report.spread_actual / report.spread_ideal <= 1.2 + 1e-9
    # The previous version (no balancing) gives the four widely eligible people 8 or 9 targets.
    old = match_version(inputs, ["第1期"], "2.1").fairness
    assert max(x.expected_load for x in old.loads) > 8
    # Probabilities stay exact and within the rules: rows sum to the team, pairs <= cap.
    rows: dict[str, Fraction] = {}
    for row in pair_table(inputs).rows():
        assert 0 <= row["probability_units"] <= UNIT // 2
        rows[row["target_id"]] = rows.get(row["target_id"], Fraction(0)) + Fraction(
            row["probability_units"], UNIT
        )
    assert set(rows.values()) == {2}
    # Where the balance costs nothing (T00-T19 have 12 candidates) the shares stay near uniform.
    ratios = [row.max_probability / row.uniform_share for row in report.targets if row.eligible == 12]
    assert ratios and max(ratios) < 1.5


def test_infeasible_level_is_raised_until_every_staffed_target_stays_staffed() -> None:
    """With 6 more late targets, 16 late targets x 2 seats fall on the 4 widely eligible people: 8 each,
    so the balance level (7 for an even share of 6) is raised to 8 rather than unstaffing a target."""
    base = _skewed()
    targets = base.targets + tuple(
        Target(
            f"U{k:02d}", "甲区", frozenset({PUBLIC}), WINDOW + timedelta(days=40), WINDOW + timedelta(days=45)
        )
        for k in range(6)
    )
    inputs = MatchInputs(targets, base.inspectors, params=base.params)
    result = match(inputs, ["第2期"])
    report = result.fairness
    assert report.staffed_count == 36  # balancing never unstaffs a target
    assert balance_level(72, 12) == 7
    assert report.summary["balance_level"] == 8
    assert max(x.expected_load for x in report.loads) <= 8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.text(min_size=1, max_size=8))
def test_loads_never_exceed_the_balance_level_used(inputs: MatchInputs, randomness: str) -> None:
    result = match(inputs, [randomness])
    report = result.fairness
    level = report.summary["balance_level"]
    if level:
        assert all(x.expected_load <= level + 1e-9 and x.actual_load <= level for x in report.loads)
    old = match_version(inputs, [randomness], "2.1").fairness
    assert report.staffed_count == old.staffed_count  # the same targets are staffed as in 2.1
    assert ALGORITHM_VERSION == "2.2"
