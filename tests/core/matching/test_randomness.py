"""Randomness of the matching (issue 17): exact marginals, independence, spread, empirical frequencies."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from datetime import date, timedelta
from fractions import Fraction
from math import prod
from typing import Any

import numpy as np
import pytest
from scipy.stats import chi2

from shuangsuiji.core.matching import (
    FallbackPolicy,
    Inspector,
    MatchInputs,
    MatchParams,
    RegionAdjacency,
    Target,
    match,
    pair_table,
)
from shuangsuiji.core.matching import engine as engine_module
from shuangsuiji.core.matching.fractional import UNIT
from shuangsuiji.core.matching.rounding import CoinsNeeded, dependent_round
from shuangsuiji.core.matching.stream import Stream

WINDOW = date(2024, 6, 1)
PUBLIC, RADIATION = "公共场所卫生", "放射卫生"


class Enumerator(Stream):
    """Forces the outcomes of the rounding's coins (dependent_round stops at the first coin beyond them)."""

    def __init__(self, forced: list[bool]) -> None:
        super().__init__("00" * 32, "enumerate")
        self.forced = [int(x) for x in forced]
        self.trace: list[tuple[int, int]] = []

    def probability(self) -> Fraction:
        assert len(self.trace) == len(self.forced)
        return prod(
            (
                Fraction(down, up + down) if heads else Fraction(up, up + down)
                for (up, down), heads in zip(self.trace, self.forced, strict=True)
            ),
            start=Fraction(1),
        )


def enumerate_outcomes(run: Callable[[Stream], Hashable]) -> dict[Hashable, Fraction]:
    """The exact distribution of run's outcome over every sequence of coin outcomes."""
    distribution: dict[Hashable, Fraction] = defaultdict(Fraction)
    stack: list[list[bool]] = [[]]
    while stack:
        prefix = stack.pop()
        stream = Enumerator(prefix)
        try:
            outcome = run(stream)
        except CoinsNeeded:
            stack += [[*prefix, False], [*prefix, True]]
            continue
        distribution[outcome] += stream.probability()
    assert sum(distribution.values()) == 1
    return dict(distribution)


def _inspector(ident: str, region: str, quals: set[str], **changes: Any) -> Inspector:
    base = Inspector(ident, region, frozenset(quals), date(2020, 1, 1), date(2030, 1, 1))
    return Inspector(**{**base.__dict__, **changes})


def _target(ident: str, region: str, specs: set[str]) -> Target:
    return Target(ident, region, frozenset(specs), WINDOW, WINDOW + timedelta(days=10))


def _outcome_of(inputs: MatchInputs, monkeypatch: pytest.MonkeyPatch) -> Callable[[Stream], Hashable]:
    def run(stream: Stream) -> Hashable:
        monkeypatch.setattr(engine_module, "Stream", lambda seed, label: stream)
        result = match(inputs, ["x"])
        return tuple((a.target_id, tuple(sorted(m.inspector_id for m in a.team))) for a in result.assignments)

    return run


def _reported(inputs: MatchInputs) -> dict[tuple[str, str], Fraction]:
    return {
        (row["target_id"], row["inspector_id"]): Fraction(row["probability_units"], UNIT)
        for row in pair_table(inputs).rows()
    }


