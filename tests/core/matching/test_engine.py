"""Properties of the inspector matching engine (DESIGN §5)."""

from __future__ import annotations

import copy
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.core.matching import (
    Basis,
    Conflict,
    FallbackPolicy,
    Inspector,
    InspectorKind,
    InspectorStatus,
    MatchError,
    MatchInputError,
    MatchInputs,
    MatchParams,
    MatchResult,
    PreviousAssignment,
    RegionAdjacency,
    Target,
    build_record,
    match,
    rematch_slot,
    verify_record,
)

SPECIALTIES = ("公共场所卫生", "放射卫生", "职业卫生", "学校卫生")
REGIONS = ("甲区", "乙区", "丙区")
WINDOW = date(2024, 6, 1)


@st.composite
def instances(draw: st.DrawFn) -> MatchInputs:
    n_regions = draw(st.integers(1, 3))
    regions = REGIONS[:n_regions]
    targets = []
    for k in range(draw(st.integers(1, 8))):
        start = WINDOW + timedelta(days=draw(st.integers(0, 20)))
        targets.append(
            Target(
                id=f"T{k}",
                region=draw(st.sampled_from(regions)),
                specialties=frozenset(draw(st.sets(st.sampled_from(SPECIALTIES), min_size=1, max_size=2))),
                window_start=start,
                window_end=start + timedelta(days=draw(st.integers(0, 10))),
                group=draw(st.sampled_from(["", "G1", "G2"])),
            )
        )
    inspectors = []
    for k in range(draw(st.integers(2, 14))):
        licence_start = WINDOW + timedelta(days=draw(st.integers(-400, 15)))
        inspectors.append(
            Inspector(
                id=f"I{k:02d}",
                region=draw(st.sampled_from(regions)),
                qualifications=frozenset(draw(st.sets(st.sampled_from(SPECIALTIES), min_size=1, max_size=3))),
                licence_valid_from=licence_start,
                licence_valid_to=licence_start + timedelta(days=draw(st.integers(0, 800))),
                kind=draw(st.sampled_from([InspectorKind.LAW_ENFORCEMENT] * 4 + [InspectorKind.EXPERT])),
                status=draw(st.sampled_from([InspectorStatus.ON_DUTY] * 5 + [InspectorStatus.ON_LEAVE])),
                existing_workload=draw(st.integers(0, 1)),
            )
        )
    law = [
        i
        for i in inspectors
        if i.kind is InspectorKind.LAW_ENFORCEMENT and i.status is InspectorStatus.ON_DUTY
    ]
    team_size = draw(st.integers(2, 3))
    if len(law) < team_size:  # rejected by validation: covered by its own test
        inspectors += [
            Inspector(f"X{k}", regions[0], frozenset({SPECIALTIES[0]}), date(2020, 1, 1), date(2030, 1, 1))
            for k in range(team_size)
        ]
    conflicts = []
    for k in draw(st.sets(st.integers(0, 40), max_size=6)):
        inspector = inspectors[k % len(inspectors)]
        if k % 3 == 0 and any(t.group for t in targets):
            group = next(t.group for t in targets if t.group)
            conflicts.append(Conflict(inspector.id, target_group=group, reason="亲属"))
        else:
            target = targets[k % len(targets)]
            conflicts.append(
                Conflict(
                    inspector.id,
                    target_id=target.id,
                    period_start=WINDOW,
                    period_end=WINDOW + timedelta(days=k),
                )
            )
    history = [
        PreviousAssignment(inspectors[k % len(inspectors)].id, targets[k % len(targets)].id, "2023")
        for k in draw(st.sets(st.integers(0, 30), max_size=4))
    ]
    adjacency = [RegionAdjacency(a, b) for a, b in zip(regions, regions[1:], strict=False)] or [
        RegionAdjacency(regions[0], "")
    ]
    params = MatchParams(
        team_size=team_size,
        max_targets_per_inspector=draw(st.integers(1, 4)),
        add_experts=draw(st.booleans()),
        fallback=draw(st.sampled_from(list(FallbackPolicy))),
        direct_assignment_reason="本区域及相邻区域人员不足",
        probability_cap=draw(st.sampled_from([0.5, 0.3, 0.25, 1.0])),
    )
    unique_conflicts = tuple(dict.fromkeys(conflicts))  # duplicates are rejected by validation
    return MatchInputs(
        tuple(targets), tuple(inspectors), unique_conflicts, tuple(history), tuple(adjacency), params
    )


