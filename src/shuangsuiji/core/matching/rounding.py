"""Dependent rounding of a fractional assignment (Gandhi, Khuller, Parthasarathy, Srinivasan, J. ACM 2006).

Version 2.2 (2.0/2.1: `rounding_v2.py`, frozen). The method is that of 2.0: the fractional assignment is a
circulation in integer units (1 person = `unit`): source s -> inspector i (his expected load), i -> group g
(the pair's probability), g -> target t (the expected number of members from the group), t -> sink (the
team size, integral, left out). Every vertex conserves flow and its net flow is integral, so a vertex never
has exactly one fractional edge and the fractional edges always contain a cycle. One rounding step takes a
cycle, pushes +up along it with probability down / (up + down) and -down otherwise (up, down: the largest
pushes before an edge becomes integral). Every edge's expectation is unchanged by each step, at least one
edge becomes integral, and conservation holds, so at the end:

- P(pair chosen) = its fractional value exactly (all arithmetic is in integers, the coin is an exactly
  uniform integer from the seeded stream);
- every team has exactly its size, every group at least floor of its expectation (>= 1 for a 专业 group),
  every load is the floor or the ceiling of its expectation (so never above the cap).

Each step uses a fresh coin. Edges are visited in a random order (sort keys from the stream); the walk
prefers an edge back to the path among the first CLOSE_SCAN alive edges of a vertex (short cycles couple
few people), and an inspector's load edge comes first in his list (cycles s -> i -> g <- j <- s).

What changed for speed in 2.2 (the coins are still defined by the stream alone): the whole loop, including
building the adjacency lists (a counting sort instead of numpy sorts), runs compiled with numba; an edge
is a 16-byte row (tail, head, fractional part as 32-bit integers; unit <= 2**30) and every adjacency slot
keeps the other end next to the edge, so a step touches few cache lines. The coin bytes are read from the
SHAKE-256 stream into a numpy buffer beforehand: word k of the buffer is the k-th 64-bit word of the
stream (`stream.py`), and a coin for odds down / (up + down) takes the next word x, rejects it while
x >= 2**64 - (2**64 mod m) (m = up + down) and is heads when x mod m < down. Anyone can recompute every
coin without numba from the public randomness and the input digests.
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
MAX_UNIT = 1 << 30  # fractional parts and pushes fit in 32 bits


@numba.njit(cache=True, nogil=True)
def _walk(
    tail: IntArray,
    head: IntArray,
    frac: IntArray,  # fractional part of every edge (0 < frac < unit), rounded in place
    n_vertices: int,
    unit: int,
    words: U64Array,
    forced: IntArray,  # outcomes of the first coins (tests enumerate them); -1 = none forced
    stop_after_forced: bool,
    trace_up: IntArray,
    trace_down: IntArray,
) -> int:  # pragma: no cover - compiled (the tests run it compiled; coverage cannot see inside)
    """Round every fractional edge; returns the number of coins used (or a negative status)."""
    n_edges = len(frac)
    # CSR adjacency: an inspector's load edge (tail 0) first in his list, otherwise edge order. Compact
    # rows (the walk is bound by memory latency): vx[v] = (list start, alive count); adj[q] = (edge,
    # 2 * other end + 1 if v is the edge's head); ed[e] = (fractional part, slot in the tail's list, slot in
    # the head's list, -).
    vx = np.zeros((n_vertices, 2), dtype=np.int64)
    for e in range(n_edges):
        vx[tail[e], 1] += 1
        vx[head[e], 1] += 1
    fill = np.zeros(n_vertices, dtype=np.int64)
    total = 0
    for v in range(n_vertices):
        vx[v, 0] = total
        fill[v] = total
        total += vx[v, 1]
    adj = np.empty((2 * n_edges, 2), dtype=np.int32)
    ed = np.zeros((n_edges, 4), dtype=np.int32)
    for e in range(n_edges):
        if tail[e] == 0:
            v = head[e]
            q = fill[v]
            adj[q, 0] = e
            adj[q, 1] = 1  # other end 0 (the source), this vertex is the head
            ed[e, 2] = q
            fill[v] += 1
    for e in range(n_edges):
        a = tail[e]
        b = head[e]
        ed[e, 0] = frac[e]
        q = fill[a]
        adj[q, 0] = e
        adj[q, 1] = 2 * b
        ed[e, 1] = q
        fill[a] += 1
        if a != 0:
            q = fill[b]
            adj[q, 0] = e
            adj[q, 1] = 2 * a + 1
            ed[e, 2] = q
            fill[b] += 1
    where = np.full(n_vertices, -1, dtype=np.int32)
    path_v = np.zeros(n_vertices + 1, dtype=np.int32)
    path_e = np.zeros(n_vertices + 1, dtype=np.int32)
    path_head = np.zeros(n_vertices + 1, dtype=np.int8)  # 1: the path runs against the edge (vertex = head)
    coins = 0
    word = 0
    for start in range(n_vertices):
        depth = 0
        path_v[0] = start
        where[start] = 0
        while True:
            vertex = path_v[depth]
            arrived = path_e[depth - 1] if depth > 0 else -1
            chosen_q = -1
            first_q = -1
            base = vx[vertex, 0]
            n_alive = vx[vertex, 1]
            for q in range(base, base + min(n_alive, CLOSE_SCAN)):
                if adj[q, 0] == arrived:
                    continue
                if where[adj[q, 1] >> 1] >= 0:
                    chosen_q = q
                    break
                if first_q < 0:
                    first_q = q
            if chosen_q < 0 and first_q < 0 and n_alive > CLOSE_SCAN:
                first_q = base + CLOSE_SCAN
            if chosen_q < 0:
                chosen_q = first_q
            if chosen_q < 0:
                break
            chosen = adj[chosen_q, 0]
            other = adj[chosen_q, 1] >> 1
            path_head[depth] = adj[chosen_q, 1] & 1
            if where[other] < 0:
                depth += 1
                path_v[depth] = other
                path_e[depth - 1] = chosen
                where[other] = depth
                continue
            j = where[other]
            path_e[depth] = chosen
            up = unit
            down = unit
            for k in range(j, depth + 1):
                f = ed[path_e[k], 0]
                if path_head[k] == 0:  # forward
                    up = min(up, unit - f)
                    down = min(down, f)
                else:
                    up = min(up, f)
                    down = min(down, unit - f)
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
            for k in range(j, depth + 1):
                e = path_e[k]
                f = ed[e, 0] + (delta if path_head[k] == 0 else -delta)
                ed[e, 0] = f
                if f == 0 or f == unit:
                    near = path_v[k]
                    far = path_v[k + 1] if k < depth else path_v[j]
                    for side in range(2):  # 0: the tail's list, 1: the head's list
                        v = near if (side == 1) == (path_head[k] == 1) else far
                        q = ed[e, 1 + side]
                        last = vx[v, 0] + vx[v, 1] - 1
                        moved = adj[last, 0]
                        moved_code = adj[last, 1]
                        adj[last, 0] = e
                        adj[last, 1] = adj[q, 1]
                        adj[q, 0] = moved
                        adj[q, 1] = moved_code
                        ed[moved, 1 + (moved_code & 1)] = q
                        ed[e, 1 + side] = last
                        vx[v, 1] -= 1
            for k in range(j + 1, depth + 1):
                where[path_v[k]] = -1
            depth = j
        where[start] = -1
    for e in range(n_edges):
        frac[e] = ed[e, 0]
    return coins


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
    if unit > MAX_UNIT:
        raise ValueError("unit above 2**30")
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
    # The random edge order: sort keys from the stream (ties, never seen, by position).
    shuffle = np.argsort(stream.keys(n_edges), kind="stable")
    tail, head, edge_values = tail[shuffle], head[shuffle], edge_values[shuffle]
    lower = edge_values // unit * unit
    frac = edge_values - lower
    forced = np.array(getattr(stream, "forced", ()), dtype=np.int64)
    enumerate_mode = hasattr(stream, "forced")
    words = np.zeros(0, dtype=np.uint64) if enumerate_mode else stream.words(n_edges + SPARE_WORDS)
    trace_up = np.zeros(n_edges + 1, dtype=np.int64)
    trace_down = np.zeros(n_edges + 1, dtype=np.int64)
    status = _walk(
        tail, head, frac, n_vertices, unit, words, forced, enumerate_mode, trace_up, trace_down
    )  # fmt: skip
    if status == NEED_COIN:
        raise CoinsNeeded(int(trace_up[len(forced)]), int(trace_down[len(forced)]))
    if status == OUT_OF_WORDS:  # pragma: no cover - needs thousands of events of probability 2**-33
        raise RuntimeError("随机数流不足")
    if enumerate_mode:  # the tests' record of every coin's odds
        stream.trace = list(zip(trace_up[:status].tolist(), trace_down[:status].tolist(), strict=True))  # type: ignore[attr-defined]
    rounded = np.empty(n_edges, dtype=np.int64)
    rounded[shuffle] = lower + frac
    values[frac_pairs] = rounded[: len(frac_pairs)]
    return values == unit
