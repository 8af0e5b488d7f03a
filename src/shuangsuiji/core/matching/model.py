"""Input/output dataclasses of the inspector-matching engine and their canonical encodings.

Everything here is plain data: the engine (`engine.py`) and the record (`record.py`) take and return these
types. Canonical encodings (sorted, JSON with sorted keys) make the SHA-256 digests independent of the
order in which rows were read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class MatchInputError(ValueError):
    """Bad input for matching; the message is Chinese and meant for the end user."""


class MatchError(RuntimeError):
    """A matching operation that cannot be carried out (e.g. the swap limit is reached)."""


class InspectorKind(StrEnum):
    LAW_ENFORCEMENT = "执法人员"
    AUXILIARY = "辅助检查人员"
    EXPERT = "专家"


class InspectorStatus(StrEnum):
    ON_DUTY = "在岗"
    ON_LEAVE = "休假"
    TRANSFERRED = "调离"


class FallbackPolicy(StrEnum):
    """What to do when a target's own region cannot staff it (DESIGN §5)."""

    NONE = "none"  # same region only; otherwise unstaffed
    ADJACENT = "adjacent"  # same region first, then adjacent regions
    DIRECT = "direct"  # same, then adjacent, then any region as 直接委派 with the recorded reason


class Basis(StrEnum):
    """Why an inspector from this region may serve the target."""

    SAME_REGION = "本区域"
    ADJACENT_REGION = "相邻区域"
    DIRECT_ASSIGNMENT = "直接委派"


@dataclass(frozen=True)
class Target:
    id: str
    region: str
    specialties: frozenset[str]  # 专业 of the items to check; each needs one qualified team member
    window_start: date
    window_end: date
    group: str = ""  # target group (集团/连锁) that a conflict may name instead of a single target


@dataclass(frozen=True)
class Inspector:
    id: str
    region: str
    qualifications: frozenset[str]
    licence_valid_from: date | None  # 执法证 validity; None = no licence (experts, auxiliary staff)
    licence_valid_to: date | None
    kind: InspectorKind = InspectorKind.LAW_ENFORCEMENT
    status: InspectorStatus = InspectorStatus.ON_DUTY
    existing_workload: int = 0  # targets already assigned in this task; counts against the cap


@dataclass(frozen=True)
class Conflict:
    """A declared 利害关系: the inspector must not inspect the target (or any target of the group)."""

    inspector_id: str
    target_id: str = ""
    target_group: str = ""
    period_start: date | None = None  # None = open-ended
    period_end: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class PreviousAssignment:
    inspector_id: str
    target_id: str
    round: str


@dataclass(frozen=True)
class RegionAdjacency:
    region_a: str
    region_b: str  # "" declares region_a as a known region without neighbours


@dataclass(frozen=True)
class MatchParams:
    team_size: int = 2
    max_targets_per_inspector: int = 8
    add_experts: bool = False
    fallback: FallbackPolicy = FallbackPolicy.ADJACENT
    direct_assignment_reason: str = ""
    probability_cap: float = 0.5
    swap_limit_ratio: float = 0.15
    previous_round: str = ""  # which history round to avoid; "" = every history row given


@dataclass(frozen=True)
class MatchInputs:
    targets: tuple[Target, ...]
    inspectors: tuple[Inspector, ...]
    conflicts: tuple[Conflict, ...] = ()
    history: tuple[PreviousAssignment, ...] = ()
    adjacency: tuple[RegionAdjacency, ...] = ()
    params: MatchParams = field(default_factory=MatchParams)


@dataclass(frozen=True)
class TeamMember:
    inspector_id: str
    kind: InspectorKind
    covers: tuple[str, ...]  # 专业 this member is responsible for ("" tuple = general member)
    basis: Basis
    probability: float  # marginal probability that this inspector is on this target's team


@dataclass(frozen=True)
class TargetAssignment:
    target_id: str
    team: tuple[TeamMember, ...]
    experts: tuple[TeamMember, ...] = ()


@dataclass(frozen=True)
class UnstaffedTarget:
    target_id: str
    reason: str


@dataclass(frozen=True)
class InspectorLoad:
    inspector_id: str
    expected_load: float  # sum of marginal probabilities over targets (this task only)
    actual_load: int