def assert_hard_constraints(inputs: MatchInputs, result: MatchResult) -> None:
    params = inputs.params
    targets = {t.id: t for t in inputs.targets}
    inspectors = {i.id: i for i in inputs.inspectors}
    neighbours = {(a.region_a, a.region_b) for a in inputs.adjacency} | {
        (a.region_b, a.region_a) for a in inputs.adjacency
    }
    load: Counter[str] = Counter()
    for assignment in result.assignments:
        target = targets[assignment.target_id]
        team = [inspectors[m.inspector_id] for m in assignment.team]
        assert len(team) == max(params.team_size, len(target.specialties))
        assert len({i.id for i in team}) == len(team)
        for spec in target.specialties:
            assert any(spec in i.qualifications for i in team), f"{spec} not covered on {target.id}"
        for member in assignment.team + assignment.experts:
            inspector = inspectors[member.inspector_id]
            load[inspector.id] += 1
            assert inspector.status is InspectorStatus.ON_DUTY
            assert 0 < member.probability <= params.probability_cap
            for conflict in inputs.conflicts:
                if conflict.inspector_id == inspector.id and (
                    conflict.target_id == target.id
                    or (conflict.target_group and conflict.target_group == target.group)
                ):
                    before = conflict.period_end is not None and conflict.period_end < target.window_start
                    after = conflict.period_start is not None and conflict.period_start > target.window_end
                    assert before or after, f"conflict violated: {inspector.id} on {target.id}"
            if inspector.region == target.region:
                assert member.basis is Basis.SAME_REGION
            elif (inspector.region, target.region) in neighbours:
                assert member.basis is Basis.ADJACENT_REGION and params.fallback is not FallbackPolicy.NONE
            else:
                assert member.basis is Basis.DIRECT_ASSIGNMENT and params.fallback is FallbackPolicy.DIRECT
        for member in assignment.team:
            inspector = inspectors[member.inspector_id]
            assert inspector.kind is InspectorKind.LAW_ENFORCEMENT
            assert inspector.licence_valid_from is not None and inspector.licence_valid_to is not None
            assert (
                inspector.licence_valid_from
                <= target.window_start
                <= target.window_end
                <= inspector.licence_valid_to
            )
            assert not any(
                h.inspector_id == inspector.id and h.target_id == target.id for h in inputs.history
            )
        for member in assignment.experts:
            assert inspectors[member.inspector_id].kind is InspectorKind.EXPERT
    for inspector_id, count in load.items():
        assert count + inspectors[inspector_id].existing_workload <= params.max_targets_per_inspector


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.text(min_size=1, max_size=8))
def test_no_assignment_violates_a_hard_constraint(inputs: MatchInputs, randomness: str) -> None:
    result = match(inputs, [randomness])
    assert_hard_constraints(inputs, result)
    staffed = {a.target_id for a in result.assignments}
    unstaffed = {u.target_id for u in result.unstaffed}
    assert staffed | unstaffed == {t.id for t in inputs.targets} and not staffed & unstaffed
    assert all(u.reason for u in result.unstaffed)
    assert result.fairness.staffed_count <= result.fairness.max_flow_bound


@settings(max_examples=80, deadline=None)
@given(instances(), st.text(min_size=1, max_size=8))
def test_fairness_report_sums(inputs: MatchInputs, randomness: str) -> None:
    result = match(inputs, [randomness])
    report = result.fairness
    team_total = sum(len(a.team) for a in result.assignments)
    assert report.total_actual_load == team_total == sum(x.actual_load for x in report.loads)
    assert report.total_expected_load == pytest.approx(team_total)
    assert sum(x.expected_load for x in report.loads) == pytest.approx(team_total)
    for load in report.loads:  # Euler splitting keeps every load at floor or ceil of its expectation
        assert abs(load.actual_load - load.expected_load) < 1
    assert report.max_pair_probability <= inputs.params.probability_cap
    assert report.staffed_count + report.unstaffed_count == len(inputs.targets)


