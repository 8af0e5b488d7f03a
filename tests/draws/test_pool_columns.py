"""The column-wise pool reader (issue 21) gives exactly the pool of the row-by-row reader it replaced.

``tests/draws/reference_pool.py`` is the former implementation. On a library with dated flags inside and
outside the look-back window, undated 名录库 flags, adverse and clean last results, several 专业, targets out of
scope (移出名录, 注销, another 专业) and a joint task whose department shares a target: same candidates, fields,
reasons, canonical pool bytes and digest. Runs on SQLite (batched fetch) and, with SSJ_DB_ENGINE=postgresql, on
PostgreSQL (COPY + Arrow).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shuangsuiji.directory import flag_services
from shuangsuiji.directory.models import FlagSource, Specialty, Target, TargetStatus
from shuangsuiji.draws import engine, services
from shuangsuiji.draws.pool import ADVERSE_FLAG, PoolColumns, collect_pool
from shuangsuiji.draws.rules import apply_region_weights, rule_context
from shuangsuiji.planning.models import DrawRuleSettings, Task
from shuangsuiji.planning.rules import task_rules
from tests.conftest import World
from tests.draws import reference_pool
from tests.draws.factories import add_targets, make_task

pytestmark = pytest.mark.django_db


def _library(world: World) -> Task:
    today = timezone.localdate()
    last_year, long_ago = datetime.date(today.year - 1, 6, 1), datetime.date(today.year - 4, 6, 1)
    public_places = Specialty.objects.get(code="public_places")
    medical = Specialty.objects.get(code="medical")
    targets = add_targets(world, counts={"A": 8, "B": 12, "C": 6, "D": 4})
    # dated flags: in the window, out of it, both for one flag; an undated 名录库 flag next to a dated one
    record = flag_services.record_flag
    record(actor=None, target=targets[0], flag="penalized", source=FlagSource.PENALTY, occurred_on=last_year,
           reference="莲卫罚〔2025〕3号")  # fmt: skip
    record(actor=None, target=targets[1], flag="penalized", source=FlagSource.PENALTY, occurred_on=long_ago,
           reference="莲卫罚〔2021〕9号")  # fmt: skip
    record(actor=None, target=targets[2], flag="complaints", source=FlagSource.COMPLAINT, occurred_on=long_ago,
           reference="投诉2021-1")  # fmt: skip
    record(actor=None, target=targets[2], flag="complaints", source=FlagSource.COMPLAINT, occurred_on=last_year,
           reference="投诉2025-7")  # fmt: skip
    record(actor=None, target=targets[3], flag="complaints", source=FlagSource.COMPLAINT, occurred_on=long_ago)
    Target.objects.filter(pk=targets[3].pk).update(risk_flags=["complaints", "incident"])
    Target.objects.filter(pk=targets[4].pk).update(risk_flags=["blacklist", "sampling_failed"])
    Target.objects.filter(pk__in=[targets[5].pk, targets[6].pk]).update(last_result="行政处罚")
    Target.objects.filter(pk=targets[7].pk).update(last_result="未发现问题", last_inspected_on=last_year)
    Target.objects.filter(pk=targets[8].pk).update(last_inspected_on=today - datetime.timedelta(days=20))
    targets[9].specialties.add(medical)
    Target.objects.filter(pk=targets[10].pk).update(is_retired=True)
    Target.objects.filter(pk=targets[11].pk).update(status=TargetStatus.CANCELLED)
    targets[12].specialties.set([medical])  # not the task's 专业: out of the bureau's scope
    # a joint task: the culture department's library, no 专业 filter (it has none); one target shared (same USCC)
    culture = world.orgs["a_culture"]
    for n, (code, risk, flags) in enumerate(
        [(targets[4].code, "D", ["complaints"]), (targets[13].code, "A", []), ("L:文旅娱字001", "C", ["incident"]),
         ("L:文旅娱字002", "B", [])]
    ):  # fmt: skip
        made = Target.objects.create(
            owner=culture, code=code, uscc="", name=f"文旅对象{n}", region=world.regions["a"], risk_class=risk,
            risk_flags=flags, last_result="发现问题已责令改正" if n == 2 else "",
            last_inspected_on=last_year - datetime.timedelta(days=n),
        )
        if n != 3:  # the last one has no 专业 at all
            made.specialties.set([public_places] if n else [medical])
    record(actor=None, target=Target.objects.get(owner=culture, code="L:文旅娱字001"), flag="incident",
           source=FlagSource.INCIDENT, occurred_on=long_ago, reference="突发2021-2")  # fmt: skip
    task = make_task(world, ratios={"A": 10, "B": 10, "C": 30, "D": 50}, mandatory_flags=["penalized", "complaints"])
    task.participants.set([culture])
    return task


def _compare(columns: PoolColumns, rows: list[reference_pool.PoolRow]) -> None:
    assert columns.id_texts() == [r.id for r in rows]
    for k, row in enumerate(rows):
        got = columns.row(k)
        assert got["region"] == row.region
        assert set(got["specialties"]) == row.specialties and list(got["specialties"]) == sorted(row.specialties)
        assert got["risk_class"] == row.risk_class
        assert list(got["risk_flags"]) == sorted(row.risk_flags)
        assert got["last_inspected"] == row.last_inspected_on
        assert got["risk_score"] == row.risk_score


@pytest.mark.parametrize("window", [True, False])
def test_column_pool_equals_the_row_by_row_pool(world: World, window: bool) -> None:
    task = _library(world)
    today = timezone.localdate()
    rules = task_rules(task, today=today)
    flags_window = (rules.flags_since, today) if window else None
    rows = reference_pool.collect_pool_rows(task, flags_window=flags_window)
    columns, scopes = collect_pool(task, flags_window=flags_window)
    assert len(scopes) == 2 and len(rows) == 1 + 30 - 3 + 2  # world target + a's in scope + culture's own
    weights = {world.regions["a"].code: Decimal("1.50")}
    reference_pool.apply_region_weights(rows, weights)
    apply_region_weights(columns, weights)
    _compare(columns, rows)
    if window:
        flagged = {r.id: sorted(r.risk_flags) for r in rows if r.risk_flags}
        assert ADVERSE_FLAG in sum(flagged.values(), [])
    params = engine.draw_params(task, today=today, rules=rules)
    assert rule_context(rules, columns, params)["mandatory"] == reference_pool.mandatory_reasons(rows, params)
    old, new = reference_pool.build_pool(rows), engine.build_pool(columns)
    assert engine.pool_csv(new) == engine.pool_csv(old)
    assert engine.pool_digest(new) == engine.pool_digest(old)


def test_dated_flags_count_only_in_the_window_and_give_their_reasons(world: World) -> None:
    task = _library(world)
    today = timezone.localdate()
    rules = task_rules(task, today=today)
    columns, _ = collect_pool(task, flags_window=(rules.flags_since, today))
    by_id: dict[str, dict[str, Any]] = {columns.row(k)["id"]: columns.row(k) for k in range(len(columns))}
    targets = list(Target.objects.filter(owner=world.orgs["a"]).order_by("pk"))[1:]  # after the world's target
    assert by_id[targets[0].code]["risk_flags"] == ("penalized",)
    assert "莲卫罚〔2025〕3号" in by_id[targets[0].code]["reasons"][0]
    assert by_id[targets[1].code]["risk_flags"] == ()  # penalized four years ago: not 上年度
    assert by_id[targets[2].code]["risk_flags"] == ("complaints",)
    assert by_id[targets[3].code]["risk_flags"] == ("incident",)  # complaints dated out of the window
    assert by_id[targets[3].code]["reasons"] == ("发生突发事件（名录库标记，未登记日期）",)
    assert by_id[targets[5].code]["risk_flags"] == (ADVERSE_FLAG,)
    assert by_id[targets[4].code]["risk_flags"] == ("blacklist", "complaints", "sampling_failed")  # merged
    assert by_id[targets[4].code]["risk_class"] == "D"
    assert by_id["L:文旅娱字001"]["risk_flags"] == (ADVERSE_FLAG,)  # incident dated out of the window
    assert by_id["L:文旅娱字002"]["specialties"] == ()


def test_ids_to_clean_take_the_engines_general_path(world: World) -> None:
    add_targets(world, counts={"B": 3})
    DrawRuleSettings.objects.create(
        organization=world.orgs["a"], general_cap_percent=100, do_not_disturb=False, cycle_start_year=2026
    )
    target = Target.objects.filter(owner=world.orgs["a"]).order_by("pk").last()
    assert target is not None
    Target.objects.filter(pk=target.pk).update(code=f"{target.code} ")  # entered with a trailing space
    task = make_task(world, ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    rows = reference_pool.collect_pool_rows(task)
    columns, _ = collect_pool(task)
    assert engine.pool_digest(engine.build_pool(columns)) == engine.pool_digest(reference_pool.build_pool(rows))
    draw = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert draw.pool_size == 4


def test_a_bad_value_is_refused_with_the_target_named(world: World) -> None:
    add_targets(world, counts={"B": 3})
    target = Target.objects.filter(owner=world.orgs["a"]).order_by("pk").last()
    assert target is not None
    Target.objects.filter(pk=target.pk).update(risk_class="X")
    task = make_task(world)
    with pytest.raises(engine.DrawEngineError, match=target.code):
        engine.build_pool(collect_pool(task)[0])


def test_public_pool_digest_fixed_at_the_freeze_is_the_one_the_public_pool_gives(world: World) -> None:
    from shuangsuiji.core.draw import public as public_draw
    from shuangsuiji.draws import commitments

    task = _library(world)
    today = timezone.localdate()
    rules = task_rules(task, today=today)
    columns, _ = collect_pool(task, flags_window=(rules.flags_since, today))
    apply_region_weights(columns, {world.regions["a"].code: Decimal("2")})
    for pool in (engine.build_pool(columns), reference_pool.build_pool(
        reference_pool.collect_pool_rows(task, flags_window=(rules.flags_since, today))
    )):  # fmt: skip
        salt = commitments.salt_for(engine.pool_digest(pool))
        rows = public_draw.public_rows(pool.rows(), salt)
        assert commitments.public_pool_digest_of(pool, salt) == public_draw.public_pool_digest(rows)
    draw = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert draw.public_pool_digest == commitments.draw_public_pool(draw).digest
    draw = services.draw_execute(actor=world.users["a_admin"], draw=draw, randomness=["1 2 3"])
    stored = commitments.draw_public_record(draw)
    assert stored == commitments.draw_public_record(draw, recompute=True)