TINY = [
    # Workload binds (cap 2): 3 targets x 2 seats on 4 people; one target needs 放射卫生 (2 holders).
    MatchInputs(
        (
            _target("T1", "甲区", {PUBLIC}),
            _target("T2", "甲区", {PUBLIC}),
            _target("T3", "甲区", {RADIATION}),
        ),
        (
            _inspector("I1", "甲区", {PUBLIC, RADIATION}),
            _inspector("I2", "甲区", {PUBLIC}),
            _inspector("I3", "甲区", {PUBLIC, RADIATION}),
            _inspector("I4", "甲区", {PUBLIC}),
        ),
        params=MatchParams(max_targets_per_inspector=2, probability_cap=0.75),
    ),
    # Two 专业 on one target (team of 2, one per 专业) and a neighbour region lending people.
    MatchInputs(
        (_target("T1", "甲区", {PUBLIC, RADIATION}), _target("T2", "甲区", {PUBLIC})),
        (
            _inspector("I1", "甲区", {PUBLIC}),
            _inspector("I2", "甲区", {PUBLIC}),
            _inspector("I3", "甲区", {RADIATION}),
            _inspector("I4", "乙区", {RADIATION, PUBLIC}),
        ),
        adjacency=(RegionAdjacency("甲区", "乙区"),),
        params=MatchParams(
            max_targets_per_inspector=2, probability_cap=1.0, fallback=FallbackPolicy.ADJACENT
        ),
    ),
]


@pytest.mark.parametrize("inputs", TINY)
def test_marginals_are_exact_over_all_outcomes(inputs: MatchInputs, monkeypatch: pytest.MonkeyPatch) -> None:
    distribution = enumerate_outcomes(_outcome_of(inputs, monkeypatch))
    reported = _reported(inputs)
    empirical: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    inspectors = {i.id: i for i in inputs.inspectors}
    for outcome, probability in distribution.items():
        load: Counter[str] = Counter()
        for target_id, team in outcome:  # type: ignore[attr-defined]
            target = next(t for t in inputs.targets if t.id == target_id)
            assert len(team) == max(inputs.params.team_size, len(target.specialties))
            for spec in target.specialties:
                assert any(spec in inspectors[i].qualifications for i in team)
            for inspector_id in team:
                empirical[(target_id, inspector_id)] += probability
                load[inspector_id] += 1
        assert max(load.values()) <= inputs.params.max_targets_per_inspector
    assert len(distribution) > 1
    assert {k: v for k, v in empirical.items() if v} == {k: v for k, v in reported.items() if v}
    assert all(v <= Fraction(inputs.params.probability_cap) for v in reported.values())


def test_dependent_rounding_keeps_loads_within_floor_and_ceiling() -> None:
    unit = 12
    # 3 inspectors x 2 targets (one group each), team 2 per target, values in twelfths.
    pair_i = np.array([0, 1, 2, 0, 1, 2])
    pair_g = np.array([0, 0, 0, 1, 1, 1])
    value = np.array([8, 8, 8, 5, 9, 10])
    loads = {0: Fraction(13, 12), 1: Fraction(17, 12), 2: Fraction(18, 12)}

    def run(stream: Stream) -> Hashable:
        return tuple(dependent_round(pair_i, pair_g, value, unit, np.array([0, 1]), 3, stream).tolist())

    distribution = enumerate_outcomes(run)
    for outcome, _ in distribution.items():
        chosen = np.array(outcome)
        assert chosen[:3].sum() == 2 and chosen[3:].sum() == 2
        for inspector, expected in loads.items():
            actual = int(chosen[pair_i == inspector].sum())
            assert int(expected) <= actual <= int(expected) + 1
    for k in range(6):
        assert sum(p for o, p in distribution.items() if o[k]) == Fraction(int(value[k]), unit)  # type: ignore[index]