@settings(max_examples=40, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_same_record_for_any_input_order(inputs: MatchInputs, shuffler: random.Random) -> None:
    def shuffled(rows: tuple) -> tuple:  # type: ignore[type-arg]
        rows_list = list(rows)
        shuffler.shuffle(rows_list)
        return tuple(rows_list)

    reordered = MatchInputs(
        shuffled(inputs.targets),
        shuffled(inputs.inspectors),
        shuffled(inputs.conflicts),
        shuffled(inputs.history),
        shuffled(inputs.adjacency),
        inputs.params,
    )
    assert build_record(inputs, ["公开随机数 42"]) == build_record(reordered, ["公开随机数 42"])


def _inspector(ident: str, region: str, quals: set[str], **changes: object) -> Inspector:
    base = Inspector(ident, region, frozenset(quals), date(2020, 1, 1), date(2030, 1, 1))
    return Inspector(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def _target(ident: str, region: str, specs: set[str], group: str = "") -> Target:
    return Target(ident, region, frozenset(specs), WINDOW, WINDOW + timedelta(days=10), group)


def test_reason_when_no_qualified_inspector_in_region_or_neighbours() -> None:
    inputs = MatchInputs(
        targets=(_target("T1", "甲区", {"放射卫生"}),),
        inspectors=tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}) for k in range(4))
        + (_inspector("R1", "丙区", {"放射卫生"}),),
        adjacency=(RegionAdjacency("甲区", "乙区"), RegionAdjacency("丙区", "")),
    )
    result = match(inputs, ["x"])
    assert [u.reason for u in result.unstaffed] == ["本区域及相邻区域无具备『放射卫生』资格的在岗执法人员"]


def test_reason_when_conflicts_leave_too_few_people() -> None:
    inspectors = tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}) for k in range(3))
    conflicts = (Conflict("I0", target_id="T1"), Conflict("I1", target_group="连锁"))
    inputs = MatchInputs((_target("T1", "甲区", {"公共场所卫生"}, group="连锁"),), inspectors, conflicts)
    assert [u.reason for u in match(inputs, ["x"]).unstaffed] == ["回避后可用人员不足2人"]


def test_reason_when_workload_cap_is_full() -> None:
    inspectors = tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}, existing_workload=2) for k in range(4))
    inputs = MatchInputs(
        (_target("T1", "甲区", {"公共场所卫生"}),),
        inspectors,
        params=MatchParams(max_targets_per_inspector=2),
    )
    assert match(inputs, ["x"]).unstaffed[0].reason.startswith("工作量上限已满")


def test_reason_when_probability_cap_needs_more_candidates() -> None:
    inspectors = tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}) for k in range(3))
    inputs = MatchInputs((_target("T1", "甲区", {"公共场所卫生"}),), inspectors)
    result = match(inputs, ["x"])
    assert "要求至少4人" in result.unstaffed[0].reason
    relaxed = MatchInputs(inputs.targets, inputs.inspectors, params=MatchParams(probability_cap=1.0))
    assert [a.target_id for a in match(relaxed, ["x"]).assignments] == ["T1"]


def test_capacity_shortage_staffs_exactly_the_max_flow_bound() -> None:
    inspectors = tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}) for k in range(5))
    targets = tuple(_target(f"T{k}", "甲区", {"公共场所卫生"}) for k in range(6))
    inputs = MatchInputs(targets, inspectors, params=MatchParams(max_targets_per_inspector=2))
    result = match(inputs, ["x"])
    # 5 inspectors x 2 = 10 places = 5 teams of two.
    assert result.fairness.max_flow_bound == 5 == result.fairness.staffed_count
    assert len(result.unstaffed) == 1 and result.unstaffed[0].reason.startswith("工作量上限已满")


