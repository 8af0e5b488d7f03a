"""Versions 2.0 and 2.1 of the matching (maxent-dependent-rounding), frozen so that their records verify.

Do not change the behaviour of anything here (nor in `fractional_v2.py`, `rounding_v2.py`): stored 2.0 and
2.1 records are recomputed with it byte for byte (tests/core/matching/fixtures/v2_0, v2_1). New matches use
`engine.py`; `engine.match_version` picks the engine by the record's `algorithm.version`.

Random inspector matching, version 2.0/2.1: most even probabilities + dependent rounding.

Method (goes into the README)
=============================
1. **Candidates, 专业 groups, regions** as in version 1.0 (`engine_v1.py`): a pair (inspector i, target t)
   is a candidate when i is a 在岗 执法人员 with a 执法证 valid over t's window, workload left, no 回避 with
   t or its group, was not on t in the previous round, from an allowed region. Target t with 专业 set S
   (m = |S|) needs a team of n = max(team_size, m); its 专业 are ordered by scarcity and each candidate is
   responsible for the first one he holds (a 专业 group) or none (group R); every 专业 group supplies at
   least one member.
2. **Who can be staffed** (unchanged): the min-cost flow of version 1.0 with the probability cap on the
   grid 1/D (D = 2**r, 1/D <= cap), same region first, then adjacent regions, then 直接委派. It decides
   the staffed targets (every target the max-flow bound allows), the region tier each may use (the widest
   tier its flow used) and gives one exactly feasible fractional solution F.
3. **Probabilities** (`fractional.py`): over *all* candidate pairs of the staffed targets, the most even
   fractional assignment (iterative scaling: row sums n, 专业 groups >= 1, loads <= remaining workload,
   pairs <= cap), on an exact integer grid; where the scaling has not met a cap exactly, F is mixed in.
   Where nothing binds every candidate of t gets exactly n / E_t.
4. **Sampling** (`rounding.py`): dependent rounding of that fractional assignment with a fresh coin from
   the seeded SHAKE-256 stream (`stream.py`) for every cycle: P(i on t) is exactly the reported
   probability; every team is full, every 专业 covered, every load the floor or ceiling of its expectation.
   Targets in different connected components (e.g. regions without fallback) are independent.
5. **Determinism.** Inputs sorted by id, pairs in (target, inspector) order, ortools deterministic,
   floats only through +, -, *, / and sequential sums, all randomness from the stream seeded by SHA-256 of
   the public randomness and the input digests.

Experts (params.add_experts) go through the same steps with a team of one 专家 per staffed target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from shuangsuiji.core.matching import engine_v1
from shuangsuiji.core.matching.engine_v1 import (
    BASES,
    NO_DATE,
    _candidate_pairs,
    _group_of_pairs,
    _offsets,
    _prepare,
    _Prepared,
    _Stage,
    _staged_flow,
    _unstaffed_reason,
    derive_seed,
    effective_denominator,
)
from shuangsuiji.core.matching.fractional_v2 import (
    GRID,
    ITERATIONS,
    TOLERANCE,
    UNIT,
    even_assignment,
    grid_cap,
    iteration_budget,
)
from shuangsuiji.core.matching.model import (
    FairnessReport,
    FallbackPolicy,
    InspectorLoad,
    MatchInputs,
    MatchResult,
    TargetAssignment,
    TargetFairness,
    TeamMember,
    UnstaffedTarget,
    input_digests,
    sha256_hex,
)
from shuangsuiji.core.matching.rounding_v2 import dependent_round
from shuangsuiji.core.matching.stream import Stream
from shuangsuiji.core.matching.validation import validate_inputs

ALGORITHM_NAME = "maxent-dependent-rounding"
ALGORITHM_VERSION = "2.1"
# Older versions that still verify: 1.0 (its own engine) and 2.0 (this engine with 15 fixed scaling
# iterations; 2.1 iterates to convergence within a work budget, see fractional.py).
VERSIONS = ("2.0", "2.1")  # the versions this frozen engine recomputes
LEGACY_ALGORITHMS = {engine_v1.ALGORITHM_VERSION: engine_v1.ALGORITHM_NAME, "2.0": ALGORITHM_NAME}

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "ALGORITHM_NAME",
    "ALGORITHM_VERSION",
    "NO_DATE",
    "PairTable",
    "_prepare",
    "derive_seed",
    "effective_denominator",
    "match",
    "match_version",
    "pair_table",
]


class PairTable:
    """Every candidate pair of the staffed targets with its exact probability (value / UNIT)."""

    def __init__(
        self, prep: _Prepared, t: IntArray, i: IntArray, g: IntArray, b: IntArray, value: IntArray
    ) -> None:
        self.prep, self.t, self.i, self.g, self.b, self.value = prep, t, i, g, b, value

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "target_id": self.prep.target_ids[t],
                "inspector_id": self.prep.inspector_ids[i],
                "basis": BASES[b].value,
                "probability_units": v,
            }
            for t, i, b, v in zip(
                self.t.tolist(), self.i.tolist(), self.b.tolist(), self.value.tolist(), strict=True
            )
        ]

    def digest(self) -> str:
        # Canonical: (target, inspector) order of the arrays; integers, so no float formatting involved.
        payload = [
            UNIT,
            self.t.tolist(),
            self.i.tolist(),
            self.value.tolist(),
            self.prep.target_ids,
            self.prep.inspector_ids,
        ]
        return sha256_hex(payload)


def _tiers(fallback: FallbackPolicy) -> int:
    return {FallbackPolicy.NONE: 1, FallbackPolicy.ADJACENT: 2, FallbackPolicy.DIRECT: 3}[fallback]


def _all_pairs(
    prep: _Prepared, stage: _Stage, pool: BoolArray, team: IntArray, experts: bool
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """All candidate pairs of the staffed targets up to the widest tier each one's flow used."""
    staffed = np.flatnonzero(stage.staffed).astype(np.int64)
    level = np.full(len(team), -1, dtype=np.int64)
    if len(stage.used_t):
        np.maximum.at(level, stage.used_t, stage.used_b)
    parts_t, parts_i, parts_b = [], [], []
    n_tiers = _tiers(prep.inputs.params.fallback)
    for tier in range(n_tiers):
        rows = staffed[level[staffed] >= tier]
        if len(rows) == 0:
            continue
        t_pair, i_pair = _candidate_pairs(prep, rows, pool, BASES[tier], experts)
        parts_t.append(t_pair)
        parts_i.append(i_pair)
        parts_b.append(np.full(len(t_pair), tier, dtype=np.int64))
    if not parts_t:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    t_pair, i_pair, b_pair = np.concatenate(parts_t), np.concatenate(parts_i), np.concatenate(parts_b)
    order = np.lexsort((i_pair, t_pair))
    t_pair, i_pair, b_pair = t_pair[order], i_pair[order], b_pair[order]
    g_pair = _group_of_pairs(prep, t_pair, i_pair, coverage=not experts)
    return t_pair, i_pair, g_pair, b_pair