@dataclass(frozen=True)
class TargetFairness:
    """How random one staffed target's team is (algorithm 2.0)."""

    target_id: str
    eligible: int  # candidate 执法人员 of the target (all region tiers it may use)
    team_size: int
    max_probability: float  # largest pair probability of the target
    uniform_share: float  # team_size / eligible: every candidate's chance under a uniform draw
    team_guess_bound: float  # the team_size-th largest pair probability: no guess of the whole team beats it
    rule_floor: float = (
        0.0  # least possible largest probability under the 专业 rule: max(n/E, 1/专业 group size)
    )


@dataclass(frozen=True)
class FairnessReport:
    loads: tuple[InspectorLoad, ...]
    max_pair_probability: float
    effective_probability_cap: float
    staffed_count: int
    unstaffed_count: int
    max_flow_bound: int  # upper bound on the number of targets that can be fully staffed
    total_expected_load: float
    total_actual_load: int
    active_inspectors: int  # 执法人员 that were a candidate for at least one target
    spread_actual: float  # max / mean actual load over active inspectors
    spread_expected: float  # max / mean expected load over active inspectors
    spread_ideal: float  # ceil(mean) / mean: the best max/mean any integral assignment can reach
    # Algorithm 2.0 and later (absent from 1.0 records):
    targets: tuple[TargetFairness, ...] = ()
    summary: dict[str, float] = field(default_factory=dict)  # percentiles over the staffed targets
    mixed_share: float = 0.0  # share of the flow solution mixed in to meet the caps exactly (0 = none)
    pair_digest: str = ""  # SHA-256 of the table of every candidate pair's probability


@dataclass(frozen=True)
class MatchResult:
    assignments: tuple[TargetAssignment, ...]
    unstaffed: tuple[UnstaffedTarget, ...]
    fairness: FairnessReport
    expert_shortfall: tuple[str, ...] = ()  # staffed targets for which no expert could be added
    input_digests: dict[str, str] = field(default_factory=dict)
    seed: str = ""  # hex SHA-256 the sampler was seeded with


# ---------------------------------------------------------------------------------------------- encoding


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def encode_target(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "region": target.region,
        "specialties": sorted(target.specialties),
        "window_start": _iso(target.window_start),
        "window_end": _iso(target.window_end),
        "group": target.group,
    }


def encode_inspector(inspector: Inspector) -> dict[str, Any]:
    return {
        "id": inspector.id,
        "region": inspector.region,
        "qualifications": sorted(inspector.qualifications),
        "licence_valid_from": _iso(inspector.licence_valid_from),
        "licence_valid_to": _iso(inspector.licence_valid_to),
        "kind": inspector.kind.value,
        "status": inspector.status.value,
        "existing_workload": inspector.existing_workload,
    }


def encode_conflict(conflict: Conflict) -> dict[str, Any]:
    return {
        "inspector_id": conflict.inspector_id,
        "target_id": conflict.target_id,
        "target_group": conflict.target_group,
        "period_start": _iso(conflict.period_start),
        "period_end": _iso(conflict.period_end),
        "reason": conflict.reason,
    }


def encode_history(row: PreviousAssignment) -> dict[str, Any]:
    return {"inspector_id": row.inspector_id, "target_id": row.target_id, "round": row.round}


def encode_adjacency(row: RegionAdjacency) -> list[str]:
    return sorted([row.region_a, row.region_b])  # adjacency is symmetric


def encode_params(params: MatchParams) -> dict[str, Any]:
    return {
        "team_size": params.team_size,
        "max_targets_per_inspector": params.max_targets_per_inspector,
        "add_experts": params.add_experts,
        "fallback": params.fallback.value,
        "direct_assignment_reason": params.direct_assignment_reason,
        "probability_cap": params.probability_cap,
        "swap_limit_ratio": params.swap_limit_ratio,
        "previous_round": params.previous_round,
    }


def _sorted_encoded(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda row: canonical_json(row))


def input_digests(inputs: MatchInputs) -> dict[str, str]:
    """SHA-256 of the canonical (sorted) encoding of each input table."""
    return {
        "targets": sha256_hex(_sorted_encoded([encode_target(t) for t in inputs.targets])),
        "inspectors": sha256_hex(_sorted_encoded([encode_inspector(i) for i in inputs.inspectors])),
        "conflicts": sha256_hex(_sorted_encoded([encode_conflict(c) for c in inputs.conflicts])),
        "history": sha256_hex(_sorted_encoded([encode_history(h) for h in inputs.history])),
        "adjacency": sha256_hex(sorted({tuple(encode_adjacency(a)) for a in inputs.adjacency})),
        "params": sha256_hex(encode_params(inputs.params)),
    }
