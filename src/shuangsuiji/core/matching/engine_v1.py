"""Version 1.0 of the matching (flow-cap-euler-split), kept unchanged so that its records still verify.

New matches use version 2.0 (`engine.py`); `record.verify_record` picks the engine by the record's
`algorithm.version`. The candidate, 专业-group, flow and reason helpers below are shared with version 2.0.
Do not change the behaviour of anything here: stored 1.0 records are recomputed with it.

Randomised inspector matching: min-cost flow with a probability cap + Euler-split sampling.

Method (goes into the README)
=============================
Let q be the probability cap and D = 2**r the smallest power of two with 1/D <= q (q = 0.5 -> D = 2;
q = 0.3 -> D = 4; q = 1 -> D = 1, i.e. deterministic). The *effective cap* is 1/D <= q.

1. **Candidates.** A pair (inspector i, target t) is a candidate when i is a 执法人员, 在岗, has a 执法证
   valid on every day of t's window, has remaining workload (cap - existing workload > 0), has no declared
   conflict with t (or t's group) overlapping the window, was not on t in the previous round, and comes from
   an allowed region (below).
2. **专业 coverage as groups.** Target t with 专业 set S (m = |S|) gets a team of n = max(team_size, m)
   执法人员. Its 专业 are ordered by scarcity (fewest qualified 在岗 执法人员 first, then name); each candidate
   joins the group of the *first* 专业 in that order he is qualified for, or the general group R. Every
   coverage group must supply at least one member, the rest of the team is free. (Being the
   "responsible member" for one 专业 is a restriction only when m >= 2; for one 专业 it is exact.)
3. **Fractional assignment = flow.** Units are 1/D of a person. Network:
   source -> inspector (cap units, split in unit arcs of rising cost existing*D + j so the solver balances
   the total workload convexly) -> coverage group or R (capacity 1 unit per pair: this is the
   probability cap) -> target. A coverage group sends up to D units straight to the target and the rest
   through a node X_t shared with R whose capacity is (n - m)*D; target -> sink has capacity n*D, so a
   target is fully staffed exactly when every coverage group delivers D units. Pair arcs from adjacent or
   other regions cost a large penalty, target -> sink arcs cost a priority rank (SHA-256 of the target
   digest and target id, so it does not depend on the randomness). ortools solves *max flow with min cost*
   (max flow first, then the cost). Targets that end up partially staffed are closed (sink capacity 0)
   and the problem is re-solved until every target is full or empty; the priority makes the solver fill
   targets one by one, so this converges in a few rounds.
4. **Regions.** Stage 1 uses same-region pairs only. With fallback = adjacent, targets not fully staffed
   in stage 1 additionally get pairs from adjacent regions and the whole network is solved again; with
   fallback = direct, targets still not staffed then get pairs from every region (直接委派, reason recorded).
   The max-flow bound is computed on the final network: with F the max-flow value, no more than the
   number of individually feasible targets, taken smallest team first while their n*D sum stays <= F,
   can ever be fully staffed.
5. **Sampling (dependent rounding by Euler splitting).** Each unit of flow on a pair arc is an edge between
   inspector i and group g of the bipartite multigraph. r times: odd-degree groups of the same target are
   joined through a dummy vertex, odd-degree inspectors to one global dummy, making every degree even; the
   graph is decomposed into closed Euler trails (Hierholzer, canonical order), edges along each trail are
   labelled alternately A/B, and every trail is flipped with probability 1/2 from the seeded generator.
   Edges labelled A are kept. Each vertex keeps floor or ceil of half its degree, each target exactly half,
   and each edge survives with probability exactly 1/2 per level, so after r levels every target has exactly
   n members, each coverage group at least one, each inspector at most his cap, and
   **P(i on t) = flow(i, t) / D** - the reported marginal, at most the effective cap.
6. **Determinism.** Inputs are sorted by id, arcs are added in canonical order, ortools is deterministic,
   and the only random draws are the trail flips, from numpy's PCG64 seeded with SHA-256 over the public
   randomness strings and the input digests. Neither the clock nor a global RNG is used.

Experts (params.add_experts) are matched afterwards with the same machinery (team of one 专家 qualified
for at least one 专业 of the target, no licence needed); they never count towards the 执法人员 team.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from shuangsuiji.core.matching.model import (
    Basis,
    FairnessReport,
    FallbackPolicy,
    InspectorKind,
    InspectorLoad,
    InspectorStatus,
    MatchInputs,
    MatchResult,
    TargetAssignment,
    TeamMember,
    UnstaffedTarget,
    canonical_json,
    input_digests,
)
from shuangsuiji.core.matching.validation import validate_inputs

ALGORITHM_NAME = "flow-cap-euler-split"
ALGORITHM_VERSION = "1.0"

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Cost scale: region penalties dominate target priorities, which dominate the workload balancing.
ADJACENT_PENALTY = 10_000_000
DIRECT_PENALTY = 1_000_000_000
PRIORITY_WEIGHT = 64
MAX_RESOLVE_ROUNDS = 30
NO_DATE = -1  # ordinal for "no licence"


def effective_denominator(probability_cap: float) -> int:
    """D = smallest power of two with 1/D <= cap."""
    denominator = 1
    while 1.0 / denominator > probability_cap + 1e-12:
        denominator *= 2
    return denominator


def derive_seed(randomness: Sequence[str], digests: dict[str, str]) -> str:
    payload = {"randomness": [s.strip() for s in randomness], "inputs": digests}
    return hashlib.sha256(b"ssj-match-seed\x00" + canonical_json(payload)).hexdigest()


@dataclass
class _Prepared:
    """Sorted, array-encoded inputs."""

    inputs: MatchInputs
    target_ids: list[str]
    inspector_ids: list[str]
    specialty_names: list[str]
    t_region: IntArray
    t_start: IntArray
    t_end: IntArray
    t_mask: IntArray
    t_order: IntArray  # [targets, max m] specialty index by scarcity, -1 padded
    t_m: IntArray  # number of specialties (coverage groups) per target
    t_priority: IntArray
    i_region: IntArray
    i_mask: IntArray
    i_lic_from: IntArray
    i_lic_to: IntArray
    i_kind: list[InspectorKind]
    i_on_duty: BoolArray
    i_law: BoolArray
    i_expert: BoolArray
    i_existing: IntArray
    i_remaining: IntArray
    region_names: list[str]
    neighbours: list[list[int]]
    excluded_keys: IntArray  # sorted t * n_inspectors + i for conflicts and previous-round pairs


def _prepare(inputs: MatchInputs, targets_digest: str) -> _Prepared:
    params = inputs.params
    targets = sorted(inputs.targets, key=lambda t: t.id)
    inspectors = sorted(inputs.inspectors, key=lambda i: i.id)
    regions = {t.region for t in targets} | {i.region for i in inspectors}
    regions |= {r for a in inputs.adjacency for r in (a.region_a, a.region_b) if r}
    region_names = sorted(regions)
    region_index = {r: k for k, r in enumerate(region_names)}
    neighbour_sets: list[set[int]] = [set() for _ in region_names]
    for pair in inputs.adjacency:
        if pair.region_a and pair.region_b and pair.region_a != pair.region_b:
            a, b = region_index[pair.region_a], region_index[pair.region_b]
            neighbour_sets[a].add(b)
            neighbour_sets[b].add(a)
    specialty_names = sorted(
        {s for t in targets for s in t.specialties} | {q for i in inspectors for q in i.qualifications}
    )
    spec_index = {s: k for k, s in enumerate(specialty_names)}

    law = np.array([i.kind is InspectorKind.LAW_ENFORCEMENT for i in inspectors], dtype=bool)
    on_duty = np.array([i.status is InspectorStatus.ON_DUTY for i in inspectors], dtype=bool)
    i_mask = np.array([sum(1 << spec_index[q] for q in i.qualifications) for i in inspectors], dtype=np.int64)
    # Scarcity: how many 在岗 执法人员 hold each qualification (fewest first gets its members first).
    bits = (i_mask[:, None] >> np.arange(len(specialty_names), dtype=np.int64)[None, :]) & 1
    scarcity = (bits[law & on_duty]).sum(axis=0) if len(inspectors) else np.zeros(len(specialty_names))
    max_m = max((len(t.specialties) for t in targets), default=0)
    t_order = np.full((len(targets), max(max_m, 1)), -1, dtype=np.int64)
    for t_row, target in enumerate(targets):
        ordered = sorted(target.specialties, key=lambda s: (int(scarcity[spec_index[s]]), s))
        t_order[t_row, : len(ordered)] = [spec_index[s] for s in ordered]

    priority_keys = [hashlib.sha256(f"{targets_digest}\x00{t.id}".encode()).digest() for t in targets]
    priority = np.empty(len(targets), dtype=np.int64)
    priority[np.array(sorted(range(len(targets)), key=lambda k: priority_keys[k]), dtype=np.int64)] = (
        np.arange(len(targets), dtype=np.int64)
    )

    target_row = {t.id: k for k, t in enumerate(targets)}
    inspector_row = {i.id: k for k, i in enumerate(inspectors)}
    group_rows: dict[str, list[int]] = {}
    for k, t in enumerate(targets):
        if t.group:
            group_rows.setdefault(t.group, []).append(k)
    excluded: list[int] = []
    n_insp = len(inspectors)
    for conflict in inputs.conflicts:
        i_row = inspector_row.get(conflict.inspector_id)
        if i_row is None:
            continue
        rows = [target_row[conflict.target_id]] if conflict.target_id in target_row else []
        rows += group_rows.get(conflict.target_group, []) if conflict.target_group else []
        for t_row in rows:
            target = targets[t_row]
            before = conflict.period_end is not None and conflict.period_end < target.window_start
            after = conflict.period_start is not None and conflict.period_start > target.window_end
            if not (before or after):  # the conflict period overlaps the inspection window
                excluded.append(t_row * n_insp + i_row)
    for previous in inputs.history:
        if params.previous_round and previous.round != params.previous_round:
            continue
        if previous.target_id in target_row and previous.inspector_id in inspector_row:
            excluded.append(target_row[previous.target_id] * n_insp + inspector_row[previous.inspector_id])

    existing = np.array([i.existing_workload for i in inspectors], dtype=np.int64)
    return _Prepared(
        inputs=inputs,
        target_ids=[t.id for t in targets],
        inspector_ids=[i.id for i in inspectors],
        specialty_names=specialty_names,
        t_region=np.array([region_index[t.region] for t in targets], dtype=np.int64),
        t_start=np.array([t.window_start.toordinal() for t in targets], dtype=np.int64),
        t_end=np.array([t.window_end.toordinal() for t in targets], dtype=np.int64),
        t_mask=np.array([sum(1 << spec_index[s] for s in t.specialties) for t in targets], dtype=np.int64),
        t_order=t_order,
        t_m=np.array([len(t.specialties) for t in targets], dtype=np.int64),
        t_priority=priority,
        i_region=np.array([region_index[i.region] for i in inspectors], dtype=np.int64),
        i_mask=i_mask,
        i_lic_from=np.array(
            [i.licence_valid_from.toordinal() if i.licence_valid_from else NO_DATE for i in inspectors],
            dtype=np.int64,
        ),
        i_lic_to=np.array(
            [i.licence_valid_to.toordinal() if i.licence_valid_to else NO_DATE for i in inspectors],
            dtype=np.int64,
        ),
        i_kind=[i.kind for i in inspectors],
        i_on_duty=on_duty,
        i_law=law,
        i_expert=np.array([i.kind is InspectorKind.EXPERT for i in inspectors], dtype=bool),
        i_existing=existing,
        i_remaining=np.maximum(params.max_targets_per_inspector - existing, 0),
        region_names=region_names,
        neighbours=[sorted(s) for s in neighbour_sets],
        excluded_keys=np.unique(np.array(excluded, dtype=np.int64)),
    )


# -------------------------------------------------------------------------------------- candidate pairs


def _region_members(region_of: IntArray, rows: IntArray, n_regions: int) -> list[IntArray]:
    order = rows[np.argsort(region_of[rows], kind="stable")]
    bounds = np.searchsorted(region_of[order], np.arange(n_regions + 1))
    return [order[bounds[r] : bounds[r + 1]] for r in range(n_regions)]


def _cross(target_rows: IntArray, inspector_rows: IntArray) -> tuple[IntArray, IntArray]:
    return np.repeat(target_rows, len(inspector_rows)), np.tile(inspector_rows, len(target_rows))


def _candidate_pairs(
    prep: _Prepared,
    target_rows: IntArray,
    inspector_pool: BoolArray,
    tier: Basis,
    experts: bool,
) -> tuple[IntArray, IntArray]:
    """All eligible (target, inspector) pairs of one region tier for the given targets."""
    n_regions = len(prep.region_names)
    pool_rows = np.flatnonzero(inspector_pool).astype(np.int64)
    by_region = _region_members(prep.i_region, pool_rows, n_regions)
    targets_by_region = _region_members(prep.t_region, target_rows, n_regions)
    t_parts: list[IntArray] = []
    i_parts: list[IntArray] = []
    for region in range(n_regions):
        t_here = targets_by_region[region]
        if len(t_here) == 0:
            continue
        if tier is Basis.SAME_REGION:
            sources = by_region[region]
        elif tier is Basis.ADJACENT_REGION:
            neighbours = prep.neighbours[region]
            sources = np.concatenate([by_region[n] for n in neighbours]) if neighbours else pool_rows[:0]
        else:
            allowed = {region, *prep.neighbours[region]}
            sources = np.concatenate(
                [by_region[n] for n in range(n_regions) if n not in allowed] or [pool_rows[:0]]
            )
        if len(sources) == 0:
            continue
        t_pair, i_pair = _cross(t_here, sources)
        t_parts.append(t_pair)
        i_parts.append(i_pair)
    if not t_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    t_pair = np.concatenate(t_parts)
    i_pair = np.concatenate(i_parts)
    if experts:
        keep = (prep.i_mask[i_pair] & prep.t_mask[t_pair]) != 0
    else:
        keep = (prep.i_lic_from[i_pair] != NO_DATE) & (prep.i_lic_from[i_pair] <= prep.t_start[t_pair])
        keep &= prep.i_lic_to[i_pair] >= prep.t_end[t_pair]
    if len(prep.excluded_keys):
        keep &= ~np.isin(t_pair * len(prep.inspector_ids) + i_pair, prep.excluded_keys)
    return t_pair[keep], i_pair[keep]


def _group_of_pairs(prep: _Prepared, t_pair: IntArray, i_pair: IntArray, coverage: bool) -> IntArray:
    """Local group per pair: index of the first (scarcest) 专业 the inspector covers, else m (group R)."""
    if not coverage:
        return np.zeros(len(t_pair), dtype=np.int64)
    group = prep.t_m[t_pair].copy()
    for column in reversed(range(prep.t_order.shape[1])):
        spec = prep.t_order[t_pair, column]
        has = (spec >= 0) & (((prep.i_mask[i_pair] >> np.maximum(spec, 0)) & 1) == 1)
        group = np.where(has, column, group)
    return group


# ---------------------------------------------------------------------------------------------- the flow


@dataclass
class _FlowOutcome:
    pair_used: BoolArray  # pair arcs carrying one unit, for fully staffed targets
    staffed: IntArray  # target rows fully staffed
    max_flow: int


def _offsets(counts: IntArray) -> IntArray:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _solve(
    t_pair: IntArray,
    i_pair: IntArray,
    g_pair: IntArray,
    cost_pair: IntArray,
    team: IntArray,  # members per target row (global)
    coverage_m: IntArray,  # coverage groups per target row (global)
    priority: IntArray,  # per target row (global)
    inspector_units: IntArray,  # capacity left in units per inspector row (global)
    load_offset: IntArray,  # units already carried per inspector row (existing workload + earlier stages)
    denominator: int,
) -> _FlowOutcome:
    """Max flow with min cost on one connected problem, closing partially staffed targets until none."""
    rows, t_local = np.unique(t_pair, return_inverse=True)
    inspectors, i_local = np.unique(i_pair, return_inverse=True)
    rows = rows.astype(np.int64)
    inspectors = inspectors.astype(np.int64)
    t_local = t_local.astype(np.int64)
    i_local = i_local.astype(np.int64)
    if len(rows) == 0:
        return _FlowOutcome(np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64), 0)
    m = coverage_m[rows]
    # Node blocks per target: m = 0 -> [R = T]; m = 1 -> [C = T, R]; m >= 2 -> [C_1..C_m, R, X, T].
    block = np.where(m <= 1, m + 1, m + 3).astype(np.int64)
    block_start = 2 + len(inspectors) + _offsets(block)
    t_node = np.where(m == 0, block_start, np.where(m == 1, block_start, block_start + m + 2))
    solver = min_cost_flow.SimpleMinCostFlow()

    # source -> inspector, one arc per unit with rising cost: a convex cost on the total workload.
    units = inspector_units[inspectors]
    unit_owner = np.repeat(np.arange(len(inspectors), dtype=np.int64), units)
    unit_rank = np.arange(len(unit_owner), dtype=np.int64) - np.repeat(_offsets(units), units)
    solver.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(unit_owner), dtype=np.int64),
        2 + unit_owner,
        np.ones(len(unit_owner), dtype=np.int64),
        load_offset[inspectors][unit_owner] + unit_rank,
    )
    # inspector -> group: capacity one unit = the probability cap.
    pair_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        2 + i_local, block_start[t_local] + g_pair, np.ones(len(t_pair), dtype=np.int64), cost_pair
    )
    need = team[rows] * denominator
    unit = np.full(len(rows), denominator, dtype=np.int64)
    free = (team[rows] - m) * denominator
    one = np.flatnonzero(m == 1)
    if len(one):  # R -> C: at most n - 1 members without the 专业, so C supplies at least one
        solver.add_arcs_with_capacity_and_unit_cost(
            block_start[one] + 1, block_start[one], free[one], np.zeros(len(one), dtype=np.int64)
        )
    many = np.flatnonzero(m >= 2)
    if len(many):
        cov = np.repeat(many, m[many])
        column = np.arange(len(cov), dtype=np.int64) - np.repeat(_offsets(m[many]), m[many])
        x_node = block_start + m + 1
        zeros_cov = np.zeros(len(cov), dtype=np.int64)
        solver.add_arcs_with_capacity_and_unit_cost(
            block_start[cov] + column, t_node[cov], unit[cov], zeros_cov
        )
        solver.add_arcs_with_capacity_and_unit_cost(
            block_start[cov] + column, x_node[cov], free[cov], zeros_cov
        )
        zeros_many = np.zeros(len(many), dtype=np.int64)
        solver.add_arcs_with_capacity_and_unit_cost(
            block_start[many] + m[many], x_node[many], free[many], zeros_many
        )
        solver.add_arcs_with_capacity_and_unit_cost(x_node[many], t_node[many], free[many], zeros_many)
    sink_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        t_node, np.ones(len(rows), dtype=np.int64), need, priority[rows] * PRIORITY_WEIGHT
    )
    # Max flow with min cost still reads the supplies: offer everything at the source and the sink.
    supply = int(min(need.sum(), units.sum()))
    solver.set_node_supply(0, supply)
    solver.set_node_supply(1, -supply)
    max_flow = -1
    for _ in range(MAX_RESOLVE_ROUNDS):
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"最小费用流求解失败（状态 {status}）")
        if max_flow < 0:
            max_flow = int(solver.maximum_flow())
        delivered = np.asarray(solver.flows(sink_arcs), dtype=np.int64)
        partial = (delivered > 0) & (delivered < need)
        if not partial.any():
            break
        # Close partially staffed targets (the priority makes them few) and re-solve.
        solver.set_arc_capacities(sink_arcs[partial], np.zeros(int(partial.sum()), dtype=np.int64))
    delivered = np.asarray(solver.flows(sink_arcs), dtype=np.int64)
    full_local = delivered == need
    pair_flow = np.asarray(solver.flows(pair_arcs), dtype=np.int64)
    return _FlowOutcome(
        pair_used=(pair_flow > 0) & full_local[t_local], staffed=rows[full_local], max_flow=max_flow
    )


# ------------------------------------------------------------------------------------------- sampling


def _euler_trails(n_vertices: int, ends_a: list[int], ends_b: list[int]) -> list[list[int]]:
    """Closed trails covering every edge once (all degrees even); each trail lists consecutive edges."""
    adjacency: list[list[int]] = [[] for _ in range(n_vertices)]
    for edge, (a, b) in enumerate(zip(ends_a, ends_b, strict=True)):
        adjacency[a].append(edge)
        adjacency[b].append(edge)
    pointer = [0] * n_vertices
    used = bytearray(len(ends_a))
    trails: list[list[int]] = []
    for start in range(n_vertices):
        if pointer[start] >= len(adjacency[start]):
            continue
        stack: list[tuple[int, int]] = [(start, -1)]
        trail: list[int] = []
        while stack:
            vertex, via = stack[-1]
            edges = adjacency[vertex]
            p = pointer[vertex]
            while p < len(edges) and used[edges[p]]:
                p += 1
            pointer[vertex] = p
            if p == len(edges):
                stack.pop()
                if via >= 0:
                    trail.append(via)
            else:
                edge = edges[p]
                used[edge] = 1
                other = ends_b[edge] if ends_a[edge] == vertex else ends_a[edge]
                stack.append((other, edge))
        if trail:
            trails.append(trail)
    return trails


def _split_rounds(
    edge_inspector: IntArray,
    edge_group: IntArray,  # global group ids
    group_target: IntArray,  # target of each global group id
    n_inspectors: int,
    rounds: int,
    rng: np.random.Generator,
) -> IntArray:
    """Indices of the edges kept after `rounds` Euler halvings (each edge kept w.p. 2**-rounds)."""
    alive = np.arange(len(edge_inspector), dtype=np.int64)
    n_groups = len(group_target)
    for _ in range(rounds):
        insp = edge_inspector[alive]
        grp = edge_group[alive]
        # Vertices: inspectors [0, n_i), groups [n_i, n_i + n_g), global dummy, then per-pair dummies.
        ends_a = insp.tolist()
        ends_b = (n_inspectors + grp).tolist()
        global_dummy = n_inspectors + n_groups
        next_vertex = global_dummy + 1
        odd_inspectors = np.flatnonzero(np.bincount(insp, minlength=n_inspectors) % 2 == 1)
        ends_a += odd_inspectors.tolist()
        ends_b += [global_dummy] * len(odd_inspectors)
        odd_groups = np.flatnonzero(np.bincount(grp, minlength=n_groups) % 2 == 1)
        # Pair the odd groups of each target through a dummy vertex (a target's total degree is even).
        odd_sorted = odd_groups[np.argsort(group_target[odd_groups], kind="stable")]
        for first, second in zip(odd_sorted[0::2].tolist(), odd_sorted[1::2].tolist(), strict=True):
            ends_a += [next_vertex, next_vertex]
            ends_b += [n_inspectors + first, n_inspectors + second]
            next_vertex += 1
        trails = _euler_trails(next_vertex, ends_a, ends_b)
        flips = rng.integers(0, 2, size=len(trails))
        keep_label = np.zeros(len(ends_a), dtype=bool)
        for trail, flip in zip(trails, flips.tolist(), strict=True):
            keep_label[trail[flip::2]] = True
        alive = alive[keep_label[: len(alive)]]
    return alive


# ------------------------------------------------------------------------------------------- the engine


@dataclass
class _Stage:
    used_t: IntArray  # pairs carrying flow for fully staffed targets (all stages)
    used_i: IntArray
    used_g: IntArray
    used_b: IntArray  # index into BASES
    staffed: BoolArray
    bound: int
    candidates_t: IntArray  # candidate pairs of the last stage (its targets were not staffed before)
    candidates_g: IntArray
    active: BoolArray  # inspectors that were a candidate for at least one target


BASES = (Basis.SAME_REGION, Basis.ADJACENT_REGION, Basis.DIRECT_ASSIGNMENT)
BASIS_COST = np.array([0, ADJACENT_PENALTY, DIRECT_PENALTY], dtype=np.int64)


def _max_flow_bound(
    t_pair: IntArray, g_pair: IntArray, team: IntArray, coverage_m: IntArray, denominator: int, max_flow: int
) -> int:
    """Upper bound on fully staffed targets of one problem: max-flow value and per-target feasibility."""
    rows = np.unique(t_pair)
    if len(rows) == 0:
        return 0
    m = coverage_m[rows]
    offsets = np.zeros(len(team) + 1, dtype=np.int64)
    offsets[rows + 1] = m + 1
    offsets = np.cumsum(offsets)
    counts = np.bincount(offsets[t_pair] + g_pair, minlength=int(offsets[-1]))
    feasible = np.ones(len(rows), dtype=bool)
    extra = np.zeros(len(rows), dtype=np.int64)
    for k, row in enumerate(rows.tolist()):
        groups = counts[offsets[row] : offsets[row] + coverage_m[row] + 1]
        coverage = groups[:-1]
        if (coverage < denominator).any():  # a 专业 without D distinct candidates can never be covered
            feasible[k] = False
            continue
        extra[k] = int((coverage - denominator).sum() + groups[-1])
    feasible &= extra >= (team[rows] - m) * denominator
    need = np.sort(team[rows][feasible] * denominator)
    by_flow = int(np.searchsorted(np.cumsum(need), max_flow, side="right"))
    return min(by_flow, int(feasible.sum()))


def _staged_flow(
    prep: _Prepared,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    inspector_units: IntArray,
    denominator: int,
    experts: bool,
) -> _Stage:
    """Same region first, then (per params) adjacent regions, then direct assignment.

    Each stage keeps what earlier stages staffed (the same-region-first rule gives a region's own targets
    precedence on its inspectors) and solves the residual problem for the targets still unstaffed, with
    the pairs of every tier allowed so far. Stage 1 decomposes into one problem per region.
    """
    tiers = [Basis.SAME_REGION]
    if prep.inputs.params.fallback in (FallbackPolicy.ADJACENT, FallbackPolicy.DIRECT):
        tiers.append(Basis.ADJACENT_REGION)
    if prep.inputs.params.fallback is FallbackPolicy.DIRECT:
        tiers.append(Basis.DIRECT_ASSIGNMENT)
    n_t, n_i = len(team), len(inspector_units)
    staffed = np.zeros(n_t, dtype=bool)
    units_left = inspector_units.copy()
    load_offset = prep.i_existing * denominator
    active = np.zeros(n_i, dtype=bool)
    used: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    todo = np.flatnonzero(team > 0).astype(np.int64)
    empty = np.zeros(0, dtype=np.int64)
    candidates_t, candidates_g = empty, empty
    bound = 0
    for level, tier in enumerate(tiers):
        if len(todo) == 0:
            break
        new_t, new_i = _candidate_pairs(prep, todo, pool & (units_left > 0), tier, experts)
        if level > 0 and len(new_t) == 0:
            continue  # no new candidates: the previous stage's outcome and bound stand
        parts_t, parts_i, parts_b = [new_t], [new_i], [np.full(len(new_t), level, dtype=np.int64)]
        for earlier in range(level):
            t_e, i_e = _candidate_pairs(prep, todo, pool & (units_left > 0), tiers[earlier], experts)
            parts_t.append(t_e)
            parts_i.append(i_e)
            parts_b.append(np.full(len(t_e), earlier, dtype=np.int64))
        t_pair, i_pair, b_pair = np.concatenate(parts_t), np.concatenate(parts_i), np.concatenate(parts_b)
        # Canonical arc order (target, inspector): the same network whatever the input order.
        order = np.lexsort((i_pair, t_pair))
        t_pair, i_pair, b_pair = t_pair[order], i_pair[order], b_pair[order]
        g_pair = _group_of_pairs(prep, t_pair, i_pair, coverage=not experts)
        active[i_pair] = True
        candidates_t, candidates_g = t_pair, g_pair
        if tier is Basis.SAME_REGION:  # independent per region
            region_of_pair = prep.t_region[t_pair]
            problems = [np.flatnonzero(region_of_pair == r) for r in np.unique(region_of_pair).tolist()]
        else:
            problems = [np.arange(len(t_pair), dtype=np.int64)]
        bound = int(staffed.sum())
        for sel in problems:
            outcome = _solve(
                t_pair[sel],
                i_pair[sel],
                g_pair[sel],
                BASIS_COST[b_pair[sel]],
                team,
                coverage_m,
                prep.t_priority,
                units_left,
                load_offset,
                denominator,
            )
            bound += _max_flow_bound(
                t_pair[sel], g_pair[sel], team, coverage_m, denominator, outcome.max_flow
            )
            taken = sel[outcome.pair_used]
            used.append((t_pair[taken], i_pair[taken], g_pair[taken], b_pair[taken]))
            staffed[outcome.staffed] = True
            carried = np.bincount(i_pair[taken], minlength=n_i)
            units_left -= carried
            load_offset = load_offset + carried
        todo = todo[~staffed[todo]]
    if not used:
        return _Stage(empty, empty, empty, empty, staffed, 0, candidates_t, candidates_g, active)
    return _Stage(
        np.concatenate([u[0] for u in used]),
        np.concatenate([u[1] for u in used]),
        np.concatenate([u[2] for u in used]),
        np.concatenate([u[3] for u in used]),
        staffed,
        bound,
        candidates_t,
        candidates_g,
        active,
    )


def _unstaffed_reason(prep: _Prepared, row: int, stage: _Stage, denominator: int) -> str:
    """The binding constraint for one target, checked from the most to the least fundamental."""
    params = prep.inputs.params
    region = int(prep.t_region[row])
    allowed = {region}
    label = "本区域"
    if params.fallback in (FallbackPolicy.ADJACENT, FallbackPolicy.DIRECT):
        allowed |= set(prep.neighbours[region])
        label = "本区域及相邻区域"
    if params.fallback is FallbackPolicy.DIRECT:
        allowed = set(range(len(prep.region_names)))
        label = "全部区域"
    in_regions = np.isin(prep.i_region, np.array(sorted(allowed), dtype=np.int64))
    on_duty = in_regions & prep.i_law & prep.i_on_duty
    licensed = on_duty & (prep.i_lic_from != NO_DATE) & (prep.i_lic_from <= prep.t_start[row])
    licensed &= prep.i_lic_to >= prep.t_end[row]
    keys = row * len(prep.inspector_ids) + np.arange(len(prep.inspector_ids), dtype=np.int64)
    free = licensed & ~np.isin(keys, prep.excluded_keys)
    with_capacity = free & (prep.i_remaining > 0)
    team = max(params.team_size, int(prep.t_m[row]))
    cap_text = f"概率上限{params.probability_cap:g}（有效上限1/{denominator}）"
    for spec in prep.t_order[row].tolist():
        if spec < 0:
            continue
        name = prep.specialty_names[spec]
        qualified = ((prep.i_mask >> spec) & 1) == 1
        if not (on_duty & qualified).any():
            return f"{label}无具备『{name}』资格的在岗执法人员"
        if not (licensed & qualified).any():
            return f"{label}具备『{name}』资格的在岗执法人员执法证在检查期间均不有效"
        if not (free & qualified).any():
            return f"回避后{label}无具备『{name}』资格的可用执法人员"
        if not (with_capacity & qualified).any():
            return f"工作量上限已满：{label}具备『{name}』资格的执法人员均已达到工作量上限"
    if licensed.sum() < team:
        return f"{label}执法证有效的在岗执法人员不足{team}人"
    if free.sum() < team:
        return f"回避后可用人员不足{team}人"
    if with_capacity.sum() < team:
        return f"工作量上限已满：{label}尚有余量的可用执法人员不足{team}人"
    # Probability cap: the target needs team*D distinct candidates, D per 专业 group (ignoring workload).
    free_rows = np.flatnonzero(free).astype(np.int64)
    if len(free_rows) < team * denominator:
        return f"可用执法人员仅{len(free_rows)}人，{cap_text}要求至少{team * denominator}人"
    groups = np.bincount(
        _group_of_pairs(prep, np.full(len(free_rows), row, dtype=np.int64), free_rows, coverage=True),
        minlength=int(prep.t_m[row]) + 1,
    )
    for column, spec in enumerate(prep.t_order[row].tolist()):
        if spec >= 0 and groups[column] < denominator:
            return (
                f"按专业分工后负责『{prep.specialty_names[spec]}』的可用执法人员仅{int(groups[column])}人，"
                f"{cap_text}要求至少{denominator}人"
            )
    return "工作量上限已满：候选执法人员的剩余工作量已分配给其他检查对象（本区域优先，受最大流上界限制）"


def _sample(
    stage: _Stage, coverage_m: IntArray, n_inspectors: int, denominator: int, rng: np.random.Generator
) -> IntArray:
    """Indices (into the stage's used pairs) selected by Euler-split rounding of the flow."""
    offsets = _offsets(coverage_m + 1)
    group_target = np.repeat(np.arange(len(coverage_m), dtype=np.int64), coverage_m + 1)
    edge_group = offsets[stage.used_t] + stage.used_g
    return _split_rounds(
        stage.used_i, edge_group, group_target, n_inspectors, int(math.log2(denominator)), rng
    )


def _members(
    prep: _Prepared, stage: _Stage, chosen: IntArray, denominator: int, actual: IntArray
) -> dict[int, list[TeamMember]]:
    members: dict[int, list[TeamMember]] = {}
    for k in chosen.tolist():
        t_row, i_row, group = int(stage.used_t[k]), int(stage.used_i[k]), int(stage.used_g[k])
        spec = int(prep.t_order[t_row, group]) if group < prep.t_m[t_row] else -1
        members.setdefault(t_row, []).append(
            TeamMember(
                inspector_id=prep.inspector_ids[i_row],
                kind=prep.i_kind[i_row],
                covers=(prep.specialty_names[spec],) if spec >= 0 else (),
                basis=BASES[int(stage.used_b[k])],
                probability=1.0 / denominator,
            )
        )
        actual[i_row] += 1
    return members


def match(inputs: MatchInputs, randomness: Sequence[str]) -> MatchResult:
    """Match inspectors to targets. Same inputs and randomness give the same result in any input order."""
    validate_inputs(inputs)
    digests = input_digests(inputs)
    seed = derive_seed(randomness, digests)
    rng = np.random.Generator(np.random.PCG64(int(seed, 16)))
    prep = _prepare(inputs, digests["targets"])
    params = inputs.params
    denominator = effective_denominator(params.probability_cap)
    n_t, n_i = len(prep.target_ids), len(prep.inspector_ids)

    team = np.maximum(params.team_size, prep.t_m)
    law_pool = prep.i_law & prep.i_on_duty & (prep.i_remaining > 0)
    units = np.where(law_pool, prep.i_remaining * denominator, 0).astype(np.int64)
    stage = _staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    actual = np.zeros(n_i, dtype=np.int64)
    members = _members(prep, stage, _sample(stage, prep.t_m, n_i, denominator, rng), denominator, actual)

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
        expert_chosen = _sample(expert_stage, no_coverage, n_i, denominator, rng)
        expert_members = _members(
            prep, expert_stage, expert_chosen, denominator, np.zeros(n_i, dtype=np.int64)
        )
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

    expected = np.bincount(stage.used_i, minlength=n_i) / denominator
    loads = tuple(
        InspectorLoad(
            inspector_id=prep.inspector_ids[i], expected_load=float(expected[i]), actual_load=int(actual[i])
        )
        for i in np.flatnonzero(prep.i_law).tolist()
    )
    total_actual = int(actual.sum())
    n_active = int(stage.active.sum())
    mean = total_actual / n_active if n_active else 0.0
    fairness = FairnessReport(
        loads=loads,
        max_pair_probability=1.0 / denominator if assignments else 0.0,
        effective_probability_cap=1.0 / denominator,
        staffed_count=len(assignments),
        unstaffed_count=len(unstaffed),
        max_flow_bound=stage.bound,
        total_expected_load=float(expected.sum()),
        total_actual_load=total_actual,
        active_inspectors=n_active,
        spread_actual=float(actual[stage.active].max() / mean) if mean else 0.0,
        spread_expected=float(expected[stage.active].max() / mean) if mean else 0.0,
        spread_ideal=float(math.ceil(mean - 1e-9) / mean) if mean else 0.0,
    )
    return MatchResult(
        assignments=assignments,
        unstaffed=unstaffed,
        fairness=fairness,
        expert_shortfall=tuple(expert_shortfall),
        input_digests=digests,
        seed=seed,
    )