def _probabilities(
    prep: _Prepared,
    stage: _Stage,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    denominator: int,
    experts: bool,
    version: str = ALGORITHM_VERSION,
) -> tuple[PairTable, IntArray, IntArray, float]:
    """Probabilities over all candidate pairs of the staffed targets (pairs, group ids, group targets)."""
    n_i = len(prep.inspector_ids)
    t_pair, i_pair, g_pair, b_pair = _all_pairs(prep, stage, pool, team, experts)
    staffed_team = np.where(stage.staffed, team, 0)
    # The flow's units on these pairs (each flow pair carries exactly one unit of 1/denominator).
    n_keys = n_i
    keys = t_pair * n_keys + i_pair
    flow = np.zeros(len(t_pair), dtype=np.int64)
    if len(stage.used_t):
        pos = np.searchsorted(keys, stage.used_t * n_keys + stage.used_i)
        flow[pos] = 1
    offsets = _offsets(coverage_m + 1)
    gid = offsets[t_pair] + g_pair
    n_groups = int(offsets[-1] + coverage_m[-1] + 1) if len(coverage_m) else 0
    group_target = np.repeat(np.arange(len(coverage_m), dtype=np.int64), coverage_m + 1)
    coverage_group = np.zeros(n_groups, dtype=bool)
    local = np.arange(n_groups, dtype=np.int64) - offsets[group_target]
    coverage_group[:] = local < coverage_m[group_target]
    fractional = even_assignment(
        t_pair,
        i_pair,
        gid,
        coverage_group,
        group_target,
        staffed_team,
        np.where(pool, prep.i_remaining, 0),
        prep.inputs.params.probability_cap,
        flow,
        denominator,
        *((ITERATIONS, 0.0) if version == "2.0" else (iteration_budget(len(t_pair)), TOLERANCE)),
    )
    table = PairTable(prep, t_pair, i_pair, g_pair, b_pair, fractional.value)
    return table, gid, group_target, fractional.mixed_share


