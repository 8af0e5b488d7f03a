"""Benchmark of inspector matching: 10,000 targets x 3,000 inspectors (issue 5), plus a naive baseline.

Run: PYTHONPATH=src python bench/match_bench.py [--scale 0.1]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections import Counter
from datetime import date, timedelta

import numpy as np

from shuangsuiji.core.matching import (
    Conflict,
    FallbackPolicy,
    Inspector,
    InspectorStatus,
    MatchInputs,
    MatchParams,
    RegionAdjacency,
    Target,
    build_record,
)
from shuangsuiji.core.matching.engine import effective_denominator

SPECIALTIES = (
    "公共场所卫生", "生活饮用水卫生", "涉水产品", "消毒产品", "餐饮具集中消毒服务单位", "医疗卫生", "放射卫生",
    "传染病防治", "血液安全", "职业卫生", "计划生育", "学校卫生", "托育机构卫生",
)  # fmt: skip
RANDOMNESS = ("2024年第一期双色球 03 07 12 19 25 31 + 09", "深证成指收盘 10234.56")


def make_inputs(scale: float, data_seed: int = 20240501, independent_regions: bool = False) -> MatchInputs:
    """Synthetic data of the issue's shape: 20 regions on a 4x5 grid with random sizes."""
    rng = np.random.default_rng(data_seed)
    n_targets, n_inspectors, n_regions = int(10_000 * scale), int(3_000 * scale), 20
    regions = [f"区{k:02d}" for k in range(n_regions)]
    adjacency = tuple(
        RegionAdjacency(regions[k], regions[k + step])
        for k in range(n_regions)
        for step in (1, 5)
        if k + step < n_regions and (step == 5 or (k + 1) % 5 != 0)
    )
    region_share = rng.dirichlet(np.full(n_regions, 4.0))
    target_region = rng.choice(n_regions, size=n_targets, p=region_share)
    # Independent region sizes for staff make some regions short of inspectors (tests fallback and the bound).
    inspector_share = rng.dirichlet(np.full(n_regions, 4.0)) if independent_regions else region_share
    inspector_region = rng.choice(n_regions, size=n_inspectors, p=inspector_share)
    window_start = date(2024, 6, 1)
    targets = tuple(
        Target(
            id=f"T{k:05d}",
            region=regions[int(target_region[k])],
            specialties=frozenset({SPECIALTIES[int(rng.integers(len(SPECIALTIES)))]}),
            window_start=window_start,
            window_end=window_start + timedelta(days=30),
            group=f"G{k % 500:03d}",
        )
        for k in range(n_targets)
    )
    expired = rng.random(n_inspectors) < 0.10
    inspectors = tuple(
        Inspector(
            id=f"I{k:04d}",
            region=regions[int(inspector_region[k])],
            qualifications=frozenset(
                SPECIALTIES[int(s)]
                for s in rng.choice(len(SPECIALTIES), size=int(rng.integers(3, 6)), replace=False)
            ),
            licence_valid_from=date(2020, 1, 1),
            licence_valid_to=date(2024, 3, 31) if expired[k] else date(2027, 12, 31),
            status=InspectorStatus.ON_DUTY,
        )
        for k in range(n_inspectors)
    )
    conflicted = np.flatnonzero(rng.random(n_inspectors) < 0.05)
    conflicts = tuple(
        Conflict(
            inspector_id=inspectors[int(k)].id,
            target_id=targets[int(rng.integers(n_targets))].id,
            reason="亲属关系",
        )
        if k % 2
        else Conflict(
            inspector_id=inspectors[int(k)].id, target_group=f"G{int(rng.integers(500)):03d}", reason="曾任职"
        )
        for k in conflicted
    )
    params = MatchParams(
        team_size=2, max_targets_per_inspector=8, probability_cap=0.5, fallback=FallbackPolicy.ADJACENT
    )
    return MatchInputs(targets, inspectors, conflicts, (), adjacency, params)


