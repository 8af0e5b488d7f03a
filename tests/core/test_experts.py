"""The expert draw (core.experts): reproducible, verifiable, uniform among eligible experts, rules kept."""

from __future__ import annotations

import copy
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.experts import (
    Expert,
    ExpertInputs,
    ExpertRequest,
    build_record,
    draw_experts,
    verify_expert_record,
)


def _inputs(**overrides: object) -> ExpertInputs:
    values: dict[str, object] = {
        "requests": (ExpertRequest("T1", "radiation"), ExpertRequest("T2", "radiation"),
                     ExpertRequest("T2", "occupational")),
        "experts": (Expert("E1", ("radiation",)), Expert("E2", ("radiation", "occupational")),
                    Expert("E3", ("radiation",), conflicts=("T1",)), Expert("E4", ("occupational",))),
        "max_per_expert": 8,
        "match_digest": "ab" * 32,
    }
    values.update(overrides)
    return ExpertInputs(**values)  # type: ignore[arg-type]


def test_same_inputs_same_result_and_record_verifies() -> None:
    first = build_record(_inputs(), ["2026-11-20 开奖 03 07 12"])
    again = build_record(_inputs(), ["2026-11-20  开奖 03 07 12 "])  # whitespace is normalised
    assert first == again
    assert verify_expert_record(first).ok


def test_request_order_does_not_matter() -> None:
    inputs = _inputs()
    shuffled = _inputs(requests=tuple(reversed(inputs.requests)), experts=tuple(reversed(inputs.experts)))
    assert build_record(inputs, ["x"])["selections"] == build_record(shuffled, ["x"])["selections"]


def test_tampering_is_detected() -> None:
    record = build_record(_inputs(), ["r"])
    changed = copy.deepcopy(record)
    changed["selections"][0][2] = "E9"
    assert not verify_expert_record(changed).ok
    swapped = copy.deepcopy(record)
    swapped["randomness"] = ["other"]
    swapped["record_digest"] = record["record_digest"]
    assert not verify_expert_record(swapped).ok


def test_conflicts_specialty_and_one_expert_per_target() -> None:
    for n in range(200):
        result = draw_experts(_inputs(), [f"r{n}"])
        by = {(s.target, s.specialty): s.expert for s in result.selections}
        assert by[("T1", "radiation")] in {"E1", "E2"}  # E3 declared a conflict with T1
        assert by[("T2", "occupational")] in {"E2", "E4"}
        assert by[("T2", "radiation")] != by[("T2", "occupational")]  # never the same person twice on a team


def test_shortfall_reasons() -> None:
    result = draw_experts(
        _inputs(requests=(ExpertRequest("T1", "blood"), ExpertRequest("T1", "radiation")),
                experts=(Expert("E3", ("radiation",), conflicts=("T1",)),)),
        ["r"],
    )
    reasons = {s.specialty: s.reason for s in result.shortfalls}
    assert reasons == {"blood": "专家库中没有该专业的专家", "radiation": "该专业的专家均须回避"}


def test_cap_per_expert() -> None:
    requests = tuple(ExpertRequest(f"T{i}", "radiation") for i in range(5))
    result = draw_experts(
        _inputs(requests=requests, experts=(Expert("E1", ("radiation",)), Expert("E2", ("radiation",))),
                max_per_expert=2), ["r"],
    )
    counts = Counter(s.expert for s in result.selections)
    assert max(counts.values()) <= 2 and len(result.selections) == 4 and len(result.shortfalls) == 1


def test_each_eligible_expert_equally_likely() -> None:
    """Over 3000 randomness strings each of 3 eligible experts is picked for T1 about 1/3 of the time."""
    inputs = _inputs(requests=(ExpertRequest("T1", "radiation"),),
                     experts=(Expert("E1", ("radiation",)), Expert("E2", ("radiation",)), Expert("E5", ("radiation",))))
    counts = Counter(draw_experts(inputs, [f"draw {n}"]).selections[0].expert for n in range(3000))
    assert set(counts) == {"E1", "E2", "E5"}
    for value in counts.values():
        assert 850 < value < 1150  # expected 1000, sd ≈ 26


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["radiation", "occupational", "medical"]), min_size=1, max_size=12),
       st.integers(min_value=1, max_value=4), st.text(min_size=1, max_size=12).filter(lambda s: s.strip()))
def test_invariants(specialties: list[str], cap: int, randomness: str) -> None:
    requests = tuple(dict.fromkeys(ExpertRequest(f"T{i // 2}", s) for i, s in enumerate(specialties)))
    experts = (Expert("E1", ("radiation", "medical")), Expert("E2", ("occupational",)),
               Expert("E3", ("medical", "occupational"), conflicts=("T0",)))
    inputs = ExpertInputs(requests=requests, experts=experts, max_per_expert=cap)
    result = draw_experts(inputs, [randomness])
    assert len(result.selections) + len(result.shortfalls) == len(requests)
    qualified = {e.id: e for e in experts}
    for s in result.selections:
        assert s.specialty in qualified[s.expert].specialties and s.target not in qualified[s.expert].conflicts
    assert all(v <= cap for v in Counter(s.expert for s in result.selections).values())
    assert verify_expert_record(build_record(inputs, [randomness])).ok
