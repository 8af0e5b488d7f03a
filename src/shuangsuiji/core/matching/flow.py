"""The staffing flow of version 2.2: which targets can be staffed, from which region tier.

Same as versions 1.0-2.1 (`engine_v1._staged_flow`, frozen) except for speed: a same-region problem is
first solved as a plain max flow (ortools SimpleMaxFlow, much faster than the min-cost flow); when it
staffs every target of the region that is the answer, since the min-cost flow (max flow first) would then
staff all of them too. Only when a region is short of capacity does the min-cost flow decide which targets
to staff (by priority) as before. The flow solution itself is only a fallback of the probabilities
(`fractional.py` mixes it in where the scaling cannot be made exact).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from shuangsuiji.core.matching.engine_v1 import (
    BASIS_COST,
    NO_DATE,
    _cross,
    _FlowOutcome,
    _group_of_pairs,
    _max_flow_bound,
    _offsets,
    _Prepared,
    _region_members,
    _solve,
    _Stage,
)
from shuangsuiji.core.matching.model import Basis, FallbackPolicy

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def candidate_pairs(
    prep: _Prepared,
    target_rows: IntArray,
    inspector_pool: BoolArray,
    tier: Basis,
    experts: bool,
) -> tuple[IntArray, IntArray]:
    """All eligible (target, inspector) pairs of one region tier for the given targets.

    The same pairs in the same order as `engine_v1._candidate_pairs`; faster: the 回避 / previous-round
    exclusions are looked up (binary search in the sorted keys) only for pairs that pass the other rules.
    """
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
        if experts:
            keep = (prep.i_mask[i_pair] & prep.t_mask[t_pair]) != 0
        else:
            keep = (prep.i_lic_from[i_pair] != NO_DATE) & (prep.i_lic_from[i_pair] <= prep.t_start[t_pair])
            keep &= prep.i_lic_to[i_pair] >= prep.t_end[t_pair]
        t_parts.append(t_pair[keep])
        i_parts.append(i_pair[keep])
    if not t_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    t_pair = np.concatenate(t_parts)
    i_pair = np.concatenate(i_parts)
    excluded = prep.excluded_keys  # sorted, unique
    if len(excluded):
        keys = t_pair * len(prep.inspector_ids) + i_pair
        at = np.minimum(np.searchsorted(excluded, keys), len(excluded) - 1)
        keep = excluded[at] != keys
        t_pair, i_pair = t_pair[keep], i_pair[keep]
    return t_pair, i_pair


def _solve_max_flow_first(
    t_pair: IntArray,
    i_pair: IntArray,
    g_pair: IntArray,
    cost_pair: IntArray,
    team: IntArray,
    coverage_m: IntArray,
    priority: IntArray,
    inspector_units: IntArray,
    load_offset: IntArray,
    denominator: int,
) -> _FlowOutcome:
    """A plain max flow on the network of `engine_v1._solve`; the min-cost flow when not all are staffed.

    The pairs come sorted by target (rows and local numbers as np.unique would give them)."""
    if len(t_pair) == 0:
        return _FlowOutcome(np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64), 0)
    new_row = np.r_[True, t_pair[1:] != t_pair[:-1]]
    rows = t_pair[new_row].astype(np.int64)
    t_local = (np.cumsum(new_row) - 1).astype(np.int64)
    present = np.zeros(len(inspector_units), dtype=bool)
    present[i_pair] = True
    inspectors = np.flatnonzero(present).astype(np.int64)
    i_local = (np.cumsum(present) - 1)[i_pair].astype(np.int64)
    m = coverage_m[rows]
    block = np.where(m <= 1, m + 1, m + 3).astype(np.int64)
    block_start = 2 + len(inspectors) + _offsets(block)
    t_node = np.where(m <= 1, block_start, block_start + m + 2)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.zeros(len(inspectors), dtype=np.int64),
        2 + np.arange(len(inspectors), dtype=np.int64),
        inspector_units[inspectors],
    )
    pair_arcs = solver.add_arcs_with_capacity(
        2 + i_local, block_start[t_local] + g_pair, np.ones(len(t_pair), dtype=np.int64)
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
    if status == solver.OPTIMAL and solver.optimal_flow() == int(need.sum()):
        pair_flow = np.asarray(solver.flows(pair_arcs), dtype=np.int64)
        return _FlowOutcome(pair_used=pair_flow > 0, staffed=rows, max_flow=int(need.sum()))
    return _solve(
        t_pair, i_pair, g_pair, cost_pair, team, coverage_m, priority, inspector_units, load_offset,
        denominator,
    )  # fmt: skip


def staged_flow(
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

    Version 2.2: as in 1.0-2.1 (`engine_v1._staged_flow`), except that a same-region problem is first
    solved as a plain max flow: when that staffs every target of the region, its flow is taken (the
    staffed targets are then the same as with the min-cost flow: all of them); otherwise the min-cost flow
    decides as before.
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
        new_t, new_i = candidate_pairs(prep, todo, pool & (units_left > 0), tier, experts)
        if level > 0 and len(new_t) == 0:
            continue  # no new candidates: the previous stage's outcome and bound stand
        parts_t, parts_i, parts_b = [new_t], [new_i], [np.full(len(new_t), level, dtype=np.int64)]
        for earlier in range(level):
            t_e, i_e = candidate_pairs(prep, todo, pool & (units_left > 0), tiers[earlier], experts)
            parts_t.append(t_e)
            parts_i.append(i_e)
            parts_b.append(np.full(len(t_e), earlier, dtype=np.int64))
        t_pair, i_pair, b_pair = np.concatenate(parts_t), np.concatenate(parts_i), np.concatenate(parts_b)
        # Canonical arc order (target, inspector): the same network whatever the input order.
        order = np.argsort(t_pair * n_i + i_pair)  # unique keys: the same order as lexsort((i, t))
        t_pair, i_pair, b_pair = t_pair[order], i_pair[order], b_pair[order]
        g_pair = _group_of_pairs(prep, t_pair, i_pair, coverage=not experts)
        active[i_pair] = True
        candidates_t, candidates_g = t_pair, g_pair
        if tier is Basis.SAME_REGION:  # independent per region
            region_of_pair = prep.t_region[t_pair].astype(np.int16)  # stable radix sort: (t, i) kept
            by_region = np.argsort(region_of_pair, kind="stable").astype(np.int64)
            bounds = np.searchsorted(region_of_pair[by_region], np.arange(len(prep.region_names) + 1))
            problems = [
                by_region[bounds[r] : bounds[r + 1]]
                for r in range(len(prep.region_names))
                if bounds[r + 1] > bounds[r]
            ]
        else:
            problems = [np.arange(len(t_pair), dtype=np.int64)]
        bound = int(staffed.sum())
        for sel in problems:
            solve = _solve_max_flow_first if tier is Basis.SAME_REGION else _solve
            outcome = solve(
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
