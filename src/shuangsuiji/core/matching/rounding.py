"""Dependent rounding of a fractional assignment (Gandhi, Khuller, Parthasarathy, Srinivasan, J. ACM 2006).

The fractional assignment is a circulation in integer units (1 person = `unit`):
source s -> inspector i (his expected load), i -> group g (the pair's probability), g -> target t (the
expected number of members from the group), t -> sink (the team size, integral, left out). Every vertex
conserves flow and its net flow is integral, so a vertex never has exactly one fractional edge and the
fractional edges always contain a cycle. One rounding step takes a cycle, pushes +alpha along it with
probability beta / (alpha + beta) and -beta otherwise (alpha, beta: the largest pushes before an edge
becomes integral). Every edge's expectation is unchanged by each step, at least one edge becomes integral,
and conservation holds, so at the end:

- P(pair chosen) = its fractional value exactly (all arithmetic is in integers, the coin is an exactly
  uniform integer from the seeded stream);
- every team has exactly its size, every group at least floor of its expectation (>= 1 for a 专业 group),
  every load is the floor or the ceiling of its expectation (so never above the cap).

Each step uses fresh randomness. For speed the dense part is done in vectorised rounds on many disjoint
4-cycles i - g - j - h - i (two inspectors paired at random, two groups that both can take): they keep
every load and group total. The remaining sparse part (including the load and group edges) is rounded by
walking to the next cycle, one cycle at a time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from shuangsuiji.core.matching.stream import Stream

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_VECTOR_ROUNDS = 400
MIN_ROUND_SHARE = 0.02  # stop the vectorised rounds when they reach fewer edges than this share
CLOSE_SCAN = 24  # edges looked at for one that closes a cycle at once


def components(pair_i: IntArray, pair_g: IntArray, n_inspectors: int, n_groups: int) -> IntArray:
    """Connected component of each inspector (-1 without edges) in the inspector-group graph."""
    n = n_inspectors + n_groups
    if len(pair_i) == 0:
        return np.full(n_inspectors, -1, dtype=np.int64)
    graph = coo_matrix(
        (np.ones(len(pair_i), dtype=np.int8), (pair_i, n_inspectors + pair_g)), shape=(n, n)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    labels = labels[:n_inspectors].astype(np.int64)
    has = np.bincount(pair_i, minlength=n_inspectors) > 0
    return np.where(has, labels, -1)


def _vector_rounds(
    pair_i: IntArray, pair_g: IntArray, value: IntArray, unit: int, cluster: IntArray, stream: Stream
) -> None:
    """Round many disjoint 4-cycles per round, in place on `value`, while they reach enough edges.

    Inspectors are paired at random within their cluster (component and region: people who share
    targets); every two groups that both inspectors of a pair can still take form one 4-cycle.
    """
    n_i = len(cluster)
    if len(pair_i) == 0:
        return
    # Fixed lookup of edge (inspector, group) by key group * n_i + inspector.
    edge_key = pair_g * n_i + pair_i
    key_order = np.argsort(edge_key, kind="stable")
    sorted_keys = edge_key[key_order]
    positions = np.arange(n_i)
    for _ in range(MAX_VECTOR_ROUNDS):
        active = np.flatnonzero(value % unit != 0)
        if len(active) < 64:
            return
        order = np.lexsort((positions, stream.keys(n_i), cluster))
        cluster_sorted = cluster[order]
        rank = positions - np.searchsorted(cluster_sorted, cluster_sorted, side="left")
        partner_pos = np.where(rank % 2 == 0, positions + 1, positions - 1)
        valid = (partner_pos < n_i) & (cluster_sorted >= 0)
        valid &= cluster_sorted[np.minimum(partner_pos, n_i - 1)] == cluster_sorted
        partner = np.full(n_i, -1, dtype=np.int64)
        partner[order[valid]] = order[partner_pos[valid]]
        # Edge (i, g) and its partner edge (partner[i], g), both fractional; i < partner[i].
        p = partner[pair_i[active]]
        left = p > pair_i[active]
        e_left = active[left]
        wanted = pair_g[e_left] * n_i + p[left]
        pos = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
        other = key_order[pos]
        found = (sorted_keys[pos] == wanted) & (value[other] % unit != 0)
        e1 = e_left[found]  # (i, g)
        e2 = other[found]  # (partner, g)
        if len(e1) < 2:
            return
        # Two such pairs of the same inspector pair form a 4-cycle; pair them at random.
        bucket = pair_i[e1]
        order = np.lexsort((pair_g[e1], stream.keys(len(e1)), bucket))
        bucket_sorted = bucket[order]
        rank = np.arange(len(order)) - np.searchsorted(bucket_sorted, bucket_sorted, side="left")
        first = np.flatnonzero((rank % 2 == 0) & (np.arange(len(order)) + 1 < len(order)))
        first = first[bucket_sorted[np.minimum(first + 1, len(order) - 1)] == bucket_sorted[first]]
        if 4 * len(first) < MIN_ROUND_SHARE * len(active):
            return
        a, b = order[first], order[first + 1]
        plus_1, minus_1, plus_2, minus_2 = (
            e1[a],
            e2[a],
            e2[b],
            e1[b],
        )  # i->g (+), j->g (-), j->h (+), i->h (-)
        up = np.minimum.reduce([unit - value[plus_1], value[minus_1], unit - value[plus_2], value[minus_2]])
        down = np.minimum.reduce([value[plus_1], unit - value[minus_1], value[plus_2], unit - value[minus_2]])
        delta = np.where(stream.coins(up, down), up, -down)
        value[plus_1] += delta
        value[minus_1] -= delta
        value[plus_2] += delta
        value[minus_2] -= delta


def _walk_rounding(
    tail: list[int],
    head: list[int],
    value: list[int],
    lower: list[int],
    n_vertices: int,
    unit: int,
    stream: Stream,
) -> None:
    """Round every fractional edge, one cycle at a time (in place on `value`)."""
    adjacency: list[list[int]] = [[] for _ in range(n_vertices)]
    alive = bytearray(len(value))
    for edge, v in enumerate(value):
        if v % unit:
            alive[edge] = 1
            adjacency[tail[edge]].append(edge)
            adjacency[head[edge]].append(edge)
    pointer = [0] * n_vertices

    def next_edge(vertex: int, arrived: int, on_path: dict[int, int]) -> int:
        """An edge back to the path if one is among the next few (short cycles), else the first."""
        edges = adjacency[vertex]
        p = pointer[vertex]
        while p < len(edges) and not alive[edges[p]]:
            p += 1
        pointer[vertex] = p
        first = -1
        for q in range(p, min(len(edges), p + CLOSE_SCAN)):
            edge = edges[q]
            if not alive[edge] or edge == arrived:
                continue
            if (head[edge] if tail[edge] == vertex else tail[edge]) in on_path:
                return edge
            if first < 0:
                first = edge
        if first >= 0:
            return first
        for q in range(min(len(edges), p + CLOSE_SCAN), len(edges)):
            if alive[edges[q]] and edges[q] != arrived:
                return edges[q]
        return -1

    for start in range(n_vertices):
        path_v = [start]
        path_e: list[int] = []
        where = {start: 0}
        while True:
            vertex = path_v[-1]
            edge = next_edge(vertex, path_e[-1] if path_e else -1, where)
            if edge < 0:
                break  # only at the start vertex: every other vertex keeps >= 2 fractional edges
            other = head[edge] if tail[edge] == vertex else tail[edge]
            if other not in where:
                where[other] = len(path_v)
                path_v.append(other)
                path_e.append(edge)
                continue
            j = where[other]
            cycle = [*path_e[j:], edge]
            # Walking direction from path_v[j]: +1 where the edge is traversed tail -> head.
            walk = path_v[j:]
            up = down = 1 << 62
            signs = []
            for position, e in enumerate(cycle):
                forward = tail[e] == walk[position]
                signs.append(forward)
                room_up = lower[e] + unit - value[e]
                room_down = value[e] - lower[e]
                if forward:
                    up, down = min(up, room_up), min(down, room_down)
                else:
                    up, down = min(up, room_down), min(down, room_up)
            delta = up if stream.coin(up, down) else -down
            for e, forward in zip(cycle, signs, strict=True):
                value[e] += delta if forward else -delta
                if value[e] % unit == 0:
                    alive[e] = 0
            for vertex_gone in path_v[j + 1 :]:
                del where[vertex_gone]
            del path_v[j + 1 :]
            del path_e[j:]


def dependent_round(
    pair_i: IntArray,
    pair_g: IntArray,
    value: IntArray,
    unit: int,
    group_target: IntArray,
    n_inspectors: int,
    stream: Stream,
    inspector_region: IntArray | None = None,
) -> BoolArray:
    """Which pairs are chosen; P(pair) = value / unit exactly, team sizes and group/load bounds kept."""
    n_groups = len(group_target)
    values = value.astype(np.int64).copy()
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    component = components(pair_i, pair_g, n_inspectors, n_groups)
    if inspector_region is not None:  # people of one region share most targets: pair them first
        n_regions = int(inspector_region.max()) + 1 if len(inspector_region) else 1
        component = np.where(component >= 0, component * n_regions + inspector_region, -1)
    _vector_rounds(pair_i, pair_g, values, unit, component, stream)
    # The rest as one circulation: s = 0, inspectors 1.., groups, targets.
    n_targets = int(group_target.max()) + 1 if n_groups else 0
    load = np.zeros(n_inspectors, dtype=np.int64)
    np.add.at(load, pair_i, values)
    group_total = np.zeros(n_groups, dtype=np.int64)
    np.add.at(group_total, pair_g, values)
    # Loads and group totals keep their expectations through the vectorised rounds; fractional ones join.
    frac_pairs = np.flatnonzero(values % unit != 0)
    frac_loads = np.flatnonzero(load % unit != 0)
    frac_groups = np.flatnonzero(group_total % unit != 0)
    if len(frac_pairs) == 0 and len(frac_loads) == 0 and len(frac_groups) == 0:
        return values == unit
    inspector_vertex = 1
    group_vertex = 1 + n_inspectors
    target_vertex = group_vertex + n_groups
    tail = np.concatenate(
        [inspector_vertex + pair_i[frac_pairs], np.zeros(len(frac_loads), dtype=np.int64),
         group_vertex + frac_groups]
    ).tolist()  # fmt: skip
    head = np.concatenate(
        [group_vertex + pair_g[frac_pairs], inspector_vertex + frac_loads,
         target_vertex + group_target[frac_groups]]
    ).tolist()  # fmt: skip
    edge_values = np.concatenate([values[frac_pairs], load[frac_loads], group_total[frac_groups]])
    # A random edge order makes the cycles random too (with a fixed order the same pairs of people
    # would always be coupled: marginals stay exact either way, but some teams could never occur).
    shuffle = np.lexsort((np.arange(len(edge_values)), stream.keys(len(edge_values))))
    tail_list = np.asarray(tail, dtype=np.int64)[shuffle].tolist()
    head_list = np.asarray(head, dtype=np.int64)[shuffle].tolist()
    lower = (edge_values[shuffle] // unit * unit).tolist()
    flat = edge_values[shuffle].tolist()
    _walk_rounding(tail_list, head_list, flat, lower, target_vertex + n_targets, unit, stream)
    rounded = np.empty(len(edge_values), dtype=np.int64)
    rounded[shuffle] = np.array(flat, dtype=np.int64)
    values[frac_pairs] = rounded[: len(frac_pairs)]
    return values == unit
