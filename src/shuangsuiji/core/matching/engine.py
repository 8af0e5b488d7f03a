"""Randomised inspector matching: min-cost flow with a probability cap + Euler-split sampling.

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


def _prepare(inputs: MatchInputs) -> _Prepared:
    params = inputs.params
    targets = sorted(inputs.targets, key=lambda t: t.id)
    inspectors = sorted(inputs.inspectors, key=lambda i: i.id)
    regions = {t.region for t in targets} | {i.region for i in inspectors}
    regions |= {r for a in inputs.adjacency for r in (a.region_a, a.region_b) if r}
    region_names = sorted(regions)
    region_index = {r: k for k, r in enumerate(region_names)}
    neighbour_sets: list[set[int]] = [set() for _ in region_names]
    for row in inputs.adjacency:
        if row.region_a and row.region_b and row.region_a != row.region_b:
            a, b = region_index[row.region_a], region_index[row.region_b]
            neighbour_sets[a].add(b)
            neighbour_sets[b].add(a)
    specialty_names = sorted({s for t in targets for s in t.specialties} | {q for i in inspectors for q in i.qualifications})
    spec_index = {s: k for k, s in enumerate(specialty_names)}

    law = np.array([i.kind is InspectorKind.LAW_ENFORCEMENT for i in inspectors], dtype=bool)
    on_duty = np.array([i.status is InspectorStatus.ON_DUTY for i in inspectors], dtype=bool)
    i_mask = np.array([sum(1 << spec_index[q] for q in i.qualifications) for i in inspectors], dtype=np.int64)
    # Scarcity: how many 在岗 执法人员 hold each qualification (fewest first gets its members first).
    bits = (i_mask[:, None] >> np.arange(len(specialty_names), dtype=np.int64)[None, :]) & 1
    scarcity = (bits[law & on_duty]).sum(axis=0) if len(inspectors) else np.zeros(len(specialty_names))
    max_m = max((len(t.specialties) for t in targets), default=0)
    t_order = np.full((len(targets), max(max_m, 1)), -1, dtype=np.int64)
    for row, target in enumerate(targets):
        ordered = sorted(target.specialties, key=lambda s: (int(scarcity[spec_index[s]]), s))
        t_order[row, : len(ordered)] = [spec_index[s] for s in ordered]

    digest_targets = input_digests(MatchInputs(targets=tuple(targets), inspectors=()))["targets"]
    priority_keys = [hashlib.sha256(f"{digest_targets}\x00{t.id}".encode()).digest() for t in targets]
    priority = np.empty(len(targets), dtype=np.int64)
    priority[np.array(sorted(range(len(targets)), key=lambda k: priority_keys[k]), dtype=np.int64)] = np.arange(
        len(targets), dtype=np.int64
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
    for row in inputs.history:
        if params.previous_round and row.round != params.previous_round:
            continue
        if row.target_id in target_row and row.inspector_id in inspector_row:
            excluded.append(target_row[row.target_id] * n_insp + inspector_row[row.inspector_id])

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
            [i.licence_valid_from.toordinal() if i.licence_valid_from else NO_DATE for i in inspectors], dtype=np.int64
        ),
        i_lic_to=np.array(
            [i.licence_valid_to.toordinal() if i.licence_valid_to else NO_DATE for i in inspectors], dtype=np.int64
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
            sources = np.concatenate([by_region[n] for n in range(n_regions) if n not in allowed] or [pool_rows[:0]])
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
    staffed: BoolArray
    max_flow: int


def _solve(
    prep: _Prepared,
    t_pair: IntArray,
    i_pair: IntArray,
    g_pair: IntArray,
    cost_pair: IntArray,
    team: IntArray,  # members per target (0 = target not in this problem)
    coverage_m: IntArray,  # coverage groups per target
    inspector_units: IntArray,  # capacity in units per inspector
    denominator: int,
) -> _FlowOutcome:
    n_t, n_i = len(team), len(inspector_units)
    group_count = coverage_m + 1
    block = group_count + 2  # groups, X, T
    block_start = 2 + n_i + np.concatenate([[0], np.cumsum(block)[:-1]]).astype(np.int64)
    x_node = block_start + group_count
    t_node = x_node + 1
    solver = min_cost_flow.SimpleMinCostFlow()

    # source -> inspector, one arc per unit with rising cost: convex cost on the total workload.
    unit_owner = np.repeat(np.arange(n_i, dtype=np.int64), inspector_units)
    unit_rank = np.arange(len(unit_owner), dtype=np.int64) - np.repeat(
        np.concatenate([[0], np.cumsum(inspector_units)[:-1]]).astype(np.int64), inspector_units
    )
    solver.add_arcs_with_capacity_and_unit_cost(
        np.zeros(len(unit_owner), dtype=np.int64),
        2 + unit_owner,
        np.ones(len(unit_owner), dtype=np.int64),
        prep.i_existing[unit_owner] * denominator + unit_rank,
    )
    pair_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        2 + i_pair, block_start[t_pair] + g_pair, np.ones(len(t_pair), dtype=np.int64), cost_pair
    )
    # group -> target (required D units per coverage group) and group -> X (the free part of the team).
    rows = np.flatnonzero(team > 0).astype(np.int64)
    cov_t = np.repeat(rows, coverage_m[rows])
    cov_g = np.arange(len(cov_t), dtype=np.int64) - np.repeat(
        np.concatenate([[0], np.cumsum(coverage_m[rows])[:-1]]).astype(np.int64), coverage_m[rows]
    )
    free_units = (team - coverage_m) * denominator
    zeros_cov = np.zeros(len(cov_t), dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        block_start[cov_t] + cov_g, t_node[cov_t], np.full(len(cov_t), denominator, dtype=np.int64), zeros_cov
    )
    solver.add_arcs_with_capacity_and_unit_cost(
        block_start[cov_t] + cov_g, x_node[cov_t], free_units[cov_t], zeros_cov
    )
    zeros_rows = np.zeros(len(rows), dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        block_start[rows] + coverage_m[rows], x_node[rows], free_units[rows], zeros_rows
    )
    solver.add_arcs_with_capacity_and_unit_cost(x_node[rows], t_node[rows], free_units[rows], zeros_rows)
    sink_arcs = solver.add_arcs_with_capacity_and_unit_cost(
        t_node[rows], np.ones(len(rows), dtype=np.int64), team[rows] * denominator, prep.t_priority[rows] * PRIORITY_WEIGHT
    )
    need = team[rows] * denominator
    # Max flow with min cost needs the supplies: offer all units at the source, demand all at the sink.
    supply = int(min(need.sum(), inspector_units.sum()))
    solver.set_node_supply(0, supply)
    solver.set_node_supply(1, -supply)
    closed = np.zeros(len(rows), dtype=bool)
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
        closed |= partial  # close partially staffed targets and re-solve
        solver.set_arc_capacities(sink_arcs[partial], np.zeros(int(partial.sum()), dtype=np.int64))
    delivered = np.asarray(solver.flows(sink_arcs), dtype=np.int64)
    staffed = np.zeros(n_t, dtype=bool)
    staffed[rows[delivered == need]] = True
    pair_flow = np.asarray(solver.flows(pair_arcs), dtype=np.int64)
    return _FlowOutcome(pair_used=(pair_flow > 0) & staffed[t_pair], staffed=staffed, max_flow=max_flow)


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
    t_pair: IntArray
    i_pair: IntArray
    g_pair: IntArray
    basis_pair: IntArray  # index into BASES
    outcome: _FlowOutcome


BASES = (Basis.SAME_REGION, Basis.ADJACENT_REGION, Basis.DIRECT_ASSIGNMENT)
BASIS_COST = np.array([0, ADJACENT_PENALTY, DIRECT_PENALTY], dtype=np.int64)


def _staged_flow(
    prep: _Prepared,
    pool: BoolArray,
    team: IntArray,
    coverage_m: IntArray,
    inspector_units: IntArray,
    denominator: int,
    experts: bool,
) -> _Stage:
    tiers = [Basis.SAME_REGION]
    if prep.inputs.params.fallback in (FallbackPolicy.ADJACENT, FallbackPolicy.DIRECT):
        tiers.append(Basis.ADJACENT_REGION)
    if prep.inputs.params.fallback is FallbackPolicy.DIRECT:
        tiers.append(Basis.DIRECT_ASSIGNMENT)
    parts_t: list[IntArray] = []
    parts_i: list[IntArray] = []
    parts_b: list[IntArray] = []
    todo = np.flatnonzero(team > 0).astype(np.int64)
    stage: _Stage | None = None
    for tier in tiers:
        if stage is not None:
            todo = todo[~stage.outcome.staffed[todo]]
            if len(todo) == 0:
                break
        t_new, i_new = _candidate_pairs(prep, todo, pool, tier, experts)
        if stage is not None and len(t_new) == 0:
            continue
        parts_t.append(t_new)
        parts_i.append(i_new)
        parts_b.append(np.full(len(t_new), BASES.index(tier), dtype=np.int64))
        t_pair, i_pair, b_pair = np.concatenate(parts_t), np.concatenate(parts_i), np.concatenate(parts_b)
        # Canonical arc order (target, inspector) so the solver sees the same network for any input order.
        order = np.lexsort((i_pair, t_pair))
        t_pair, i_pair, b_pair = t_pair[order], i_pair[order], b_pair[order]
        g_pair = _group_of_pairs(prep, t_pair, i_pair, coverage=not experts)
        outcome = _solve(
            prep, t_pair, i_pair, g_pair, BASIS_COST[b_pair], team, coverage_m, inspector_units, denominator
        )
        stage = _Stage(t_pair, i_pair, g_pair, b_pair, outcome)
    assert stage is not None
    return stage


def _max_flow_bound(stage: _Stage, team: IntArray, coverage_m: IntArray, denominator: int) -> int:
    """Upper bound on fully staffed targets from the max-flow value and per-target feasibility."""
    n_t = len(team)
    group_count = coverage_m + 1
    offsets = np.concatenate([[0], np.cumsum(group_count)]).astype(np.int64)
    counts = np.bincount(offsets[stage.t_pair] + stage.g_pair, minlength=int(offsets[-1]))
    feasible = team > 0
    extra = np.zeros(n_t, dtype=np.int64)
    for t in np.flatnonzero(feasible).tolist():
        groups = counts[offsets[t] : offsets[t + 1]]
        coverage = groups[:-1]
        if (coverage < denominator).any():
            feasible[t] = False
            continue
        extra[t] = int((coverage - denominator).sum() + groups[-1])
    feasible &= extra >= (team - coverage_m) * denominator
    need = np.sort(team[feasible] * denominator)
    by_flow = int(np.searchsorted(np.cumsum(need), stage.outcome.max_flow, side="right"))
    return min(by_flow, int(feasible.sum()))


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
    mine = stage.t_pair == row
    if mine.sum() < team * denominator:
        return f"可用执法人员仅{int(mine.sum())}人，{cap_text}要求至少{team * denominator}人"
    groups = np.bincount(stage.g_pair[mine], minlength=int(prep.t_m[row]) + 1)
    for column, spec in enumerate(prep.t_order[row].tolist()):
        if spec >= 0 and groups[column] < denominator:
            return (
                f"按专业分工后负责『{prep.specialty_names[spec]}』的可用执法人员仅{int(groups[column])}人，"
                f"{cap_text}要求至少{denominator}人"
            )
    return "工作量上限已满：候选执法人员的剩余工作量已用于其他检查对象（受最大流上界限制）"


def _sample(
    stage: _Stage, team: IntArray, coverage_m: IntArray, n_inspectors: int, denominator: int, rng: np.random.Generator
) -> IntArray:
    """Indices of the pairs selected by Euler-split rounding of the flow."""
    used = np.flatnonzero(stage.outcome.pair_used).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(coverage_m + 1)]).astype(np.int64)
    group_target = np.repeat(np.arange(len(team), dtype=np.int64), coverage_m + 1)
    edge_group = offsets[stage.t_pair[used]] + stage.g_pair[used]
    rounds = int(math.log2(denominator))
    kept = _split_rounds(stage.i_pair[used], edge_group, group_target, n_inspectors, rounds, rng)
    return used[kept]


def match(inputs: MatchInputs, randomness: Sequence[str]) -> MatchResult:
    """Match inspectors to targets. Same inputs and randomness give the same result in any input order."""
    validate_inputs(inputs)
    digests = input_digests(inputs)
    rng = np.random.Generator(np.random.PCG64(int(derive_seed(randomness, digests), 16)))
    prep = _prepare(inputs)
    params = inputs.params
    denominator = effective_denominator(params.probability_cap)
    n_t, n_i = len(prep.target_ids), len(prep.inspector_ids)

    team = np.maximum(params.team_size, prep.t_m)
    law_pool = prep.i_law & prep.i_on_duty & (prep.i_remaining > 0)
    units = np.where(law_pool, prep.i_remaining * denominator, 0).astype(np.int64)
    stage = _staged_flow(prep, law_pool, team, prep.t_m, units, denominator, experts=False)
    chosen = _sample(stage, team, prep.t_m, n_i, denominator, rng)

    members: dict[int, list[TeamMember]] = {}
    actual = np.zeros(n_i, dtype=np.int64)
    for k in chosen.tolist():
        t_row, i_row, group = int(stage.t_pair[k]), int(stage.i_pair[k]), int(stage.g_pair[k])
        spec = int(prep.t_order[t_row, group]) if group < prep.t_m[t_row] else -1
        members.setdefault(t_row, []).append(
            TeamMember(
                inspector_id=prep.inspector_ids[i_row],
                kind=prep.i_kind[i_row],
                covers=(prep.specialty_names[spec],) if spec >= 0 else (),
                basis=BASES[int(stage.basis_pair[k])],
                probability=1.0 / denominator,
            )
        )
        actual[i_row] += 1

    expert_members: dict[int, list[TeamMember]] = {}
    expert_shortfall: list[str] = []
    staffed_rows = np.flatnonzero(stage.outcome.staffed)
    if params.add_experts and len(staffed_rows):
        expert_pool = prep.i_expert & prep.i_on_duty & (prep.i_remaining > 0)
        expert_team = np.zeros(n_t, dtype=np.int64)
        expert_team[staffed_rows] = 1
        expert_units = np.where(expert_pool, prep.i_remaining * denominator, 0).astype(np.int64)
        no_coverage = np.zeros(n_t, dtype=np.int64)
        expert_stage = _staged_flow(prep, expert_pool, expert_team, no_coverage, expert_units, denominator, experts=True)
        for k in _sample(expert_stage, expert_team, no_coverage, n_i, denominator, rng).tolist():
            t_row, i_row = int(expert_stage.t_pair[k]), int(expert_stage.i_pair[k])
            expert_members.setdefault(t_row, []).append(
                TeamMember(
                    inspector_id=prep.inspector_ids[i_row],
                    kind=prep.i_kind[i_row],
                    covers=(),
                    basis=BASES[int(expert_stage.basis_pair[k])],
                    probability=1.0 / denominator,
                )
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
        for t in np.flatnonzero(~stage.outcome.staffed).tolist()
    )

    expected = np.bincount(stage.i_pair[stage.outcome.pair_used], minlength=n_i) / denominator
    active = np.zeros(n_i, dtype=bool)
    active[np.unique(stage.i_pair)] = True
    loads = tuple(
        InspectorLoad(inspector_id=prep.inspector_ids[i], expected_load=float(expected[i]), actual_load=int(actual[i]))
        for i in np.flatnonzero(prep.i_law).tolist()
    )
    total_actual = int(actual.sum())
    n_active = int(active.sum())
    mean = total_actual / n_active if n_active else 0.0
    fairness = FairnessReport(
        loads=loads,
        max_pair_probability=1.0 / denominator if assignments else 0.0,
        effective_probability_cap=1.0 / denominator,
        staffed_count=len(assignments),
        unstaffed_count=len(unstaffed),
        max_flow_bound=_max_flow_bound(stage, team, prep.t_m, denominator),
        total_expected_load=float(expected.sum()),
        total_actual_load=total_actual,
        active_inspectors=n_active,
        spread_actual=float(actual[active].max() / mean) if mean else 0.0,
        spread_expected=float(expected[active].max() / mean) if mean else 0.0,
        spread_ideal=float(math.ceil(mean - 1e-9) / mean) if mean else 0.0,
    )
    return MatchResult(
        assignments=assignments, unstaffed=unstaffed, fairness=fairness, expert_shortfall=tuple(expert_shortfall)
    )