def _small_inputs() -> MatchInputs:
    inspectors = tuple(_inspector(f"I{k}", "甲区", {"公共场所卫生"}) for k in range(10))
    targets = tuple(_target(f"T{k}", "甲区", {"公共场所卫生"}) for k in range(5))
    return MatchInputs(targets, inspectors, params=MatchParams(swap_limit_ratio=0.15))


def test_record_verifies_and_detects_tampering() -> None:
    inputs = _small_inputs()
    record = build_record(inputs, ["abc"])
    assert verify_record(record, inputs).ok
    tampered = copy.deepcopy(record)
    tampered["assignments"][0]["team"][0]["inspector_id"] = "I9"
    verification = verify_record(tampered, inputs)
    assert not verification.ok and any("记录摘要不一致" in m for m in verification.messages)
    other = MatchInputs(inputs.targets[:-1], inputs.inspectors, params=inputs.params)
    assert any("检查对象数据摘要不一致" in m for m in verify_record(record, other).messages)


def test_rematch_changes_only_one_slot_and_counts_swaps() -> None:
    inputs = _small_inputs()
    record = build_record(inputs, ["abc"])
    original = copy.deepcopy(record)
    target = record["assignments"][0]["target_id"]
    leaving = record["assignments"][0]["team"][0]["inspector_id"]
    conflicts = (Conflict(leaving, target_id=target, reason="事后发现亲属关系"),)
    updated = MatchInputs(inputs.targets, inputs.inspectors, conflicts, params=inputs.params)
    new = rematch_slot(
        record, updated, target_id=target, inspector_id=leaving, reason="利害关系", randomness=["r2"]
    )
    assert record == original  # the old record is never altered
    assert new["previous_record_digest"] == record["record_digest"] and new["swap_count"] == 1
    new_team = [m["inspector_id"] for m in new["assignments"][0]["team"]]
    old_team = [m["inspector_id"] for m in record["assignments"][0]["team"]]
    assert leaving not in new_team and old_team[1:] == new_team[1:] and len(set(new_team)) == 2
    assert new["assignments"][1:] == record["assignments"][1:]
    assert verify_record(new, updated, record).ok
    assert not verify_record(new, updated).ok  # the previous record is required
    # 10 drawn inspectors x 15% = 1 swap allowed.
    assert record["swap_limit"] == 1
    with pytest.raises(MatchError, match="替换次数已达上限"):
        rematch_slot(
            new, updated, target_id=target, inspector_id=new_team[1], reason="再换", randomness=["r3"]
        )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            MatchInputs((_target("T1", "甲区", {"公共场所卫生"}),), (_inspector("I1", "甲区", set()),) * 1),
            "没有任何专业资格",
        ),
        (
            MatchInputs(
                (_target("T1", "甲区", {"公共场所卫生"}),), (_inspector("I1", "甲区", {"公共场所卫生"}),)
            ),
            "少于每组人数",
        ),
        (
            MatchInputs(
                (_target("T1", "未知区", {"公共场所卫生"}),),
                (_inspector("I1", "甲区", {"公共场所卫生"}), _inspector("I2", "甲区", {"公共场所卫生"})),
                adjacency=(RegionAdjacency("甲区", "乙区"),),
            ),
            "未知区域",
        ),
        (
            MatchInputs(
                (_target("T1", "甲区", {"公共场所卫生"}),),
                (_inspector("I1", "甲区", {"公共场所卫生"}), _inspector("I2", "甲区", {"公共场所卫生"})),
                conflicts=(Conflict("I1", target_id="T1"), Conflict("I1", target_id="T1")),
            ),
            "重复",
        ),
        (
            MatchInputs(
                (_target("T1", "甲区", {"公共场所卫生"}),),
                (_inspector("I1", "甲区", {"公共场所卫生"}), _inspector("I2", "甲区", {"公共场所卫生"})),
                conflicts=(Conflict("I1", target_id="I2"),),
            ),
            "循环回避记录",
        ),
    ],
)
def test_bad_input_is_rejected_in_chinese(inputs: MatchInputs, message: str) -> None:
    with pytest.raises(MatchInputError, match=message):
        match(inputs, ["x"])
