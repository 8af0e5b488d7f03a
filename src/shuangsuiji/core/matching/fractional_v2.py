"""Frozen for algorithm versions 2.0 and 2.1 (see engine_v2.py): do not change its behaviour.

The most even fractional assignment the rules allow, on an exact integer grid.

Constraints per staffed target t (team n_t): the pair probabilities x(i, t) sum to n_t; each 专业 group of t
(its candidates responsible for that 专业, see engine.py) sums to at least 1; per inspector i the sum over
targets is at most his remaining workload c_i; every x(i, t) is at most the probability cap.

1. **Iterative scaling (Sinkhorn / Bregman projections).** x(i, t) = min(cap, a_t * b_i * h_g) starts
   uniform over the candidates of t; each iteration scales rows to n_t (water-filling for the cap), raises
   专业 groups below 1 (h_g >= 1) and lowers inspectors above c_i (b_i <= 1). Where nothing binds this is
   exactly the uniform share n_t / E_t; otherwise it is the maximum-entropy solution the iterations reach.
   A fixed number of iterations with only +, -, *, / and sequential sums (numpy.bincount): bit-identical
   floats on every machine with the pinned numpy.
2. **Grid.** The floats are rounded to multiples of 2**-20 by largest remainder per target (row sums exact,
   every value at most the cap on that grid).
3. **Exact feasibility.** Any 专业 group still below 1 or inspector above c_i is repaired by mixing, per
   connected component, the min-cost-flow solution in (which satisfies everything exactly): with weight
   a / 2**10, the smallest a that makes every constraint of the component hold. Usually a = 0.

The result is an integer per pair in units of 2**-30 of a person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

GRID_BITS = 20
MIX_BITS = 10
GRID = 1 << GRID_BITS
MIX = 1 << MIX_BITS
UNIT = GRID * MIX  # one person
ITERATIONS = 15  # version 2.0: a fixed count
# Version 2.1: as many iterations as about 4e7 pair updates allow (at least 15, at most 400), stopping
# early once no multiplier moves by more than 1e-9 (relative): tight workloads converge slowly.
WORK_BUDGET = 40_000_000
MAX_ITERATIONS = 400
TOLERANCE = 1e-9


def iteration_budget(n_pairs: int) -> int:
    return max(ITERATIONS, min(MAX_ITERATIONS, WORK_BUDGET // max(n_pairs, 1)))


ROW_PASSES = 4


@dataclass
class Fractional:
    value: IntArray  # per pair, in units of 1 / UNIT
    mixed_share: float  # largest weight of the flow solution in any component (0 = pure even solution)


def grid_cap(probability_cap: float) -> int:
    """The cap on the grid: floor(cap * 2**20) (a probability is never above the parameter)."""
    return int(np.floor(probability_cap * GRID + 1e-9))


def _row_scale(base: FloatArray, pair_t: IntArray, need: FloatArray, cap: float, n_rows: int) -> FloatArray:
    """Per row the a with sum(min(cap, a * base)) = need (water-filling; a few passes suffice)."""
    total = np.bincount(pair_t, base, minlength=n_rows)
    scale = np.divide(need, total, out=np.zeros(n_rows), where=total > 0)
    for _ in range(ROW_PASSES):
        clipped = scale[pair_t] * base >= cap
        if not clipped.any():
            break
        count = np.bincount(pair_t[clipped], minlength=n_rows).astype(np.float64)
        rest = np.bincount(pair_t, np.where(clipped, 0.0, base), minlength=n_rows)
        scale = np.divide(need - cap * count, rest, out=scale.copy(), where=rest > 0)
    return scale


def _largest_remainder(
    x: FloatArray, pair_t: IntArray, need_units: IntArray, cap_units: int, n_rows: int
) -> tuple[IntArray, BoolArray]:
    """Integers on the grid with exact row sums and values <= cap; rows where that fails are flagged."""
    scaled = x * GRID
    value = np.minimum(np.floor(scaled), cap_units).astype(np.int64)
    frac = scaled - value
    missing = need_units - np.bincount(pair_t, value, minlength=n_rows).astype(np.int64)
    # Large deviations (more units than pairs) first in proportion to the room of each pair.
    degree = np.bincount(pair_t, minlength=n_rows).astype(np.int64)
    large = np.abs(missing) >= degree
    if large[pair_t].any():
        room = np.where(missing[pair_t] > 0, cap_units - value, value)
        room_total = np.bincount(pair_t, room, minlength=n_rows).astype(np.int64)
        share = np.abs(missing[pair_t]) * room // np.maximum(room_total[pair_t], 1)
        share = np.where(large[pair_t], np.minimum(share, room), 0)
        value = value + np.sign(missing[pair_t]) * share
        missing = need_units - np.bincount(pair_t, value, minlength=n_rows).astype(np.int64)
    # Rows short of units: +1 to the largest remainders that are below the cap.
    # (lexsort is stable: ties keep the pair order, i.e. the index.)
    if (missing > 0).any():
        can_up = value < cap_units
        order = np.lexsort((-np.where(can_up, frac, -1.0), pair_t))
        rank = np.arange(len(order)) - np.searchsorted(pair_t[order], pair_t[order], side="left")
        add = (rank < missing[pair_t[order]]) & can_up[order]
        value[order[add]] += 1
    # Rows with too many units (float excess): -1 on the smallest remainders above zero.
    if (missing < 0).any():
        can_down = value > 0
        order = np.lexsort((np.where(can_down, frac, 2.0), pair_t))
        rank = np.arange(len(order)) - np.searchsorted(pair_t[order], pair_t[order], side="left")
        remove = (rank < -missing[pair_t[order]]) & can_down[order]
        value[order[remove]] -= 1
    bad = np.bincount(pair_t, value, minlength=n_rows).astype(np.int64) != need_units
    return value, bad


def _repair_loads(
    value: IntArray,
    pair_t: IntArray,
    pair_i: IntArray,
    pair_gid: IntArray,
    group_target: IntArray,
    coverage_group: BoolArray,
    cap_units: int,
    limit: IntArray,
    n_rows: int,
) -> IntArray:
    """Move grid units off overloaded inspectors and into 专业 groups below 1 (exact, by max flow).

    A unit leaves an overloaded inspector's pair, passes through its 专业 group (a 专业 group may only
    lose what it has above 1, net) and the target, and enters a pair of an inspector with room, possibly
    through chains. A 专业 group short by d must receive d units net from its target's other groups
    (a forced flow target -> group, as source -> group and target -> sink arcs). The min-cost-flow
    solution of the caller satisfies everything, so a full repair always exists.
    """
    n_i, n_g = len(limit), len(coverage_group)
    load = np.bincount(pair_i, value, minlength=n_i).astype(np.int64)
    excess = np.maximum(load - limit, 0)
    slack = np.maximum(limit - load, 0)
    group_sum = np.bincount(pair_gid, value, minlength=n_g).astype(np.int64)
    big = int(value.sum()) + 1
    surplus = np.where(coverage_group, np.maximum(group_sum - GRID, 0), big)
    staffed = np.bincount(pair_t, minlength=n_rows) > 0
    deficit = np.where(coverage_group & staffed[group_target], np.maximum(GRID - group_sum, 0), 0)
    # A circulation with lower bounds (an overloaded inspector must shed its excess, a short group must
    # gain its deficit), checked as a max flow: source and sink carry the lower bounds, the hub collects
    # what inspectors with room take and passes exactly the total excess on to the sink; from the hub any
    # inspector may give a unit away (a load going down is always allowed).
    source, sink, hub, first_i = 0, 1, 2, 3
    first_g = first_i + n_i
    first_t = first_g + n_g
    solver = max_flow.SimpleMaxFlow()
    over = np.flatnonzero(excess > 0)
    room = np.flatnonzero(slack > 0)
    solver.add_arcs_with_capacity(np.zeros(len(over), dtype=np.int64), first_i + over, excess[over])
    solver.add_arcs_with_capacity(first_i + room, np.full(len(room), hub, dtype=np.int64), slack[room])
    solver.add_arc_with_capacity(hub, sink, int(excess.sum()))
    everyone = np.arange(n_i, dtype=np.int64)  # any load may go down
    solver.add_arcs_with_capacity(
        np.full(n_i, hub, dtype=np.int64), first_i + everyone, np.full(n_i, big, dtype=np.int64)
    )
    reduce = solver.add_arcs_with_capacity(first_i + pair_i, first_g + pair_gid, value)
    increase = solver.add_arcs_with_capacity(first_g + pair_gid, first_i + pair_i, cap_units - value)
    groups = np.arange(n_g, dtype=np.int64)
    solver.add_arcs_with_capacity(first_g + groups, first_t + group_target, surplus)
    solver.add_arcs_with_capacity(first_t + group_target, first_g + groups, np.full(n_g, big, dtype=np.int64))
    short = np.flatnonzero(deficit > 0)
    solver.add_arcs_with_capacity(np.zeros(len(short), dtype=np.int64), first_g + short, deficit[short])
    solver.add_arcs_with_capacity(
        first_t + group_target[short], np.ones(len(short), dtype=np.int64), deficit[short]
    )
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL or solver.optimal_flow() != int(excess.sum() + deficit.sum()):
        raise RuntimeError("工作量修正失败：最大流不足")  # impossible while the flow solution is feasible
    flows = np.asarray(solver.flows(np.concatenate([reduce, increase])), dtype=np.int64)
    return value - flows[: len(value)] + flows[len(value) :]


def even_assignment(
    pair_t: IntArray,
    pair_i: IntArray,
    pair_gid: IntArray,
    coverage_group: BoolArray,  # per group id: a 专业 group (needs >= 1)
    group_target: IntArray,  # per group id: its target row
    team: IntArray,  # per target row
    capacity: IntArray,  # remaining workload per inspector row
    probability_cap: float,
    flow_value: IntArray,  # per pair: units of 1 / flow_denominator in the min-cost-flow solution
    flow_denominator: int,
    iterations: int = ITERATIONS,
    tolerance: float = 0.0,
) -> Fractional:
    n_rows, n_i, n_g = len(team), len(capacity), len(coverage_group)
    if len(pair_t) == 0:
        return Fractional(np.zeros(0, dtype=np.int64), 0.0)
    cap_units = grid_cap(probability_cap)
    cap = cap_units / GRID
    need = team.astype(np.float64)
    degree = np.bincount(pair_i, minlength=n_i).astype(np.float64)
    # Margins for the grid rounding of step 2 (at most one unit per pair moves up or down).
    column_cap = capacity.astype(np.float64) - (degree + 2.0) / GRID
    group_need = 1.0 + (np.bincount(pair_gid, minlength=n_g) + 2.0) / GRID
    rows = np.bincount(pair_t, minlength=n_rows) > 0
    b = np.ones(n_i)
    h = np.ones(n_g)
    x = np.zeros(len(pair_t))
    for _ in range(iterations):
        b_before, h_before = b, h
        base = b[pair_i] * h[pair_gid]
        x = np.minimum(cap, _row_scale(base, pair_t, need, cap, n_rows)[pair_t] * base)
        group_sum = np.bincount(pair_gid, x, minlength=n_g)
        h = np.where(
            coverage_group & (group_sum > 0),
            np.maximum(1.0, np.divide(h * group_need, group_sum, out=h.copy(), where=group_sum > 0)),
            1.0,
        )
        base = b[pair_i] * h[pair_gid]
        x = np.minimum(cap, _row_scale(base, pair_t, need, cap, n_rows)[pair_t] * base)
        load = np.bincount(pair_i, x, minlength=n_i)
        b = np.minimum(1.0, np.divide(b * column_cap, load, out=b.copy(), where=load > 0))
        if tolerance > 0:
            moved = max(
                float(np.max(np.abs(b - b_before) / b_before, initial=0.0)),
                float(np.max(np.abs(h - h_before) / h_before, initial=0.0)),
            )
            if moved <= tolerance:
                break
    base = b[pair_i] * h[pair_gid]
    x = np.minimum(cap, _row_scale(base, pair_t, need, cap, n_rows)[pair_t] * base)
    need_units = team.astype(np.int64) * GRID
    need_units[~rows] = 0
    even, bad_rows = _largest_remainder(x, pair_t, need_units, cap_units, n_rows)
    flow = flow_value.astype(np.int64) * (GRID // flow_denominator)

    graph = coo_matrix(
        (np.ones(len(pair_t), dtype=np.int8), (pair_i, n_i + pair_t)), shape=(n_i + n_rows, n_i + n_rows)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    weight = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    bad = np.flatnonzero(bad_rows & rows)
    if len(bad):
        weight[labels[n_i + bad]] = MIX
    limit = capacity.astype(np.int64) * GRID
    group_even = np.bincount(pair_gid, even, minlength=n_g).astype(np.int64)
    over = (np.bincount(pair_i, even, minlength=n_i) > limit).any()
    if over or (coverage_group & (group_even < GRID) & (group_even > 0)).any():
        # Repair within the components that are fine otherwise (the others take the flow solution).
        usable = weight[labels[n_i + pair_t]] == 0
        repaired = _repair_loads(
            even[usable], pair_t[usable], pair_i[usable], pair_gid[usable], group_target,
            coverage_group, cap_units, limit, n_rows,
        )  # fmt: skip
        even = even.copy()
        even[usable] = repaired
    weight = np.minimum(weight, MIX)
    mix = weight[labels[n_i + pair_t]]
    value = (MIX - mix) * even + mix * flow
    return Fractional(value, float(weight.max()) / MIX)
