"""Random inspector matching (DESIGN §5): qualifications, region fallback, 回避 and measurable fairness.

See `engine.py` for the method. Public API re-exported here.
"""

from shuangsuiji.core.matching.engine import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    effective_denominator,
    match,
    match_version,
    pair_table,
)
from shuangsuiji.core.matching.model import (
    Basis,
    Conflict,
    FairnessReport,
    FallbackPolicy,
    Inspector,
    InspectorKind,
    InspectorLoad,
    InspectorStatus,
    MatchError,
    MatchInputError,
    MatchInputs,
    MatchParams,
    MatchResult,
    PreviousAssignment,
    RegionAdjacency,
    Target,
    TargetAssignment,
    TargetFairness,
    TeamMember,
    UnstaffedTarget,
    input_digests,
)
from shuangsuiji.core.matching.record import RECORD_HEADLINES, build_record, rematch_slot, verify_record
from shuangsuiji.core.matching.validation import validate_inputs

__all__ = [
    "ALGORITHM_NAME",
    "ALGORITHM_VERSION",
    "RECORD_HEADLINES",
    "Basis",
    "Conflict",
    "FairnessReport",
    "FallbackPolicy",
    "Inspector",
    "InspectorKind",
    "InspectorLoad",
    "InspectorStatus",
    "MatchError",
    "MatchInputError",
    "MatchInputs",
    "MatchParams",
    "MatchResult",
    "PreviousAssignment",
    "RegionAdjacency",
    "Target",
    "TargetAssignment",
    "TargetFairness",
    "TeamMember",
    "UnstaffedTarget",
    "build_record",
    "effective_denominator",
    "input_digests",
    "match",
    "match_version",
    "pair_table",
    "rematch_slot",
    "validate_inputs",
    "verify_record",
]
