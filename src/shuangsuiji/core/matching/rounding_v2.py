"""Frozen for algorithm versions 2.0 and 2.1 (see engine_v2.py): do not change its behaviour.

Dependent rounding of a fractional assignment (Gandhi, Khuller, Parthasarathy, Srinivasan, J. ACM 2006).

The fractional assignment is a circulation in integer units (1 person = `unit`):
source s -> inspector i (his expected load), i -> group g (the pair's probability), g -> target t (the
expected number of members from the group), t -> sink (the team size, integral, left out). Every vertex
conserves flow and its net flow is integral, so a vertex never has exactly one fractional edge and the
fractional edges always contain a cycle. One rounding step takes a cycle, pushes +up along it with
probability down / (up + down) and -down otherwise (up, down: the largest pushes before an edge becomes
integral). Every edge's expectation is unchanged by each step, at least one edge becomes integral, and
conservation holds, so at the end:

- P(pair chosen) = its fractional value exactly (all arithmetic is in integers, the coin is an exactly
  uniform integer from the seeded stream);
- every team has exactly its size, every group at least floor of its expectation (>= 1 for a 专业 group),
  every load is the floor or the ceiling of its expectation (so never above the cap).

Each step uses a fresh coin. The cycles are found by a walk over the fractional edges in a random order
(from the stream; with a fixed order the same people would always be coupled: the marginals stay exact,
but some teams could never occur), preferring an edge that closes a cycle at once (short cycles couple
few people). The walk is compiled with numba; the coins are 64-bit words read from the stream in order,
an exactly uniform integer in [0, up + down) by rejection, so anyone can recompute it without numba.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from shuangsuiji.core.matching.stream import Stream

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
U64Array = npt.NDArray[np.uint64]

CLOSE_SCAN = 24  # edges looked at for one that closes a cycle at once
SPARE_WORDS = 4096  # rejections are below 2**-33 per coin: never more than a handful
NEED_COIN = -1  # kernel status: a forced-prefix run reached a coin beyond its prefix
OUT_OF_WORDS = -2


def _walk(
    tail: IntArray,
    head: IntArray,
    value: IntArray,
    lower: IntArray,
    adj_start: IntArray,
    adj_edges: IntArray,
    unit: int,
    words: U64Array,
    forced: IntArray,  # outcomes of the first coins (tests enumerate them); -1 = none forced
    stop_after_forced: bool,
    trace_up: IntArray,
    trace_down: IntArray,
) -> int:
    """Round every fractional edge in place; returns the number of coins used (or a negative status)."""
    n_vertices = len(adj_start) - 1
    n_edges = len(value)
    # Alive edges of a vertex: adj_edges[adj_start[v] : adj_start[v] + count[v]]; a dead edge is swapped
    # out of both of its lists (slot_* = its position in each list), so a visit never rescans dead edges.
    count = adj_start[1:] - adj_start[:-1]
    adj_other = np.zeros(len(adj_edges), dtype=np.int64)  # the other end, next to the edge: cache friendly
    for v in range(n_vertices):
        for q in range(adj_start[v], adj_start[v + 1]):
            e = adj_edges[q]
            adj_other[q] = head[e] if tail[e] == v else tail[e]
    # One row per edge (tail, head, value, lower, slot in the tail's list, slot in the head's list): the
    # walk visits edges in random order, so one cache line per edge instead of six.
    ed = np.zeros((n_edges, 8), dtype=np.int64)
    for e in range(n_edges):
        ed[e, 0] = tail[e]
        ed[e, 1] = head[e]
        ed[e, 2] = value[e]
        ed[e, 3] = lower[e]
    for v in range(n_vertices):
        for q in range(adj_start[v], adj_start[v + 1]):
            e = adj_edges[q]
            if tail[e] == v:
                ed[e, 4] = q
            else:
                ed[e, 5] = q
    where = np.full(n_vertices, -1, dtype=np.int64)
    path_v = np.zeros(n_vertices + 1, dtype=np.int64)
    path_e = np.zeros(n_vertices + 1, dtype=np.int64)
    cycle = np.zeros(n_vertices + 1, dtype=np.int64)
    forward = np.zeros(n_vertices + 1, dtype=np.uint8)
    coins = 0
    word = 0
    big = np.int64(1) << np.int64(62)
    for start in range(n_vertices):
        depth = 0
        path_v[0] = start
        where[start] = 0
        while True:
            vertex = path_v[depth]
            arrived = path_e[depth - 1] if depth > 0 else -1
            # Next alive edge, preferring one back to the path among the first few.
            chosen = -1
            first = -1
            base = adj_start[vertex]
            for q in range(base, base + min(count[vertex], CLOSE_SCAN)):
                e = adj_edges[q]
                if e == arrived:
                    continue
                if where[adj_other[q]] >= 0:
                    chosen = e
                    break
                if first < 0:
                    first = e
            if chosen < 0 and first < 0 and count[vertex] > CLOSE_SCAN:
                first = adj_edges[base + CLOSE_SCAN]
            if chosen < 0:
                chosen = first
            if chosen < 0:
                break  # only at the start vertex: every other vertex keeps >= 2 fractional edges
            other = ed[chosen, 1] if ed[chosen, 0] == vertex else ed[chosen, 0]
            if where[other] < 0:
                depth += 1
                path_v[depth] = other
                path_e[depth - 1] = chosen
                where[other] = depth
                continue
            # A cycle: path_v[j] -> ... -> path_v[depth] -> other = path_v[j].
            j = where[other]
            length = 0
            for k in range(j, depth):
                cycle[length] = path_e[k]
                length += 1
            cycle[length] = chosen
            length += 1
            up = big
            down = big
            for k in range(length):
                e = cycle[k]
                at = path_v[j + k]
                fwd = ed[e, 0] == at
                forward[k] = 1 if fwd else 0
                room_up = ed[e, 3] + unit - ed[e, 2]
                room_down = ed[e, 2] - ed[e, 3]
                if fwd:
                    up = min(up, room_up)
                    down = min(down, room_down)
                else:
                    up = min(up, room_down)
                    down = min(down, room_up)
            # The coin: True (push +up) with probability down / (up + down).
            if coins < len(forced) and forced[coins] >= 0:
                heads = forced[coins] == 1
            elif stop_after_forced:
                trace_up[coins] = up
                trace_down[coins] = down
                return NEED_COIN
            else:
                m = np.uint64(up + down)
                remainder = (np.uint64(0) - m) % m
                while True:
                    if word >= len(words):
                        return OUT_OF_WORDS
                    x = words[word]
                    word += 1
                    if remainder == 0 or x < np.uint64(0) - remainder:
                        break
                heads = np.int64(x % m) < down
            trace_up[coins] = up
            trace_down[coins] = down
            coins += 1
            delta = up if heads else -down
            for k in range(length):
                e = cycle[k]
                ed[e, 2] += delta if forward[k] == 1 else -delta
                if ed[e, 2] % unit == 0:
                    for side in range(2):
                        v = ed[e, side]
                        q = ed[e, 4 + side]
                        last = adj_start[v] + count[v] - 1
                        moved = adj_edges[last]
                        adj_edges[q] = moved
                        adj_edges[last] = e
                        moved_other = adj_other[last]
                        adj_other[last] = adj_other[q]
                        adj_other[q] = moved_other
                        if ed[moved, 0] == v:
                            ed[moved, 4] = q
                        else:
                            ed[moved, 5] = q
                        count[v] -= 1
            for k in range(j + 1, depth + 1):
                where[path_v[k]] = -1
            depth = j
        where[start] = -1
    for e in range(n_edges):
        value[e] = ed[e, 2]
    return coins


_walk_compiled = numba.njit(cache=True, nogil=True)(_walk)


class CoinsNeeded(Exception):
    """A run with forced coin outcomes reached a coin beyond them (tests enumerate both outcomes)."""

    def __init__(self, up: int, down: int) -> None:
        super().__init__(up, down)
        self.up, self.down = up, down


def dependent_round(
    pair_i: IntArray,
    pair_g: IntArray,
    value: IntArray,
    unit: int,
    group_target: IntArray,
    n_inspectors: int,
    stream: Stream,
) -> BoolArray:
    """Which pairs are chosen; P(pair) = value / unit exactly, team sizes and group/load bounds kept."""
    n_groups = len(group_target)
    values = value.astype(np.int64).copy()
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    # One circulation: s = 0, inspectors 1.., groups, targets; only fractional edges take part.
    n_targets = int(group_target.max()) + 1 if n_groups else 0
    # Sums through float64 are exact: every partial sum is an integer below 2**53.
    load = np.bincount(pair_i, values, minlength=n_inspectors).astype(np.int64)
    group_total = np.bincount(pair_g, values, minlength=n_groups).astype(np.int64)
    frac_pairs = np.flatnonzero(values % unit != 0)
    frac_loads = np.flatnonzero(load % unit != 0)
    frac_groups = np.flatnonzero(group_total % unit != 0)
    if len(frac_pairs) == 0 and len(frac_loads) == 0 and len(frac_groups) == 0:
        return values == unit
    group_vertex = 1 + n_inspectors
    target_vertex = group_vertex + n_groups
    n_vertices = target_vertex + n_targets
    tail = np.concatenate(
        [1 + pair_i[frac_pairs], np.zeros(len(frac_loads), dtype=np.int64), group_vertex + frac_groups]
    )
    head = np.concatenate(
        [group_vertex + pair_g[frac_pairs], 1 + frac_loads, target_vertex + group_target[frac_groups]]
    )
    edge_values = np.concatenate([values[frac_pairs], load[frac_loads], group_total[frac_groups]])
    n_edges = len(edge_values)
    shuffle = np.argsort(stream.keys(n_edges), kind="stable")  # ties (never seen) by position
    tail, head, edge_values = tail[shuffle], head[shuffle], edge_values[shuffle].copy()
    lower = edge_values // unit * unit
    # Adjacency lists in edge order (the shuffled order) as CSR arrays.
    ends = np.concatenate([tail, head])
    edge_ids = np.concatenate([np.arange(n_edges), np.arange(n_edges)]).astype(np.int64)
    # An inspector's load edge comes first in his list: with the source on the path (the walk starts
    # there) most cycles are then s -> i -> g <- j <- s, four edges.
    later = np.concatenate([np.ones(n_edges, dtype=np.int64), (tail != 0).astype(np.int64)])
    order = np.argsort(((ends * 2 + later) << 32) + edge_ids)  # (vertex, load edge first, edge), unique
    adj_edges = edge_ids[order].copy()
    adj_start = np.searchsorted(ends[order], np.arange(n_vertices + 1)).astype(np.int64)
    forced = np.array(getattr(stream, "forced", ()), dtype=np.int64)
    enumerate_mode = hasattr(stream, "forced")
    words = np.zeros(0, dtype=np.uint64) if enumerate_mode else stream.words(n_edges + SPARE_WORDS)
    trace_up = np.zeros(n_edges + 1, dtype=np.int64)
    trace_down = np.zeros(n_edges + 1, dtype=np.int64)
    status = _walk_compiled(
        tail, head, edge_values, lower, adj_start, adj_edges, unit, words, forced, enumerate_mode,
        trace_up, trace_down,
    )  # fmt: skip
    if status == NEED_COIN:
        raise CoinsNeeded(int(trace_up[len(forced)]), int(trace_down[len(forced)]))
    if status == OUT_OF_WORDS:  # pragma: no cover - needs thousands of events of probability 2**-33
        raise RuntimeError("随机数流不足")
    if enumerate_mode:  # the tests' record of every coin's odds
        stream.trace = list(zip(trace_up[:status].tolist(), trace_down[:status].tolist(), strict=True))  # type: ignore[attr-defined]
    rounded = np.empty(n_edges, dtype=np.int64)
    rounded[shuffle] = edge_values
    values[frac_pairs] = rounded[: len(frac_pairs)]
    return values == unit