def _assign(
    prep: _Prepared,
    stage: _Stage,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    denominator: int,
    experts: bool,
    stream: Stream,
    version: str = ALGORITHM_VERSION,
) -> tuple[PairTable, BoolArray, float]:
    """The probabilities and the sampled pairs."""
    table, gid, group_target, mixed = _probabilities(
        prep, stage, pool, team, coverage_m, denominator, experts, version
    )
    chosen = dependent_round(table.i, gid, table.value, UNIT, group_target, len(prep.inspector_ids), stream)
    return table, chosen, mixed


def _members(
    prep: _Prepared, table: PairTable, chosen: BoolArray, actual: IntArray
) -> dict[int, list[TeamMember]]:
    members: dict[int, list[TeamMember]] = {}
    for k in np.flatnonzero(chosen).tolist():
        t_row, i_row, group = int(table.t[k]), int(table.i[k]), int(table.g[k])
        spec = int(prep.t_order[t_row, group]) if group < prep.t_m[t_row] else -1
        members.setdefault(t_row, []).append(
            TeamMember(
                inspector_id=prep.inspector_ids[i_row],
                kind=prep.i_kind[i_row],
                covers=(prep.specialty_names[spec],) if spec >= 0 else (),
                basis=BASES[int(table.b[k])],
                probability=int(table.value[k]) / UNIT,
            )
        )
        actual[i_row] += 1
    return members


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (exact, no interpolation): the value reported is one that occurs."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _target_fairness(
    prep: _Prepared, table: PairTable, team: IntArray, coverage: bool = True
) -> tuple[tuple[TargetFairness, ...], dict[str, float]]:
    rows: list[TargetFairness] = []
    if len(table.t):
        starts = np.flatnonzero(np.r_[True, table.t[1:] != table.t[:-1]])
        ends = np.r_[starts[1:], len(table.t)]
        values = table.value.tolist()
        groups = table.g.tolist()
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            t_row = int(table.t[s])
            probabilities = sorted(values[s:e], reverse=True)
            n = int(team[t_row])
            eligible = e - s
            m = int(prep.t_m[t_row]) if coverage else 0
            sizes = [groups[s:e].count(k) for k in range(m)]
            floor = max([n / eligible] + [1.0 / size for size in sizes if size])
            rows.append(
                TargetFairness(
                    target_id=prep.target_ids[t_row],
                    eligible=eligible,
                    team_size=n,
                    max_probability=probabilities[0] / UNIT,
                    uniform_share=n / eligible,
                    team_guess_bound=probabilities[min(n, eligible) - 1] / UNIT,
                    rule_floor=min(floor, 1.0),
                )
            )
    ratios = [r.max_probability / r.uniform_share for r in rows]
    floor_ratios = [r.max_probability / r.rule_floor for r in rows]
    summary = {
        "floor_ratio_p50": _percentile(floor_ratios, 50),
        "floor_ratio_p95": _percentile(floor_ratios, 95),
        "ratio_p50": _percentile(ratios, 50),
        "ratio_p95": _percentile(ratios, 95),
        "ratio_max": max(ratios, default=0.0),
        "eligible_min": float(min((r.eligible for r in rows), default=0)),
        "eligible_p50": _percentile([float(r.eligible) for r in rows], 50),
        "max_probability_p50": _percentile([r.max_probability for r in rows], 50),
        "max_probability_p95": _percentile([r.max_probability for r in rows], 95),
        "team_guess_p50": _percentile([r.team_guess_bound for r in rows], 50),
        "team_guess_p95": _percentile([r.team_guess_bound for r in rows], 95),
        "uniform_team_guess_p50": _percentile(
            [1.0 / math.comb(r.eligible, r.team_size) for r in rows if r.eligible >= r.team_size], 50
        ),
    }
    return tuple(rows), summary