def test_teams_of_separate_regions_are_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = MatchInputs(
        (_target("A1", "甲区", {PUBLIC}), _target("B1", "乙区", {RADIATION})),
        tuple(_inspector(f"A{k}", "甲区", {PUBLIC}) for k in range(4))
        + tuple(_inspector(f"B{k}", "乙区", {RADIATION} if k < 2 else {PUBLIC}) for k in range(4)),
        adjacency=(RegionAdjacency("甲区", ""), RegionAdjacency("乙区", "")),
        params=MatchParams(fallback=FallbackPolicy.NONE),
    )
    joint = enumerate_outcomes(_outcome_of(inputs, monkeypatch))
    first: dict[Hashable, Fraction] = defaultdict(Fraction)
    second: dict[Hashable, Fraction] = defaultdict(Fraction)
    for outcome, p in joint.items():
        first[outcome[0]] += p  # type: ignore[index]
        second[outcome[1]] += p  # type: ignore[index]
    assert len(first) > 1 and len(second) > 1
    for a, pa in first.items():
        for b, pb in second.items():
            assert joint.get((a, b), Fraction(0)) == pa * pb
    # Over real randomness (random cycle order too) every team can occur: C(4,2) = 6 for A1; B1 gets
    # one of its two 放射卫生 holders and one of the other two (the uniform share already gives the
    # 放射卫生 group exactly 1 person in expectation).
    teams: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for k in range(150):
        for a in match(inputs, [f"随机数 {k}"]).assignments:
            teams[a.target_id].add(tuple(sorted(m.inspector_id for m in a.team)))
    assert len(teams["A1"]) == 6 and len(teams["B1"]) == 4


def _medium() -> MatchInputs:
    targets = [_target(f"T{k:02d}", "甲区" if k < 14 else "乙区", {PUBLIC}) for k in range(26)]
    targets[3] = _target("T03", "甲区", {PUBLIC, RADIATION})
    targets[20] = _target("T20", "乙区", {RADIATION})
    inspectors = [
        _inspector(f"I{k:02d}", "甲区" if k < 9 else "乙区", {PUBLIC, RADIATION} if k % 4 == 0 else {PUBLIC})
        for k in range(18)
    ]
    inspectors[1] = _inspector("I01", "甲区", {PUBLIC}, existing_workload=2)
    return MatchInputs(
        tuple(targets),
        tuple(inspectors),
        adjacency=(RegionAdjacency("甲区", "乙区"),),
        params=MatchParams(max_targets_per_inspector=4),
    )


def test_pair_frequencies_agree_with_reported_probabilities() -> None:
    inputs = _medium()
    reported = _reported(inputs)
    runs = 300
    counts: Counter[tuple[str, str]] = Counter()
    for k in range(runs):
        for assignment in match(inputs, [f"第{k}期 开奖号码"]).assignments:
            for member in assignment.team:
                counts[(assignment.target_id, member.inspector_id)] += 1
    assert set(counts) <= {pair for pair, p in reported.items() if p > 0}
    cells = [(pair, float(p) * runs) for pair, p in reported.items() if float(p) * runs >= 5]
    statistic = sum((counts[pair] - expected) ** 2 / expected for pair, expected in cells)
    # Pair counts of one team are negatively correlated, which only makes the statistic smaller.
    assert statistic < chi2.ppf(0.999, df=len(cells))
    assert len(cells) > 100


def test_ample_capacity_gives_uniform_shares_and_fresh_teams() -> None:
    inputs = MatchInputs(
        tuple(_target(f"T{k:02d}", "甲区", {PUBLIC}) for k in range(40)),
        tuple(_inspector(f"I{k:02d}", "甲区", {PUBLIC}) for k in range(30)),
        params=MatchParams(max_targets_per_inspector=8),
    )
    results = [match(inputs, [f"随机数 {k}"]) for k in range(10)]
    report = results[0].fairness
    assert report.summary["ratio_max"] < 1.0001  # every pair 2/30 up to the 2**-20 grid
    assert all(row.eligible == 30 for row in report.targets)
    outcomes = [
        tuple((a.target_id, tuple(m.inspector_id for m in a.team)) for a in r.assignments) for r in results
    ]
    assert len(set(outcomes)) == 10
    changed = sum(a != b for a, b in zip(outcomes[0], outcomes[1], strict=True))
    assert changed >= 0.8 * 40
    seen: dict[str, set[str]] = defaultdict(set)
    for outcome in outcomes:
        for target_id, team in outcome:
            seen[target_id].update(team)
    assert np.median([len(v) for v in seen.values()]) >= 12
