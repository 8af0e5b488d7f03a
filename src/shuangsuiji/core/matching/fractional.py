"""The most even fractional assignment the rules allow, on an exact integer grid (version 2.2).

2.0/2.1: `fractional_v2.py` (frozen). 2.2 computes the same kind of solution faster: the scaling iterations
and the grid rounding run compiled (numba) over the pairs sorted by target, one pass per step with sums in
pair order (the same floats on every machine with the pinned numba/llvmlite: no fast-math, no parallel
sums); the inspector caps are the engine's *balanced* caps (remaining workload, at most the balance level),
so that expected loads are even where eligibility allows. The description below is otherwise unchanged.

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

import numba
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
# Scaling iterations: stop once no multiplier moves by more than TOLERANCE (relative), or after as many
# iterations as about 4e7 pair updates allow (at least 20, at most 400); what the iterations leave (loads
# a little above a cap, 专业 groups a little below 1) is repaired exactly by the max flow of step 3.
WORK_BUDGET = 40_000_000
MIN_ITERATIONS = 20
MAX_ITERATIONS = 400
TOLERANCE = 1e-6


def iteration_budget(n_pairs: int) -> int:
    return max(MIN_ITERATIONS, min(MAX_ITERATIONS, WORK_BUDGET // max(n_pairs, 1)))


ROW_PASSES = 4


@dataclass
class Fractional:
    value: IntArray  # per pair, in units of 1 / UNIT
    mixed_share: float  # largest weight of the flow solution in any component (0 = pure even solution)


def grid_cap(probability_cap: float) -> int:
    """The cap on the grid: floor(cap * 2**20) (a probability is never above the parameter)."""
    return int(np.floor(probability_cap * GRID + 1e-9))


@numba.njit(cache=True, nogil=True)
def _scale_rows(
    row_start: IntArray,
    pair_i: IntArray,
    pair_gid: IntArray,
    b: FloatArray,
    h: FloatArray,
    need: FloatArray,
    cap: float,
    x: FloatArray,
    acc: FloatArray,
    by_inspector: bool,
    b_row: FloatArray,
    h_row: FloatArray,
) -> None:  # pragma: no cover - compiled
    """x = min(cap, a_t * b_i * h_g) with a_t per row such that the row sums to need_t (water-filling);
    adds every x to acc (per inspector or per group) in pair order. One pass over the pairs: a row's
    multipliers are read once into b_row / h_row (the same floats, the same order of operations)."""
    for t in range(len(row_start) - 1):
        lo, hi = row_start[t], row_start[t + 1]
        if lo == hi:
            continue
        total = 0.0
        for k in range(lo, hi):
            bk = b[pair_i[k]]
            hk = h[pair_gid[k]]
            b_row[k - lo] = bk
            h_row[k - lo] = hk
            total += bk * hk
        scale = need[t] / total if total > 0 else 0.0
        for _ in range(ROW_PASSES):
            clipped = 0
            rest = 0.0
            for r in range(hi - lo):
                base = b_row[r] * h_row[r]
                if scale * base >= cap:
                    clipped += 1
                else:
                    rest += base
            if clipped == 0:
                break
            if rest > 0:
                scale = (need[t] - cap * clipped) / rest
        for k in range(lo, hi):
            v = min(cap, scale * b_row[k - lo] * h_row[k - lo])
            x[k] = v
            if by_inspector:
                acc[pair_i[k]] += v
            else:
                acc[pair_gid[k]] += v


@numba.njit(cache=True, nogil=True)
def _scale(
    row_start: IntArray,
    pair_i: IntArray,
    pair_gid: IntArray,
    coverage_group: BoolArray,
    need: FloatArray,
    cap: float,
    column_cap: FloatArray,
    group_need: FloatArray,
    iterations: int,
    tolerance: float,
) -> tuple[FloatArray, int]:  # pragma: no cover - compiled
    """Iterative scaling (rows to need, 专业 groups up to group_need, inspectors down to column_cap)."""
    n_i, n_g, n_p = len(column_cap), len(group_need), len(pair_i)
    b = np.ones(n_i)
    h = np.ones(n_g)
    x = np.zeros(n_p)
    group_sum = np.zeros(n_g)
    load = np.zeros(n_i)
    widest = 0
    for t in range(len(row_start) - 1):
        widest = max(widest, row_start[t + 1] - row_start[t])
    b_row = np.zeros(widest)
    h_row = np.zeros(widest)
    done = 0
    for it in range(iterations):
        done = it + 1
        moved = 0.0
        group_sum[:] = 0.0
        _scale_rows(row_start, pair_i, pair_gid, b, h, need, cap, x, group_sum, False, b_row, h_row)
        for g in range(n_g):
            new = (
                max(1.0, h[g] * group_need[g] / group_sum[g])
                if coverage_group[g] and group_sum[g] > 0
                else 1.0
            )
            moved = max(moved, abs(new - h[g]) / h[g])
            h[g] = new
        load[:] = 0.0
        _scale_rows(row_start, pair_i, pair_gid, b, h, need, cap, x, load, True, b_row, h_row)
        for i in range(n_i):
            new = min(1.0, b[i] * column_cap[i] / load[i]) if load[i] > 0 else b[i]
            moved = max(moved, abs(new - b[i]) / b[i])
            b[i] = new
        if moved <= tolerance:
            break
    _scale_rows(row_start, pair_i, pair_gid, b, h, need, cap, x, load, True, b_row, h_row)
    return x, done


@numba.njit(cache=True, nogil=True)
def _grid_rows(
    row_start: IntArray, x: FloatArray, need_units: IntArray, cap_units: int, grid: int
) -> tuple[IntArray, BoolArray]:  # pragma: no cover - compiled
    """Integers on the grid with exact row sums and values <= cap (largest remainder per row, ties by pair
    order); rows where that fails are flagged."""
    n_rows = len(row_start) - 1
    value = np.zeros(len(x), dtype=np.int64)
    frac = np.zeros(len(x))
    bad = np.zeros(n_rows, dtype=np.bool_)
    for t in range(n_rows):
        lo, hi = row_start[t], row_start[t + 1]
        if lo == hi:
            bad[t] = need_units[t] != 0
            continue
        total = 0
        for k in range(lo, hi):
            scaled = x[k] * grid
            v = min(np.floor(scaled), cap_units)
            value[k] = np.int64(v)
            frac[k] = scaled - v
            total += value[k]
        missing = need_units[t] - total
        degree = hi - lo
        if abs(missing) >= degree:  # large deviations: in proportion to the room of each pair
            room_total = 0
            for k in range(lo, hi):
                room_total += cap_units - value[k] if missing > 0 else value[k]
            if room_total > 0:
                moved = 0
                for k in range(lo, hi):
                    room = cap_units - value[k] if missing > 0 else value[k]
                    share = min(abs(missing) * room // room_total, room)
                    value[k] += share if missing > 0 else -share
                    moved += share
                missing += -moved if missing > 0 else moved
        if missing != 0:  # +1 to the largest remainders below the cap / -1 on the smallest above zero
            keys = np.empty(degree)
            for k in range(lo, hi):
                if missing > 0:
                    keys[k - lo] = -frac[k] if value[k] < cap_units else 1.0
                else:
                    keys[k - lo] = frac[k] if value[k] > 0 else 2.0
            order = np.argsort(keys, kind="mergesort")
            for r in range(degree):
                if missing == 0:
                    break
                k = lo + order[r]
                if missing > 0 and value[k] < cap_units:
                    value[k] += 1
                    missing -= 1
                elif missing < 0 and value[k] > 0:
                    value[k] -= 1
                    missing += 1
        bad[t] = missing != 0
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
    outside_load: IntArray,  # per inspector: load on pairs not passed in (they stay as they are)
) -> IntArray | None:
    """Move grid units off overloaded inspectors and into 专业 groups below 1 (exact, by max flow).

    A unit leaves an overloaded inspector's pair, passes through its 专业 group (a 专业 group may only
    lose what it has above 1, net) and the target, and enters a pair of an inspector with room, possibly
    through chains. A 专业 group short by d must receive d units net from its target's other groups
    (a forced flow target -> group, as source -> group and target -> sink arcs). The min-cost-flow
    solution of the caller satisfies everything, so a full repair over all pairs always exists; over a
    part of the pairs (the targets next to the violations) it usually does. None when it does not.
    """
    n_i, n_g = len(limit), len(coverage_group)
    load = np.bincount(pair_i, value, minlength=n_i).astype(np.int64) + outside_load
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
        return None
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
    iterations: int = 0,  # 0: iteration_budget(number of pairs)
    tolerance: float = TOLERANCE,
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
    row_start = np.searchsorted(pair_t, np.arange(n_rows + 1)).astype(np.int64)  # pairs sorted by target
    iterations = iterations or iteration_budget(len(pair_t))
    x, _ = _scale(
        row_start, pair_i.astype(np.int32), pair_gid.astype(np.int32), coverage_group, need, cap, column_cap,
        group_need, iterations, tolerance,
    )  # fmt: skip
    need_units = team.astype(np.int64) * GRID
    need_units[~rows] = 0
    even, bad_rows = _grid_rows(row_start, x, need_units, cap_units, GRID)
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
        # First over the targets next to a violation only (the rest of the pairs stay), then over all.
        usable = weight[labels[n_i + pair_t]] == 0
        overloaded = np.bincount(pair_i[usable], even[usable], minlength=n_i) > limit
        near = np.zeros(n_rows, dtype=bool)
        near[pair_t[usable & overloaded[pair_i]]] = True
        near[group_target[coverage_group & (group_even < GRID) & (group_even > 0)]] = True
        local = usable & near[pair_t]
        repaired = None
        for part in (local, usable):
            rest = usable & ~part
            outside = np.bincount(pair_i[rest], even[rest], minlength=n_i).astype(np.int64)
            repaired = _repair_loads(
                even[part], pair_t[part], pair_i[part], pair_gid[part], group_target, coverage_group,
                cap_units, limit, n_rows, outside,
            )  # fmt: skip
            if repaired is not None:
                even = even.copy()
                even[part] = repaired
                break
        if repaired is None:  # pragma: no cover - impossible while the flow solution is feasible
            raise RuntimeError("工作量修正失败：最大流不足")
    weight = np.minimum(weight, MIX)
    mix = weight[labels[n_i + pair_t]]
    value = (MIX - mix) * even + mix * flow
    return Fractional(value, float(weight.max()) / MIX)