def naive_baseline(inputs: MatchInputs, seed: int) -> dict[str, float]:
    """Uniform random pick with rejection: for each target, draw same-region inspectors until a valid team."""
    rng = np.random.default_rng(seed)
    params = inputs.params
    by_region: dict[str, list[Inspector]] = {}
    for inspector in inputs.inspectors:
        by_region.setdefault(inspector.region, []).append(inspector)
    conflict_pairs = {(c.inspector_id, c.target_id) for c in inputs.conflicts if c.target_id}
    conflict_groups = {(c.inspector_id, c.target_group) for c in inputs.conflicts if c.target_group}
    load: Counter[str] = Counter()
    unstaffed = 0
    for target in inputs.targets:
        pool = by_region.get(target.region, [])
        team: list[Inspector] = []
        for _ in range(50):  # rejection attempts
            if len(pool) < params.team_size:
                break
            picks = rng.choice(len(pool), size=params.team_size, replace=False)
            team = [pool[int(p)] for p in picks]
            valid = all(
                (i.licence_valid_to or date.min) >= target.window_end
                and (i.id, target.id) not in conflict_pairs
                and (i.id, target.group) not in conflict_groups
                and load[i.id] < params.max_targets_per_inspector
                for i in team
            ) and all(any(s in i.qualifications for i in team) for s in target.specialties)
            if valid:
                break
            team = []
        if team:
            load.update(i.id for i in team)
        else:
            unstaffed += 1
    counts = np.array(
        [load[i.id] for i in inputs.inspectors if (i.licence_valid_to or date.min) >= date(2024, 7, 1)]
    )
    mean = counts.sum() / len(counts)
    return {"unstaffed": unstaffed, "spread": float(counts.max() / mean)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (e.g. 0.1 for CI)"
    )
    parser.add_argument(
        "--independent-regions", action="store_true", help="draw staff region sizes independently (regional shortages)"
    )
    args = parser.parse_args()
    inputs = make_inputs(args.scale, independent_regions=args.independent_regions)
    print(
        f"规模：{len(inputs.targets)} 个检查对象 × {len(inputs.inspectors)} 名检查人员，20 个区域，13 个专业"
    )

    started = time.perf_counter()
    record = build_record(inputs, RANDOMNESS)
    elapsed = time.perf_counter() - started
    # Second run under tracemalloc (slower) for the peak of Python/numpy allocations; RSS covers ortools.
    tracemalloc.start()
    again = build_record(inputs, RANDOMNESS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fairness = record["fairness"]
    cap = inputs.params.probability_cap
    ideal = fairness["spread_ideal"]
    print(f"本算法 {record['algorithm']['name']} v{record['algorithm']['version']}")
    print(
        f"  耗时 {elapsed:.2f} s（目标 ≤ 3 s），峰值内存 tracemalloc {peak / 2**20:.0f} MiB，进程 RSS {rss:.0f} MiB（目标 ≤ 1024 MiB）"
    )
    print(
        f"  配齐 {fairness['staffed_count']}，未配齐 {fairness['unstaffed_count']}，最大流上界 {fairness['max_flow_bound']}"
    )
    print(
        f"  最大单对概率 {fairness['max_pair_probability']:.3f}（上限 {cap}，有效上限 1/{effective_denominator(cap)}）"
    )
    print(
        f"  工作量离散度 max/mean 实际 {fairness['spread_actual']:.3f}，期望 {fairness['spread_expected']:.3f}，"
        f"理想 {ideal:.3f}，实际/理想 {fairness['spread_actual'] / ideal:.3f}（目标 ≤ 1.2）"
    )
    print(
        f"  可复现：{'是' if again['record_digest'] == record['record_digest'] else '否'}（记录摘要 {record['record_digest'][:16]}…）"
    )
    reasons = Counter(row["reason"] for row in record["unstaffed"])
    for reason, count in reasons.most_common(5):
        print(f"    未配齐原因 ×{count}：{reason}")

    started = time.perf_counter()
    baseline = naive_baseline(inputs, seed=1)
    elapsed = time.perf_counter() - started
    print("朴素基线（本区域均匀随机抽取 + 拒绝重抽，最多 50 次）")
    print(
        f"  耗时 {elapsed:.2f} s，未配齐 {baseline['unstaffed']}，工作量离散度 max/mean {baseline['spread']:.3f}"
    )


if __name__ == "__main__":
    main()
