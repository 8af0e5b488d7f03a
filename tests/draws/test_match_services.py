"""Matching inside the app: hard constraints on real models, unstaffed targets, re-match of one slot."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import ConflictDeclaration, Inspector, Specialty
from shuangsuiji.draws import services
from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import Assignment, AssignmentMode, DrawnTarget, InspectorMatch, MatchStatus
from shuangsuiji.planning.models import TaskState
from tests.conftest import World
from tests.draws.factories import (
    WINDOW,
    add_inspectors,
    add_targets,
    confirmed,
    drawn,
    make_task,
    populated_task,
)

RANDOM = ["2026-03-02 双色球 01 05 11 20 27 33 + 07"]


def _match(world: World, draw, **kwargs):  # type: ignore[no-untyped-def]
    return services.match_run(actor=world.users["a_admin"], draw=draw, randomness=RANDOM, **kwargs)


def test_match_needs_a_confirmed_draw(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    with pytest.raises(ApplicationError, match="双人确认后"):
        _match(world, draw)
    assert not InspectorMatch.objects.exists()


def test_match_respects_hard_constraints(world: World) -> None:
    add_targets(world)
    add_inspectors(world, count=10)
    expired = add_inspectors(world, count=2, licence_valid_to=datetime.date(2026, 3, 10))  # ends inside the window
    on_leave = add_inspectors(world, count=1, status="on_leave")
    experts = add_inspectors(world, count=2, kind="expert", licence_no="")
    unqualified = add_inspectors(world, count=1)
    unqualified[0].qualifications.set([Specialty.objects.get(code="medical")])
    task = make_task(world)
    draw = confirmed(world, task)
    drawn_targets = list(DrawnTarget.objects.filter(draw=draw).select_related("target"))
    conflicted = add_inspectors(world, count=1)[0]
    conflict_target = drawn_targets[0].target
    ConflictDeclaration.objects.create(
        owner=world.orgs["a"], inspector=conflicted, target=conflict_target, reason="配偶在该单位任职",
        valid_from=datetime.date(2025, 1, 1),
    )
    match = _match(world, draw)
    assert match.status == MatchStatus.MATCHED and not match.unstaffed
    rows = list(Assignment.objects.filter(match=match).select_related("inspector"))
    banned = {i.pk for i in expired + on_leave + experts}
    assert not banned & {a.inspector_id for a in rows}
    assert not any(a.inspector_id == conflicted.pk and a.drawn_target.target_id == conflict_target.pk for a in rows)
    per_target = Counter(a.drawn_target_id for a in rows)
    assert set(per_target) == {d.pk for d in drawn_targets}
    assert all(n == task.team_size for n in per_target.values())
    per_inspector = Counter(a.inspector_id for a in rows)
    assert max(per_inspector.values()) <= task.max_targets_per_inspector
    qualified = set(Inspector.objects.filter(qualifications__code="public_places").values_list("pk", flat=True))
    for target_id in per_target:  # each 专业 of the target covered by at least one member (DESIGN §5)
        assert {a.inspector_id for a in rows if a.drawn_target_id == target_id} & qualified
    for a in rows:
        assert a.inspector.licence_valid_on(WINDOW[0]) and a.inspector.licence_valid_on(WINDOW[1])
    assert sum(1 for a in rows if a.role == "leader") == len(drawn_targets)
    task.refresh_from_db()
    assert task.state == TaskState.INSPECTORS_MATCHED
    fairness = match.fairness
    assert fairness["max_pair_probability"] <= 0.5 + 1e-9
    assert sum(x["actual_load"] for x in fairness["loads"]) == len(rows)
    assert AuditEntry.objects.filter(event="match.run", object_id=str(match.pk)).count() == 1


def test_insufficient_staff_is_explained_and_nothing_saved(world: World) -> None:
    add_targets(world)
    task = make_task(world)
    draw = confirmed(world, task)
    Inspector.objects.all().update(status="transferred")
    with pytest.raises(ApplicationError, match="无法组成检查组|少于每组人数"):
        _match(world, draw)
    assert not InspectorMatch.objects.exists() and not Assignment.objects.exists()


def test_unstaffed_targets_come_with_reasons_and_advice(world: World) -> None:
    add_targets(world)
    add_inspectors(world, count=3)
    task = make_task(world, max_targets_per_inspector=2)
    draw = confirmed(world, task)
    with pytest.raises(ApplicationError, match="无法配齐") as error:
        _match(world, draw, options=MatchOptions(fallback="none"))
    details = error.value.extra["unstaffed"]
    assert details and all(d["reason"] and "建议" in d["advice"] for d in details)
    assert "相邻区域" in details[0]["advice"]
    assert not InspectorMatch.objects.exists()
    match = _match(world, draw, options=MatchOptions(fallback="none"), allow_unstaffed=True)
    assert len(match.unstaffed) == len(details)
    assert match.fairness["unstaffed_count"] == len(details)


def test_adjacent_region_inspectors_fill_the_gap(world: World) -> None:
    add_targets(world)
    add_inspectors(world, count=2)
    add_inspectors(world, key="b", count=8)
    task = make_task(world, max_targets_per_inspector=3)
    draw = confirmed(world, task)
    match = _match(world, draw, options=MatchOptions(fallback="adjacent"))
    modes = Counter(Assignment.objects.filter(match=match).values_list("mode", flat=True))
    assert modes[AssignmentMode.ADJACENT_REGION] > 0 and not match.unstaffed


def test_direct_assignment_needs_a_reason(world: World) -> None:
    task = populated_task(world)
    draw = confirmed(world, task)
    with pytest.raises(ApplicationError, match="委派理由"):
        _match(world, draw, options=MatchOptions(fallback="direct"))


def test_second_full_match_needs_reason_and_supersedes(world: World) -> None:
    task = populated_task(world)
    draw = confirmed(world, task)
    first = _match(world, draw)
    with pytest.raises(ApplicationError, match="整体重新匹配"):
        _match(world, draw)
    second = services.match_run(
        actor=world.users["a_admin"], draw=draw, randomness=["另一组随机数"], reason="执法证信息更新后重新匹配"
    )
    first.refresh_from_db()
    assert first.status == MatchStatus.SUPERSEDED and second.previous == first
    assert not Assignment.objects.filter(match=first, is_active=True).exists()
    assert Assignment.objects.filter(match=second, is_active=True).count() == Assignment.objects.filter(match=first).count()


def test_conflict_found_later_rematches_only_that_slot(world: World) -> None:
    task = populated_task(world)
    add_inspectors(world, count=4)
    draw = confirmed(world, task)
    match = _match(world, draw)
    victim = Assignment.objects.filter(match=match).select_related("drawn_target__target").order_by("pk").first()
    assert victim is not None
    ConflictDeclaration.objects.create(
        owner=world.orgs["a"], inspector=victim.inspector, target=victim.drawn_target.target,
        reason="检查前发现其亲属为该单位负责人", valid_from=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ApplicationError, match="随机数"):
        services.assignment_replace(actor=world.users["a_admin"], assignment=victim, reason="回避", randomness=[])
    new = services.assignment_replace(
        actor=world.users["a_admin"], assignment=victim, reason="发现利害关系需回避", randomness=["2026-03-03 福彩3D 5 5 2"]
    )
    victim.refresh_from_db()
    match.refresh_from_db()
    assert match.status == MatchStatus.SUPERSEDED and new.previous == match
    assert not victim.is_active and victim.replaced_by is not None and victim.replaced_reason == "发现利害关系需回避"
    replacement = victim.replaced_by
    assert replacement.match == new and replacement.drawn_target_id == victim.drawn_target_id
    assert replacement.inspector_id != victim.inspector_id and replacement.slot == victim.slot
    old_rest = {(a.drawn_target_id, a.slot, a.inspector_id) for a in Assignment.objects.filter(match=match)
                if a.pk != victim.pk}
    new_rest = {(a.drawn_target_id, a.slot, a.inspector_id) for a in Assignment.objects.filter(match=new)
                if a.pk != replacement.pk}
    assert old_rest == new_rest  # every other slot unchanged
    assert new.record["changes"][-1]["reason"] == "发现利害关系需回避"
    with pytest.raises(ApplicationError, match="已被替换"):
        services.assignment_replace(actor=world.users["a_admin"], assignment=victim, reason="再换", randomness=["x"])


def test_previous_round_inspectors_are_avoided(world: World) -> None:
    from tests.draws.factories import matched

    add_targets(world, counts={"B": 6})
    add_inspectors(world, count=10)
    first = matched(world, make_task(world, code="RW-1", ratios={"B": 100}, mandatory_flags=[]))
    before = {(a.drawn_target.target_id, a.inspector_id) for a in Assignment.objects.filter(match=first)}
    second = matched(world, make_task(world, code="RW-2", ratios={"B": 100}, mandatory_flags=[]))
    history = second.record["input_digests"]["history"]
    assert history != first.record["input_digests"]["history"]
    after = {(a.drawn_target.target_id, a.inspector_id) for a in Assignment.objects.filter(match=second)}
    assert before and after and not before & after
