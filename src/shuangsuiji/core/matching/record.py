"""The published match record: build, verify (Chinese verdict) and re-match of one slot."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from shuangsuiji.core.matching.engine import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    LEGACY_ALGORITHMS,
    NO_DATE,
    _prepare,
    derive_seed,
    match_version,
)
from shuangsuiji.core.matching.model import (
    Basis,
    FairnessReport,
    FallbackPolicy,
    InspectorKind,
    MatchError,
    MatchInputs,
    MatchResult,
    TargetAssignment,
    TeamMember,
    encode_params,
    input_digests,
    sha256_hex,
)
from shuangsuiji.core.matching.validation import validate_inputs
from shuangsuiji.core.verification import Verification

RECORD_TYPE = "ssj.match"


# `ssj match verify` prints ``verification.summary(*RECORD_HEADLINES)``.
RECORD_HEADLINES = (
    "验证通过：记录与输入数据、公开随机数完全一致。",
    "验证失败：记录与重新计算的结果不一致。",
)


def _member(member: TeamMember) -> dict[str, Any]:
    return {
        "inspector_id": member.inspector_id,
        "kind": member.kind.value,
        "covers": list(member.covers),
        "basis": member.basis.value,
        "probability": member.probability,
    }


def _assignment(assignment: TargetAssignment) -> dict[str, Any]:
    return {
        "target_id": assignment.target_id,
        "team": [_member(m) for m in assignment.team],
        "experts": [_member(m) for m in assignment.experts],
    }


def _fairness(report: FairnessReport, version: str = ALGORITHM_VERSION) -> dict[str, Any]:
    fields = {
        "loads": [
            {"inspector_id": x.inspector_id, "expected_load": x.expected_load, "actual_load": x.actual_load}
            for x in report.loads
        ],
        "max_pair_probability": report.max_pair_probability,
        "effective_probability_cap": report.effective_probability_cap,
        "staffed_count": report.staffed_count,
        "unstaffed_count": report.unstaffed_count,
        "max_flow_bound": report.max_flow_bound,
        "total_expected_load": report.total_expected_load,
        "total_actual_load": report.total_actual_load,
        "active_inspectors": report.active_inspectors,
        "spread_actual": report.spread_actual,
        "spread_expected": report.spread_expected,
        "spread_ideal": report.spread_ideal,
    }
    if version == "1.0":  # 1.0 records have exactly the fields above
        return fields
    return {
        **fields,
        "targets": [
            {
                "target_id": row.target_id,
                "eligible": row.eligible,
                "team_size": row.team_size,
                "max_probability": row.max_probability,
                "uniform_share": row.uniform_share,
                "team_guess_bound": row.team_guess_bound,
                "rule_floor": row.rule_floor,
            }
            for row in report.targets
        ],
        "summary": dict(sorted(report.summary.items())),
        "mixed_share": report.mixed_share,
        "pair_digest": report.pair_digest,
    }


def algorithm_of(version: str) -> dict[str, str]:
    name = ALGORITHM_NAME if version == ALGORITHM_VERSION else LEGACY_ALGORITHMS.get(version, "")
    return {"name": name, "version": version}


def _seal(record: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in record.items() if k != "record_digest"}
    record["record_digest"] = sha256_hex(body)
    return record


def record_from_result(
    inputs: MatchInputs, randomness: Sequence[str], result: MatchResult, version: str = ALGORITHM_VERSION
) -> dict[str, Any]:
    digests = result.input_digests or input_digests(inputs)
    drawn = sum(len(a.team) + len(a.experts) for a in result.assignments)
    record: dict[str, Any] = {
        "type": RECORD_TYPE,
        "algorithm": algorithm_of(version),
        "input_digests": digests,
        "params": encode_params(inputs.params),
        "randomness": [s.strip() for s in randomness],
        "seed": result.seed or derive_seed(randomness, digests),
        "assignments": [_assignment(a) for a in result.assignments],
        "unstaffed": [{"target_id": u.target_id, "reason": u.reason} for u in result.unstaffed],
        "expert_shortfall": list(result.expert_shortfall),
        "fairness": _fairness(result.fairness, version),
        "previous_record_digest": None,
        "changes": [],
        "swap_count": 0,
        "swap_limit": math.floor(inputs.params.swap_limit_ratio * drawn + 1e-9),
    }
    return _seal(record)


def build_record(
    inputs: MatchInputs, randomness: Sequence[str], version: str = ALGORITHM_VERSION
) -> dict[str, Any]:
    """Run the matching (the current algorithm unless an older version is asked for) and seal the record."""
    return record_from_result(inputs, randomness, match_version(inputs, randomness, version), version)


def rematch_slot(
    previous_record: dict[str, Any],
    inputs: MatchInputs,
    *,
    target_id: str,
    inspector_id: str,
    reason: str,
    randomness: Sequence[str],
) -> dict[str, Any]:
    """Replace one inspector on one target; returns a new record referencing (not altering) the old one.

    The replacement is drawn uniformly among the eligible inspectors of the nearest allowed region tier
    who are not on the team yet, still have workload room, have no conflict and keep every 专业 covered.
    """
    validate_inputs(inputs)
    if not reason.strip():
        raise MatchError("替换检查人员必须填写理由")
    if not [s for s in randomness if s.strip()]:
        raise MatchError("替换检查人员必须提供新的公开随机数")
    swap_count = int(previous_record.get("swap_count", 0)) + 1
    swap_limit = int(previous_record.get("swap_limit", 0))
    if swap_count > swap_limit:
        raise MatchError(
            f"替换次数已达上限：最多可替换 {swap_limit} 人次（抽中人员的{inputs.params.swap_limit_ratio:.0%}）"
        )
    record = copy.deepcopy(previous_record)
    record.pop("record_digest", None)
    slot = next((a for a in record["assignments"] if a["target_id"] == target_id), None)
    if slot is None:
        raise MatchError(f"检查对象 {target_id} 不在原匹配结果中")
    members = slot["team"] + slot["experts"]
    old = next((m for m in members if m["inspector_id"] == inspector_id), None)
    if old is None:
        raise MatchError(f"检查人员 {inspector_id} 不在检查对象 {target_id} 的检查组中")

    digests = input_digests(inputs)
    prep = _prepare(inputs, digests["targets"])
    if target_id not in prep.target_ids:
        raise MatchError(f"检查对象 {target_id} 不在本次输入数据中")
    t_row = prep.target_ids.index(target_id)
    is_expert = old["kind"] == InspectorKind.EXPERT.value
    n_i = len(prep.inspector_ids)
    row_of = {iid: k for k, iid in enumerate(prep.inspector_ids)}
    load = np.zeros(n_i, dtype=np.int64)
    for assignment in record["assignments"]:
        for member in assignment["team"] + assignment["experts"]:
            if member["inspector_id"] in row_of:
                load[row_of[member["inspector_id"]]] += 1
    keys = t_row * n_i + np.arange(n_i, dtype=np.int64)
    eligible = prep.i_on_duty & ~np.isin(keys, prep.excluded_keys)
    eligible &= prep.i_existing + load < inputs.params.max_targets_per_inspector
    for member in members:
        if member["inspector_id"] in row_of:
            eligible[row_of[member["inspector_id"]]] = False
    if is_expert:
        eligible &= prep.i_expert & ((prep.i_mask & prep.t_mask[t_row]) != 0)
    else:
        eligible &= prep.i_law & (prep.i_lic_from != NO_DATE) & (prep.i_lic_from <= prep.t_start[t_row])
        eligible &= prep.i_lic_to >= prep.t_end[t_row]
        # 专业 that no remaining member covers must be covered by the replacement.
        remaining_quals = 0
        for member in slot["team"]:
            if member["inspector_id"] != inspector_id and member["inspector_id"] in row_of:
                remaining_quals |= int(prep.i_mask[row_of[member["inspector_id"]]])
        required = int(prep.t_mask[t_row]) & ~remaining_quals
        eligible &= (prep.i_mask & required) == required

    region = int(prep.t_region[t_row])
    tiers: list[tuple[Basis, set[int]]] = [(Basis.SAME_REGION, {region})]
    if inputs.params.fallback in (FallbackPolicy.ADJACENT, FallbackPolicy.DIRECT):
        tiers.append((Basis.ADJACENT_REGION, set(prep.neighbours[region])))
    if inputs.params.fallback is FallbackPolicy.DIRECT:
        tiers.append(
            (Basis.DIRECT_ASSIGNMENT, set(range(len(prep.region_names))) - {region, *prep.neighbours[region]})
        )
    candidates: list[int] = []
    basis = Basis.SAME_REGION
    for tier, regions in tiers:
        candidates = [k for k in np.flatnonzero(eligible).tolist() if int(prep.i_region[k]) in regions]
        if candidates:
            basis = tier
            break
    if not candidates:
        raise MatchError(
            f"检查对象 {target_id} 没有可替换的人员（资格、执法证、回避、工作量或区域条件均无人满足）"
        )

    seed_payload = [previous_record["record_digest"], target_id, inspector_id, *randomness]
    rng = np.random.Generator(np.random.PCG64(int(derive_seed(seed_payload, digests), 16)))
    chosen = candidates[int(rng.integers(len(candidates)))]
    qualified = {
        prep.specialty_names[s]
        for s in range(len(prep.specialty_names))
        if (int(prep.i_mask[chosen]) >> s) & 1
    }
    new_member = {
        "inspector_id": prep.inspector_ids[chosen],
        "kind": prep.i_kind[chosen].value,
        "covers": [c for c in old["covers"] if c in qualified],
        "basis": basis.value,
        "probability": 1.0 / len(candidates),
    }
    listing = "experts" if is_expert else "team"
    slot[listing] = [new_member if m["inspector_id"] == inspector_id else m for m in slot[listing]]
    for entry in record["fairness"]["loads"]:
        if entry["inspector_id"] == inspector_id:
            entry["actual_load"] -= 1
        elif entry["inspector_id"] == new_member["inspector_id"]:
            entry["actual_load"] += 1
    record["changes"] = [
        *record.get("changes", []),
        {
            "target_id": target_id,
            "replaced": inspector_id,
            "replacement": new_member["inspector_id"],
            "reason": reason.strip(),
            "randomness": [s.strip() for s in randomness],
            "candidate_count": len(candidates),
            "probability": new_member["probability"],
            "basis": basis.value,
        },
    ]
    record["previous_record_digest"] = previous_record["record_digest"]
    record["input_digests"] = digests
    record["swap_count"] = swap_count
    return _seal(record)


def verify_record(
    record: dict[str, Any], inputs: MatchInputs, previous_record: dict[str, Any] | None = None
) -> Verification:
    """Recompute a record from its inputs (and, for a re-match, from the record it replaces)."""
    messages: list[str] = []
    body = {k: v for k, v in record.items() if k != "record_digest"}
    if sha256_hex(body) != record.get("record_digest"):
        messages.append("记录摘要不一致：记录内容在生成后被修改过")
    algorithm = record.get("algorithm", {})
    version = str(algorithm.get("version", "")) if isinstance(algorithm, dict) else ""
    if algorithm != algorithm_of(version) or not algorithm_of(version)["name"]:
        known = "、".join(f"{algorithm_of(v)['name']} v{v}" for v in [ALGORITHM_VERSION, *LEGACY_ALGORITHMS])
        return Verification.of(False, [*messages, f"未知的匹配算法：记录为 {algorithm}，本程序支持 {known}"])
    labels = {
        "targets": "检查对象",
        "inspectors": "检查人员",
        "conflicts": "回避记录",
        "history": "历史匹配记录",
        "adjacency": "区域相邻表",
        "params": "参数",
    }
    digests = input_digests(inputs)
    recorded = record.get("input_digests", {})
    for key, label in labels.items():
        if recorded.get(key) != digests[key]:
            messages.append(f"{label}数据摘要不一致：提供的{label}与记录所用的不同")
    try:
        if record.get("previous_record_digest"):
            if previous_record is None:
                return Verification.of(False, [*messages, "这是一条替换记录，验证时需要提供原记录"])
            if previous_record.get("record_digest") != record["previous_record_digest"]:
                messages.append("所提供的原记录与替换记录引用的原记录摘要不一致")
            change = record["changes"][-1]
            expected = rematch_slot(
                previous_record,
                inputs,
                target_id=change["target_id"],
                inspector_id=change["replaced"],
                reason=change["reason"],
                randomness=change["randomness"],
            )
        else:
            expected = build_record(inputs, record.get("randomness", []), version)
    except (MatchError, ValueError) as error:
        return Verification.of(False, [*messages, f"无法重新计算：{error}"])
    for key, label in (
        ("assignments", "匹配结果"),
        ("unstaffed", "未配齐清单及原因"),
        ("fairness", "公平性报告"),
    ):
        if expected[key] != record.get(key):
            messages.append(f"{label}与重新计算的结果不一致")
    if not messages and expected["record_digest"] != record.get("record_digest"):
        messages.append("重新计算的记录摘要与记录不一致")
    if messages:
        return Verification.of(False, messages)
    staffed = len(record["assignments"])
    return Verification.of(
        True,
        [
            f"重新计算得到相同的匹配：{staffed} 个检查对象已配齐，{len(record['unstaffed'])} 个未配齐",
            f"记录摘要 {record['record_digest']}",
        ],
    )
