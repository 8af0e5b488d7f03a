"""Verifiable random draw of 专家 from the 专家库 for the targets whose items need one (玉溪: 专家库; 平顶山:
业务指导专家 by 专业).

Pure Python, no Django. The result is a function of the inputs and the public randomness only:

    seed = SHA-256(canonical JSON ["ssj-experts", 1, inputs digest, randomness strings, match record digest])
    for each request (target id, 专业 code) in sorted order:
        eligible = experts qualified for the 专业, without a 回避 with the target, not yet on that target's
                   team, below the per-expert cap — in id order
        pick     = eligible[uniform(len(eligible))] from ``core.draw.engine.Stream(seed, "<target>|<专业>", 0)``

so each eligible expert of a request has the same chance, the candidates are not knowable before the
randomness is announced, and anyone can re-run it from the published record (``verify_expert_record``).
Requests no expert can serve are listed with the reason (the bureau then 指派s one, recorded as such).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shuangsuiji.core.draw.engine import Stream
from shuangsuiji.core.draw.model import canonical_json, sha256_hex
from shuangsuiji.core.verification import Verification

RECORD_TYPE = "ssj-expert-draw"
ALGORITHM_VERSION = 1


class ExpertInputError(ValueError):
    """The inputs cannot be drawn from (message in Chinese for the user)."""


@dataclass(frozen=True)
class ExpertRequest:
    """One target needs one expert of one 专业."""

    target: str
    specialty: str


@dataclass(frozen=True)
class Expert:
    id: str
    specialties: tuple[str, ...]
    conflicts: tuple[str, ...] = ()  # target ids the expert must not inspect (回避)


@dataclass(frozen=True)
class ExpertInputs:
    requests: tuple[ExpertRequest, ...]
    experts: tuple[Expert, ...]
    max_per_expert: int = 8
    match_digest: str = ""  # the confirmed match the experts join


@dataclass(frozen=True)
class Selection:
    target: str
    specialty: str
    expert: str
    eligible: int


@dataclass(frozen=True)
class Shortfall:
    target: str
    specialty: str
    reason: str


@dataclass
class ExpertResult:
    selections: list[Selection] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


def clean_randomness(randomness: Sequence[str]) -> list[str]:
    cleaned = [" ".join(str(s).split()) for s in randomness if str(s).strip()]
    if not cleaned:
        raise ExpertInputError("请填写公开随机数（如公布的开奖号码）")
    return cleaned


def encode_inputs(inputs: ExpertInputs) -> dict[str, Any]:
    return {
        "requests": sorted([r.target, r.specialty] for r in inputs.requests),
        "experts": sorted(
            [e.id, sorted(set(e.specialties)), sorted(set(e.conflicts))] for e in inputs.experts
        ),
        "max_per_expert": inputs.max_per_expert,
        "match_digest": inputs.match_digest,
    }


def decode_inputs(data: Mapping[str, Any]) -> ExpertInputs:
    try:
        return ExpertInputs(
            requests=tuple(ExpertRequest(str(t), str(s)) for t, s in data["requests"]),
            experts=tuple(Expert(str(i), tuple(map(str, sp)), tuple(map(str, cf))) for i, sp, cf in data["experts"]),
            max_per_expert=int(data["max_per_expert"]),
            match_digest=str(data.get("match_digest", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ExpertInputError(f"专家抽取记录的输入格式不正确：{exc}") from None


def _validate(inputs: ExpertInputs) -> None:
    if inputs.max_per_expert < 1:
        raise ExpertInputError("每名专家最多参加的户数须不少于1")
    ids = [e.id for e in inputs.experts]
    if len(ids) != len(set(ids)):
        raise ExpertInputError("专家库中有重复的专家编号")
    pairs = [(r.target, r.specialty) for r in inputs.requests]
    if len(pairs) != len(set(pairs)):
        raise ExpertInputError("同一检查对象的同一专业重复申请专家")


def compute_seed(inputs: ExpertInputs, randomness: Sequence[str]) -> str:
    payload = ["ssj-experts", ALGORITHM_VERSION, sha256_hex(encode_inputs(inputs)), list(randomness),
               inputs.match_digest]
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def draw_experts(inputs: ExpertInputs, randomness: Sequence[str]) -> ExpertResult:
    _validate(inputs)
    randomness = clean_randomness(randomness)
    seed = compute_seed(inputs, randomness)
    experts = sorted(inputs.experts, key=lambda e: e.id)
    load: dict[str, int] = {}
    on_target: dict[str, set[str]] = {}
    result = ExpertResult()
    for request in sorted(inputs.requests, key=lambda r: (r.target, r.specialty)):
        qualified = [e for e in experts if request.specialty in e.specialties]
        if not qualified:
            result.shortfalls.append(Shortfall(request.target, request.specialty, "专家库中没有该专业的专家"))
            continue
        free = [e for e in qualified if request.target not in e.conflicts]
        if not free:
            result.shortfalls.append(Shortfall(request.target, request.specialty, "该专业的专家均须回避"))
            continue
        taken = on_target.setdefault(request.target, set())
        eligible = [e for e in free if e.id not in taken and load.get(e.id, 0) < inputs.max_per_expert]
        if not eligible:
            result.shortfalls.append(
                Shortfall(request.target, request.specialty, "该专业的专家已达每人最多户数或已在本组")
            )
            continue
        stream = Stream(seed, f"{request.target}|{request.specialty}", 0)
        chosen = eligible[stream.uniform(len(eligible))]
        load[chosen.id] = load.get(chosen.id, 0) + 1
        taken.add(chosen.id)
        result.selections.append(Selection(request.target, request.specialty, chosen.id, len(eligible)))
    return result


def build_record(inputs: ExpertInputs, randomness: Sequence[str]) -> dict[str, Any]:
    """The self-contained record (inputs, randomness, seed, result) and its digest."""
    result = draw_experts(inputs, randomness)
    cleaned = clean_randomness(randomness)
    record: dict[str, Any] = {
        "type": RECORD_TYPE,
        "algorithm_version": ALGORITHM_VERSION,
        "inputs": encode_inputs(inputs),
        "inputs_digest": sha256_hex(encode_inputs(inputs)),
        "randomness": cleaned,
        "seed": compute_seed(inputs, cleaned),
        "selections": [[s.target, s.specialty, s.expert, s.eligible] for s in result.selections],
        "shortfalls": [[s.target, s.specialty, s.reason] for s in result.shortfalls],
    }
    record["record_digest"] = record_digest(record)
    return record


def record_digest(record: Mapping[str, Any]) -> str:
    return sha256_hex({k: v for k, v in record.items() if k != "record_digest"})


def verify_expert_record(record: Mapping[str, Any]) -> Verification:
    """Re-run the draw from the record: 一致 (with a note saying what matched) or the problems found."""
    check = Verification()
    if record.get("type") != RECORD_TYPE:
        check.fail("不是专家抽取记录")
        return check
    if record.get("algorithm_version") != ALGORITHM_VERSION:
        check.fail(f"不支持的算法版本：{record.get('algorithm_version')}")
        return check
    if record.get("record_digest") != record_digest(record):
        check.fail("记录摘要与内容不符（记录被改动）")
    try:
        inputs = decode_inputs(record["inputs"])
        again = build_record(inputs, record["randomness"])
    except (ExpertInputError, KeyError) as exc:
        check.fail(f"无法重新计算：{exc}")
        return check
    for key in ("inputs_digest", "seed", "selections", "shortfalls"):
        if again[key] != record.get(key):
            check.fail({"inputs_digest": "输入摘要不一致", "seed": "随机种子不一致",
                        "selections": "抽中专家与重新计算的结果不一致",
                        "shortfalls": "未配齐专家的说明不一致"}[key])
    if check.ok:
        check.notes.append(f"{len(record.get('selections', []))} 人次专家，记录摘要 {record.get('record_digest')}")
    return check
