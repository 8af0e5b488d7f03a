"""Benchmark of inspector matching (issues 5 and 17): the current method, the previous flow method (1.0)
and a uniform-with-rejection baseline, on two instances, in one run.

Instances
- "ample": 1,000 targets x 400 inspectors in 4 regions, team 2, workload cap 8, about 45 eligible 执法人员
  per target (the shape of issue 17);
- "large": 10,000 targets x 3,000 inspectors in 20 regions (4x5 grid, adjacent fallback), team 2, cap 8.

Figures per method: time (wall and CPU of the matching call, in a fresh process each, numba cache warm; the
current method also per stage) and peak RSS of that process; staffed / max-flow bound; workload spread actual / ideal; support (distinct
inspectors per target over 10 randomness strings, median); spread ratio (largest pair probability of a
target / uniform share team/E, p50 and p95, E = eligible candidates); distinct whole-task outcomes over 10
strings; share of targets whose team differs between two strings.

Run: PYTHONPATH=src python bench/match_bench.py [--scale 0.1] [--strings 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess  # nosec B404 - runs this same script as a worker
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from shuangsuiji.core.matching import (
    ALGORITHM_VERSION,
    Conflict,
    FallbackPolicy,
    Inspector,
    InspectorKind,
    InspectorStatus,
    MatchInputs,
    MatchParams,
    RegionAdjacency,
    Target,
    clock,
    match_version,
)

SPECIALTIES = (
    "公共场所卫生", "生活饮用水卫生", "涉水产品", "消毒产品", "餐饮具集中消毒服务单位", "医疗卫生", "放射卫生",
    "传染病防治", "血液安全", "职业卫生", "计划生育", "学校卫生", "托育机构卫生",
)  # fmt: skip
STAGE_NAMES = {
    "inputs": "校验与摘要",
    "flow": "配齐（流）",
    "pairs": "候选对",
    "balance": "均衡上限",
    "scaling": "概率（缩放）",
    "rounding": "相依舍入",
    "report": "结果与报告",
}
RANDOMNESS = ("2024年第一期双色球 03 07 12 19 25 31 + 09", "深证成指收盘 10234.56")
WINDOW = date(2024, 6, 1)


def make_inputs(scale: float, data_seed: int = 20240501, independent_regions: bool = False) -> MatchInputs:
    """The large instance: 20 regions on a 4x5 grid with random sizes (scale 1 = 10,000 x 3,000)."""
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
    targets = tuple(
        Target(
            id=f"T{k:05d}",
            region=regions[int(target_region[k])],
            specialties=frozenset({SPECIALTIES[int(rng.integers(len(SPECIALTIES)))]}),
            window_start=WINDOW,
            window_end=WINDOW + timedelta(days=30),
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


def make_ample(scale: float = 1.0, data_seed: int = 17) -> MatchInputs:
    """Issue 17's shape: 1,000 x 400 in 4 regions, team 2, cap 8; about 45 eligible per target (执法证
    validity covers about half the year, inspection windows spread over the year); capacity ample."""
    rng = np.random.default_rng(data_seed)
    common = SPECIALTIES[:3]
    n_targets, n_inspectors = int(1_000 * scale), int(400 * scale)
    regions = ["东区", "西区", "南区", "北区"]
    year = date(2024, 1, 1)
    targets = []
    for k in range(n_targets):
        start = year + timedelta(days=int(rng.integers(0, 355)))
        spec = frozenset({common[int(rng.integers(3))]})
        targets.append(Target(f"A{k:04d}", regions[k % 4], spec, start, start + timedelta(days=7)))
    inspectors = []
    for k in range(n_inspectors):
        valid_from = year - timedelta(days=60) + timedelta(days=int(rng.integers(0, 300)))
        inspectors.append(
            Inspector(
                f"P{k:04d}",
                regions[k % 4],
                frozenset(common[int(s)] for s in rng.choice(3, size=int(rng.integers(2, 4)), replace=False)),
                valid_from,
                valid_from + timedelta(days=200),
                kind=InspectorKind.LAW_ENFORCEMENT if rng.random() < 0.95 else InspectorKind.AUXILIARY,
                status=InspectorStatus.ON_DUTY if rng.random() < 0.97 else InspectorStatus.ON_LEAVE,
            )
        )
    adjacency = (RegionAdjacency("东区", "西区"), RegionAdjacency("南区", "北区"))
    params = MatchParams(team_size=2, max_targets_per_inspector=8, fallback=FallbackPolicy.ADJACENT)
    return MatchInputs(tuple(targets), tuple(inspectors), (), (), adjacency, params)


# ------------------------------------------------------------------------------------ uniform baseline


def _eligible(inputs: MatchInputs) -> dict[str, list[Inspector]]:
    """Same-region 在岗 执法人员 with a valid 执法证 and no conflict, per target (the baseline's pool)."""
    by_region: dict[str, list[Inspector]] = defaultdict(list)
    for i in inputs.inspectors:
        if i.kind is InspectorKind.LAW_ENFORCEMENT and i.status is InspectorStatus.ON_DUTY:
            by_region[i.region].append(i)
    pairs = {(c.inspector_id, c.target_id) for c in inputs.conflicts if c.target_id}
    groups = {(c.inspector_id, c.target_group) for c in inputs.conflicts if c.target_group}
    return {
        t.id: [
            i
            for i in by_region[t.region]
            if i.licence_valid_from is not None
            and i.licence_valid_to is not None
            and i.licence_valid_from <= t.window_start
            and i.licence_valid_to >= t.window_end
            and (i.id, t.id) not in pairs
            and (i.id, t.group) not in groups
        ]
        for t in inputs.targets
    }


def uniform_baseline(
    inputs: MatchInputs, seed: int, eligible: dict[str, list[Inspector]]
) -> dict[str, tuple[str, ...]]:
    """Per target: draw a team uniformly from the eligible, redraw (<= 50 times) until the 专业 are covered
    and nobody is over the workload cap. Not exact, not reproducible from public randomness: a yardstick."""
    rng = np.random.default_rng(seed)
    load: Counter[str] = Counter()
    teams: dict[str, tuple[str, ...]] = {}
    n = inputs.params.team_size
    for target in inputs.targets:
        pool = eligible[target.id]
        for _ in range(50):
            if len(pool) < n:
                break
            team = [pool[int(p)] for p in rng.choice(len(pool), size=n, replace=False)]
            if all(load[i.id] < inputs.params.max_targets_per_inspector for i in team) and all(
                any(s in i.qualifications for i in team) for s in target.specialties
            ):
                teams[target.id] = tuple(sorted(i.id for i in team))
                load.update(i.id for i in team)
                break
    return teams


def baseline_ratio(inputs: MatchInputs, eligible: dict[str, list[Inspector]]) -> list[float]:
    """Exact largest pair probability / uniform share of a uniform draw over the valid teams (team of 2,
    workload caps ignored), per target."""
    ratios = []
    for target in inputs.targets:
        pool = eligible[target.id]
        e = len(pool)
        if e < 2:
            continue
        qualified = [all(s in i.qualifications for s in target.specialties) for i in pool]
        q = sum(qualified)
        valid = math.comb(e, 2) - math.comb(e - q, 2)
        if valid == 0:
            continue
        best = (e - 1) / valid if q else 0.0  # a qualified person is in every valid team with him
        ratios.append(best / (2 / e))
    return ratios


# --------------------------------------------------------------------------------------------- workers


def _teams(result: Any) -> dict[str, tuple[str, ...]]:
    return {a.target_id: tuple(sorted(m.inspector_id for m in a.team)) for a in result.assignments}


def worker(instance: str, method: str, scale: float) -> None:
    """One timed matching in this (fresh) process; prints JSON."""
    inputs = make_ample(scale) if instance == "ample" else make_inputs(scale)
    stages = clock.StageClock()
    clock.install(stages)
    wall, cpu = time.perf_counter(), time.process_time()
    if method == "baseline":
        teams = uniform_baseline(inputs, 1, _eligible(inputs))
        staffed = len(teams)
    else:
        result = match_version(inputs, RANDOMNESS, method)
        staffed = result.fairness.staffed_count
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clock.install(None)
    figures = {"wall": wall, "cpu": cpu, "rss": rss, "staffed": staffed, "stage_wall": stages.wall}
    print(json.dumps({**figures, "stage_cpu": stages.cpu, "stage_peak": stages.peak_mib}))


def timed(instance: str, method: str, scale: float) -> dict[str, float]:
    output = subprocess.run(  # nosec B603 - fixed argv: this interpreter and this script
        [sys.executable, __file__, "--worker", instance, method, "--scale", str(scale)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure(instance: str, inputs: MatchInputs, method: str, strings: int, scale: float) -> dict[str, Any]:
    figures: dict[str, Any] = timed(instance, method, scale)
    outcomes: list[dict[str, tuple[str, ...]]] = []
    eligible = _eligible(inputs)
    ratios: list[float] = []
    for k in range(strings):
        randomness = [f"{RANDOMNESS[0]} 第{k}组"]
        if method == "baseline":
            outcomes.append(uniform_baseline(inputs, 1000 + k, eligible))
            continue
        result = match_version(inputs, randomness, method)
        outcomes.append(_teams(result))
        if k == 0:
            report = result.fairness
            figures["bound"] = report.max_flow_bound
            figures["spread"] = (
                report.spread_actual / report.spread_ideal if report.spread_ideal else float("nan")
            )
            figures["spread_expected"] = (
                report.spread_expected / report.spread_ideal if report.spread_ideal else float("nan")
            )
    if method == "baseline":
        ratios = baseline_ratio(inputs, eligible)
    else:
        # Largest pair probability of each target over its eligible candidates E (the 2.0 candidate table).
        rows = match_version(inputs, ["概率"], ALGORITHM_VERSION).fairness.targets
        if method == ALGORITHM_VERSION:
            ratios = [row.max_probability / row.uniform_share for row in rows]
            floors = [row.max_probability / row.rule_floor for row in rows]
            figures["floor_p50"], figures["floor_p95"] = _percentile(floors, 50), _percentile(floors, 95)
        else:
            best: dict[str, float] = defaultdict(float)
            for assignment in match_version(inputs, ["概率"], method).assignments:
                for member in assignment.team:
                    best[assignment.target_id] = max(best[assignment.target_id], member.probability)
            ratios = [best[row.target_id] / row.uniform_share for row in rows if row.target_id in best]
    targets = sorted(set().union(*[o.keys() for o in outcomes]))
    support = [len({i for o in outcomes for i in o.get(t, ())}) for t in targets]
    figures["support_p50"] = _percentile([float(s) for s in support], 50)
    figures["ratio_p50"] = _percentile(ratios, 50)
    figures["ratio_p95"] = _percentile(ratios, 95)
    figures["distinct"] = len({tuple(sorted(o.items())) for o in outcomes})
    common = [t for t in outcomes[0] if t in outcomes[1]]
    figures["changed"] = (
        sum(outcomes[0][t] != outcomes[1][t] for t in common) / len(common) if common else 0.0
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of both instances (0.1 for CI)")
    parser.add_argument("--strings", type=int, default=10, help="randomness strings per method")
    parser.add_argument("--worker", nargs=2, metavar=("INSTANCE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.scale)
        return
    timed(
        "ample", ALGORITHM_VERSION, 0.05
    )  # warm numba's on-disk cache so that no timing includes compilation
    methods = ((ALGORITHM_VERSION, f"本算法 {ALGORITHM_VERSION}（最大熵 + 工作量均衡 + 相依舍入）"),
               ("1.0", "原算法 1.0（最小费用流 + 欧拉拆分）"), ("baseline", "均匀随机 + 拒绝重抽（基线）"))  # fmt: skip
    print(
        f"（机器负载：{' '.join(f'{x:.1f}' for x in os.getloadavg())}；时间为墙钟与 CPU（user+sys）两种，负载高时以 CPU 为准）"
    )
    for instance, label in (("ample", "宽松实例"), ("large", "大规模实例")):
        inputs = make_ample(args.scale) if instance == "ample" else make_inputs(args.scale)
        print(f"{label}：{len(inputs.targets)} 个检查对象 × {len(inputs.inspectors)} 名检查人员")
        for method, name in methods:
            f = measure(instance, inputs, method, args.strings, args.scale)
            bound = f" / 上界 {f['bound']}" if "bound" in f else ""
            spread = (
                f"，工作量离散度 实际/理想 {f['spread']:.3f}（期望/理想 {f['spread_expected']:.3f}）"
                if "spread" in f
                else ""
            )
            print(f"  {name}")
            print(
                f"    耗时 {f['wall']:.2f} s（CPU {f['cpu']:.2f} s），进程峰值 RSS {f['rss']:.0f} MiB；"
                f"配齐 {f['staffed']}{bound}{spread}"
            )
            print(
                f"    {args.strings} 个随机数：不同的整体结果 {f['distinct']} 个；两次之间检查组变化的对象 {f['changed']:.0%}；"
                f"每对象出现过的不同人员 中位数 {f['support_p50']:.0f}；"
                f"最大单对概率/均匀份额 p50 {f['ratio_p50']:.2f}，p95 {f['ratio_p95']:.2f}"
            )
            if f.get("stage_cpu"):
                print(
                    "    各阶段 墙钟/CPU（到该阶段末的进程峰值 RSS）："
                    + "；".join(
                        f"{STAGE_NAMES.get(k, k)} {f['stage_wall'][k]:.2f}/{v:.2f} s（{f['stage_peak'][k]:.0f} MiB）"
                        for k, v in f["stage_cpu"].items()
                    )
                )
            if "floor_p50" in f:  # against the least possible largest probability under the 专业 rule
                print(f"    最大单对概率/专业规则下限 p50 {f['floor_p50']:.2f}，p95 {f['floor_p95']:.2f}")


if __name__ == "__main__":
    main()
