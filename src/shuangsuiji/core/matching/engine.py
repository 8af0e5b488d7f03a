"""Random inspector matching, version 2.2: most even probabilities + balanced loads + dependent rounding.

Versions 2.0 and 2.1 are frozen in `engine_v2.py`, 1.0 in `engine_v1.py`; `match_version` picks the
engine by the record's `algorithm.version`. What 2.2 changes (steps below):
- **Balanced loads** (step 3): before the probabilities are spread, every inspector's cap is lowered to
  the *balance level* L = max(ceil(mean), floor(1.2 * ceil(mean))) where mean = seats / active inspectors
  (or the least level above it that still staffs every staffed target, checked by a max flow that also
  gives the exactly feasible solution F for step 3); so no one's expected load is above L and, loads being
  the floor or ceiling of the expectation, the largest actual load is at most 1.2 x the even share.
- Speed: scaling, grid rounding and the rounding walk run compiled (numba); the pair digest hashes the
  integer arrays' bytes instead of their JSON (see `PairTable.digest`).

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
   fractional assignment (iterative scaling: row sums n, 专业 groups >= 1, loads <= min(remaining
   workload, balance level), pairs <= cap), on an exact integer grid; loads the scaling leaves a little
   above a cap are repaired by a max flow; where that is not possible, F is mixed in.
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

import hashlib
import math
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from shuangsuiji.core.matching import engine_v1, engine_v2
from shuangsuiji.core.matching.clock import stage as clock_stage
from shuangsuiji.core.matching.engine_v1 import (
    BASES,
    NO_DATE,
    _group_of_pairs,
    _offsets,
    _prepare,
    _Prepared,
    _Stage,
    _unstaffed_reason,
    derive_seed,
    effective_denominator,
)
from shuangsuiji.core.matching.flow import candidate_pairs, staged_flow
from shuangsuiji.core.matching.fractional import GRID, UNIT, even_assignment, grid_cap
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
    canonical_json,
    input_digests,
)
from shuangsuiji.core.matching.rounding import dependent_round
from shuangsuiji.core.matching.stream import Stream
from shuangsuiji.core.matching.validation import validate_inputs

ALGORITHM_NAME = "maxent-dependent-rounding"
ALGORITHM_VERSION = "2.2"
# Older versions that still verify: 1.0 (engine_v1.py), 2.0 and 2.1 (engine_v2.py).
LEGACY_ALGORITHMS = {
    engine_v1.ALGORITHM_VERSION: engine_v1.ALGORITHM_NAME,
    **{version: engine_v2.ALGORITHM_NAME for version in engine_v2.VERSIONS},
}
# Balance level: loads at most this factor times the even share rounded up (the goal: 1.2).
BALANCE_NUMERATOR, BALANCE_DENOMINATOR = 6, 5

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
        """SHA-256 of canonical JSON [UNIT, target ids, inspector ids] (sorted ids: the rows) followed by
        the pairs' target rows, inspector rows and probability units, each as little-endian int64 bytes,
        in (target, inspector) order. Integers only: no float formatting involved."""
        hasher = hashlib.sha256(canonical_json([UNIT, self.prep.target_ids, self.prep.inspector_ids]))
        for column in (self.t, self.i, self.value):
            hasher.update(np.ascontiguousarray(column, dtype="<i8").tobytes())
        return hasher.hexdigest()


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
        t_pair, i_pair = candidate_pairs(prep, rows, pool, BASES[tier], experts)
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


def _capped_flow(
    t_pair: IntArray,
    i_pair: IntArray,
    g_pair: IntArray,
    team: IntArray,  # per target row (0 = not staffed)
    coverage_m: IntArray,
    caps: IntArray,  # per inspector row, in persons
    denominator: int,
) -> IntArray | None:
    """A flow (units of 1/denominator per pair, at most one) staffing every target with team > 0, with
    every 专业 group supplying one member and loads <= caps; None when there is none (max flow)."""
    rows, t_local = np.unique(t_pair, return_inverse=True)
    rows = rows.astype(np.int64)
    t_local = t_local.astype(np.int64)
    n_i = len(caps)
    m = coverage_m[rows]
    # Node blocks per target as in the min-cost flow: m = 0 -> [R = T]; m = 1 -> [C = T, R];
    # m >= 2 -> [C_1..C_m, R, X, T].
    block = np.where(m <= 1, m + 1, m + 3).astype(np.int64)
    block_start = 2 + n_i + _offsets(block)
    t_node = np.where(m <= 1, block_start, block_start + m + 2)
    solver = max_flow.SimpleMaxFlow()
    inspectors = np.arange(n_i, dtype=np.int64)
    solver.add_arcs_with_capacity(np.zeros(n_i, dtype=np.int64), 2 + inspectors, caps * denominator)
    pair_arcs = solver.add_arcs_with_capacity(
        2 + i_pair, block_start[t_local] + g_pair, np.ones(len(t_pair), dtype=np.int64)
    )
    need = team[rows] * denominator
    free = (team[rows] - m) * denominator
    one = np.flatnonzero(m == 1)
    solver.add_arcs_with_capacity(block_start[one] + 1, block_start[one], free[one])
    many = np.flatnonzero(m >= 2)
    if len(many):
        cov = np.repeat(many, m[many])
        column = np.arange(len(cov), dtype=np.int64) - np.repeat(_offsets(m[many]), m[many])
        x_node = block_start + m + 1
        solver.add_arcs_with_capacity(
            block_start[cov] + column, t_node[cov], np.full(len(cov), denominator, dtype=np.int64)
        )
        solver.add_arcs_with_capacity(block_start[cov] + column, x_node[cov], free[cov])
        solver.add_arcs_with_capacity(block_start[many] + m[many], x_node[many], free[many])
        solver.add_arcs_with_capacity(x_node[many], t_node[many], free[many])
    solver.add_arcs_with_capacity(t_node, np.ones(len(rows), dtype=np.int64), need)
    status = solver.solve(0, 1)
    if status != solver.OPTIMAL or solver.optimal_flow() != int(need.sum()):
        return None
    return np.asarray(solver.flows(pair_arcs), dtype=np.int64)


def balance_level(seats: int, active: int) -> int:
    """The balance level: max(ceil(mean), floor(1.2 * ceil(mean))), mean = seats / active inspectors."""
    even = -(-seats // active) if active else 0
    return max(even, even * BALANCE_NUMERATOR // BALANCE_DENOMINATOR)


def _balanced(
    t_pair: IntArray,
    i_pair: IntArray,
    g_pair: IntArray,
    staffed_team: IntArray,
    coverage_m: IntArray,
    remaining: IntArray,
    active: BoolArray,
    flow: IntArray,
    denominator: int,
) -> tuple[IntArray, IntArray, int]:
    """Caps min(remaining, level) with the least level >= the balance level that keeps every staffed
    target staffed, and an exactly feasible flow under them (the min-cost flow's when nothing is lowered)."""
    level = balance_level(int(staffed_team.sum()), int(active.sum()))
    top = int(remaining.max(initial=0))
    while 0 < level < top:
        caps = np.minimum(remaining, level)
        capped = _capped_flow(t_pair, i_pair, g_pair, staffed_team, coverage_m, caps, denominator)
        if capped is not None:
            return caps, capped, level
        level += 1
    return remaining, flow, 0


def _probabilities(
    prep: _Prepared,
    stage: _Stage,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    denominator: int,
    experts: bool,
) -> tuple[PairTable, IntArray, IntArray, float, int]:
    """Probabilities over all candidate pairs of the staffed targets (pairs, group ids, group targets,
    mixed share, balance level used: 0 = none needed)."""
    n_i = len(prep.inspector_ids)
    with clock_stage("pairs"):
        t_pair, i_pair, g_pair, b_pair = _all_pairs(prep, stage, pool, team, experts)
    staffed_team = np.where(stage.staffed, team, 0)
    # The flow's units on these pairs (each flow pair carries exactly one unit of 1/denominator).
    n_keys = n_i
    keys = t_pair * n_keys + i_pair
    flow = np.zeros(len(t_pair), dtype=np.int64)
    if len(stage.used_t):
        pos = np.searchsorted(keys, stage.used_t * n_keys + stage.used_i)
        flow[pos] = 1
    remaining = np.where(pool, prep.i_remaining, 0).astype(np.int64)
    with clock_stage("balance"):
        caps, flow, level = _balanced(
            t_pair, i_pair, g_pair, staffed_team, coverage_m, remaining, stage.active, flow, denominator
        )
    offsets = _offsets(coverage_m + 1)
    gid = offsets[t_pair] + g_pair
    n_groups = int(offsets[-1] + coverage_m[-1] + 1) if len(coverage_m) else 0
    group_target = np.repeat(np.arange(len(coverage_m), dtype=np.int64), coverage_m + 1)
    coverage_group = np.zeros(n_groups, dtype=bool)
    local = np.arange(n_groups, dtype=np.int64) - offsets[group_target]
    coverage_group[:] = local < coverage_m[group_target]
    with clock_stage("scaling"):
        fractional = even_assignment(
            t_pair,
            i_pair,
            gid,
            coverage_group,
            group_target,
            staffed_team,
            caps,
            prep.inputs.params.probability_cap,
            flow,
            denominator,
        )
    table = PairTable(prep, t_pair, i_pair, g_pair, b_pair, fractional.value)
    return table, gid, group_target, fractional.mixed_share, level


def _assign(
    prep: _Prepared,
    stage: _Stage,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    denominator: int,
    experts: bool,
    stream: Stream,
) -> tuple[PairTable, BoolArray, float, int]:
    """The probabilities and the sampled pairs."""
    table, gid, group_target, mixed, level = _probabilities(
        prep, stage, pool, team, coverage_m, denominator, experts
    )
    with clock_stage("rounding"):
        chosen = dependent_round(
            table.i, gid, table.value, UNIT, group_target, len(prep.inspector_ids), stream
        )
    return table, chosen, mixed, level


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


@numba.njit(cache=True, nogil=True)
def _segment_stats(
    starts: IntArray,
    ends: IntArray,
    value: IntArray,
    group: IntArray,
    k_of: IntArray,
    m_of: IntArray,
    width: int,
) -> tuple[IntArray, IntArray, IntArray]:  # pragma: no cover - compiled
    """Per target segment: the largest value, the k-th largest and the size of each 专业 group < m."""
    n = len(starts)
    top = np.zeros(n, dtype=np.int64)
    kth = np.zeros(n, dtype=np.int64)
    sizes = np.zeros((n, max(width, 1)), dtype=np.int64)
    for s in range(n):
        k = k_of[s]
        best = np.full(k, -1, dtype=np.int64)  # the k largest, descending
        for p in range(starts[s], ends[s]):
            v = value[p]
            if v > best[k - 1]:
                j = k - 1
                while j > 0 and best[j - 1] < v:
                    best[j] = best[j - 1]
                    j -= 1
                best[j] = v
            if group[p] < m_of[s]:
                sizes[s, group[p]] += 1
        top[s] = best[0]
        kth[s] = best[k - 1]
    return top, kth, sizes


def _target_fairness(
    prep: _Prepared, table: PairTable, team: IntArray, coverage: bool = True
) -> tuple[tuple[TargetFairness, ...], dict[str, float]]:
    rows: list[TargetFairness] = []
    if len(table.t):
        starts = np.flatnonzero(np.r_[True, table.t[1:] != table.t[:-1]]).astype(np.int64)
        ends = np.r_[starts[1:], len(table.t)].astype(np.int64)
        t_rows = table.t[starts]
        team_of = team[t_rows].astype(np.int64)
        eligible_of = ends - starts
        m_of = prep.t_m[t_rows].astype(np.int64) if coverage else np.zeros(len(starts), dtype=np.int64)
        top, kth, sizes = _segment_stats(
            starts,
            ends,
            table.value,
            table.g,
            np.minimum(team_of, eligible_of),
            m_of,
            int(m_of.max(initial=0)),
        )
        for s, t_row in enumerate(t_rows.tolist()):
            n = int(team_of[s])
            eligible = int(eligible_of[s])
            m = int(m_of[s])
            floor = max([n / eligible] + [1.0 / size for size in sizes[s, :m].tolist() if size])
            rows.append(
                TargetFairness(
                    target_id=prep.target_ids[t_row],
                    eligible=eligible,
                    team_size=n,
                    max_probability=int(top[s]) / UNIT,
                    uniform_share=n / eligible,
                    team_guess_bound=int(kth[s]) / UNIT,
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


def match(inputs: MatchInputs, randomness: Sequence[str]) -> MatchResult:
    """Match inspectors to targets. Same inputs and randomness give the same result in any input order."""
    with clock_stage("inputs"):
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
    with clock_stage("flow"):
        stage = staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    table, chosen, mixed, level = _assign(
        prep, stage, law_pool, team, prep.t_m, denominator, False, Stream(seed, "team")
    )
    actual = np.zeros(n_i, dtype=np.int64)
    with clock_stage("report"):
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
        expert_stage = staged_flow(
            prep, expert_pool, expert_team, no_coverage, expert_units, denominator, experts=True
        )
        expert_table, expert_chosen, _, _ = _assign(
            prep, expert_stage, expert_pool, expert_team, no_coverage, denominator, True,
            Stream(seed, "experts"),
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
    with clock_stage("report"):
        targets_fairness, summary = _target_fairness(prep, table, team)
        pair_digest = table.digest()
    summary["balance_level"] = float(level)  # 0: no cap had to be lowered
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
        pair_digest=pair_digest,
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
    if version == ALGORITHM_VERSION:
        return match(inputs, randomness)
    if version in engine_v2.VERSIONS:
        return engine_v2.match(inputs, randomness, version)
    if version == engine_v1.ALGORITHM_VERSION:
        return engine_v1.match(inputs, randomness)
    raise ValueError(f"未知的匹配算法版本：{version}")


def pair_table(inputs: MatchInputs, version: str = ALGORITHM_VERSION) -> PairTable | engine_v2.PairTable:
    """The probability of every candidate pair (randomness-free: computed before any random draw)."""
    if version != ALGORITHM_VERSION:
        return engine_v2.pair_table(inputs, version)
    validate_inputs(inputs)
    digests = input_digests(inputs)
    prep = _prepare(inputs, digests["targets"])
    params = inputs.params
    denominator = effective_denominator(params.probability_cap)
    team = np.maximum(params.team_size, prep.t_m)
    law_pool = prep.i_law & prep.i_on_duty & (prep.i_remaining > 0)
    units = np.where(law_pool, prep.i_remaining * denominator, 0).astype(np.int64)
    stage = staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    return _probabilities(prep, stage, law_pool, team, prep.t_m, denominator, False)[0]