def match(inputs: MatchInputs, randomness: Sequence[str], version: str = ALGORITHM_VERSION) -> MatchResult:
    """Match inspectors to targets. Same inputs and randomness give the same result in any input order.

    `version` "2.0" recomputes records of that version (fixed scaling iterations); default: current.
    """
    validate_inputs(inputs)
    digests = input_digests(inputs)
    seed = derive_seed(randomness, digests)
    prep = _prepare(inputs, digests["targets"])
    params = inputs.params
    denominator = effective_denominator(params.probability_cap)
    n_t, n_i = len(prep.target_ids), len(prep.inspector_ids)

    team = np.maximum(params.team_size, prep.t_m)
    law_pool = prep.i_law & prep.i_on_duty & (prep.i_remaining > 0)
    units = np.where(law_pool, prep.i_remaining * denominator, 0).astype(np.int64)
    stage = _staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    table, chosen, mixed = _assign(
        prep, stage, law_pool, team, prep.t_m, denominator, False, Stream(seed, "team"), version
    )
    actual = np.zeros(n_i, dtype=np.int64)
    members = _members(prep, table, chosen, actual)

    expert_members: dict[int, list[TeamMember]] = {}
    expert_shortfall: list[str] = []
    staffed_rows = np.flatnonzero(stage.staffed)
    if params.add_experts and len(staffed_rows):
        expert_pool = prep.i_expert & prep.i_on_duty & (prep.i_remaining > 0)
        expert_team = np.zeros(n_t, dtype=np.int64)
        expert_team[staffed_rows] = 1
        expert_units = np.where(expert_pool, prep.i_remaining * denominator, 0).astype(np.int64)
        no_coverage = np.zeros(n_t, dtype=np.int64)
        expert_stage = _staged_flow(
            prep, expert_pool, expert_team, no_coverage, expert_units, denominator, experts=True
        )
        expert_table, expert_chosen, _ = _assign(
            prep, expert_stage, expert_pool, expert_team, no_coverage, denominator, True,
            Stream(seed, "experts"), version,
        )  # fmt: skip
        expert_members = _members(prep, expert_table, expert_chosen, np.zeros(n_i, dtype=np.int64))
        expert_shortfall = [prep.target_ids[t] for t in staffed_rows.tolist() if t not in expert_members]

    assignments = tuple(
        TargetAssignment(
            target_id=prep.target_ids[t],
            team=tuple(sorted(members[t], key=lambda m: (m.covers == (), m.covers, m.inspector_id))),
            experts=tuple(sorted(expert_members.get(t, []), key=lambda m: m.inspector_id)),
        )
        for t in staffed_rows.tolist()
    )
    unstaffed = tuple(
        UnstaffedTarget(target_id=prep.target_ids[t], reason=_unstaffed_reason(prep, t, stage, denominator))
        for t in np.flatnonzero(~stage.staffed).tolist()
    )

    expected_units = np.bincount(table.i, table.value, minlength=n_i).astype(np.int64)  # exact below 2**53
    expected = expected_units / UNIT
    loads = tuple(
        InspectorLoad(
            inspector_id=prep.inspector_ids[i], expected_load=float(expected[i]), actual_load=int(actual[i])
        )
        for i in np.flatnonzero(prep.i_law).tolist()
    )
    total_actual = int(actual.sum())
    n_active = int(stage.active.sum())
    mean = total_actual / n_active if n_active else 0.0
    targets_fairness, summary = _target_fairness(prep, table, team)
    fairness = FairnessReport(
        loads=loads,
        max_pair_probability=int(table.value.max()) / UNIT if assignments else 0.0,
        effective_probability_cap=grid_cap(params.probability_cap) / GRID,
        staffed_count=len(assignments),
        unstaffed_count=len(unstaffed),
        max_flow_bound=stage.bound,
        total_expected_load=float(expected_units.sum() / UNIT),
        total_actual_load=total_actual,
        active_inspectors=n_active,
        spread_actual=float(actual[stage.active].max() / mean) if mean else 0.0,
        spread_expected=float(expected[stage.active].max() / mean) if mean else 0.0,
        spread_ideal=float(math.ceil(mean - 1e-9) / mean) if mean else 0.0,
        targets=targets_fairness,
        summary=summary,
        mixed_share=mixed,
        pair_digest=table.digest(),
    )
    return MatchResult(
        assignments=assignments,
        unstaffed=unstaffed,
        fairness=fairness,
        expert_shortfall=tuple(expert_shortfall),
        input_digests=digests,
        seed=seed,
    )


def match_version(inputs: MatchInputs, randomness: Sequence[str], version: str) -> MatchResult:
    """Run the matching of a given algorithm version (old records are recomputed with their own)."""
    if version in (ALGORITHM_VERSION, "2.0"):
        return match(inputs, randomness, version)
    if version == engine_v1.ALGORITHM_VERSION:
        return engine_v1.match(inputs, randomness)
    raise ValueError(f"未知的匹配算法版本：{version}")


def pair_table(inputs: MatchInputs, version: str = ALGORITHM_VERSION) -> PairTable:
    """The probability of every candidate pair (randomness-free: computed before any random draw)."""
    validate_inputs(inputs)
    digests = input_digests(inputs)
    prep = _prepare(inputs, digests["targets"])
    params = inputs.params
    denominator = effective_denominator(params.probability_cap)
    team = np.maximum(params.team_size, prep.t_m)
    law_pool = prep.i_law & prep.i_on_duty & (prep.i_remaining > 0)
    units = np.where(law_pool, prep.i_remaining * denominator, 0).astype(np.int64)
    stage = _staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    return _probabilities(prep, stage, law_pool, team, prep.t_m, denominator, False, version)[0]
