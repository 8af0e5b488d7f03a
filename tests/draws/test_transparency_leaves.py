"""Confirmed draw and match records become transparency-log leaves (issue 11), once, in the same transaction;
`ssj audit verify` reports a database-level edit of a draw or match record with the first broken leaf."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from typer.testing import CliRunner

from shuangsuiji.audit import transparency
from shuangsuiji.audit.models import TransparencyLeaf
from shuangsuiji.cli.main import app
from shuangsuiji.draws import commitments, services
from shuangsuiji.draws.models import InspectorMatch, TargetDraw
from tests.conftest import World
from tests.draws.factories import drawn, matched, populated_task

pytestmark = pytest.mark.django_db


def _raw_update(table: str, pk: int, column: str, value: object) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s", [json.dumps(value), pk])


def test_confirmation_appends_the_public_record_digest_once(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    assert commitments.draw_leaf(draw) is None  # drawn but not yet confirmed: nothing registered
    draw = services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    leaf = commitments.draw_leaf(draw)
    assert leaf is not None and leaf.kind == "draw_record" and leaf.ref == str(draw.pk)
    assert leaf.digest == commitments.draw_public_record(draw)["public_record_digest"]
    again = commitments.draw_record_register(draw)  # idempotent
    assert again.pk == leaf.pk and TransparencyLeaf.objects.filter(kind="draw_record").count() == 1
    with pytest.raises(ValueError):
        transparency.transparency_append_once(kind="draw_record", ref=str(draw.pk), digest="0" * 64)
    assert transparency.transparency_verify().ok


def test_match_confirmation_and_confirmed_replacement_are_registered(world: World) -> None:
    match = matched(world, populated_task(world))
    assert transparency.leaf_for(kind="match_record", ref=str(match.pk)) is None
    match = services.match_confirm(actor=world.users["a_leader"], match=match)
    leaf = transparency.leaf_for(kind="match_record", ref=str(match.pk))
    assert leaf is not None and leaf.digest == match.record_digest
    victim = match.assignments.filter(is_active=True).order_by("pk").first()
    assert victim is not None
    new = services.assignment_replace(actor=world.users["a_admin"], assignment=victim, reason="发现利害关系需回避",
                                      randomness=["2026-03-05 福彩3D 1 2 3"])
    new_leaf = transparency.leaf_for(kind="match_record", ref=str(new.pk))
    assert new_leaf is not None and new_leaf.index > leaf.index and new_leaf.digest == new.record_digest
    assert transparency.transparency_verify().ok


def test_a_failed_confirmation_appends_nothing(world: World) -> None:
    draw = drawn(world, populated_task(world))
    with pytest.raises(Exception):  # noqa: B017 - the operator may not confirm their own draw
        services.draw_confirm(actor=world.users["a_admin"], draw=draw)
    assert not TransparencyLeaf.objects.exists()


def test_raw_sql_edit_of_a_draw_record_is_reported_with_the_first_broken_leaf(world: World) -> None:
    match = matched(world, populated_task(world))
    services.match_confirm(actor=world.users["a_leader"], match=match)
    draw = TargetDraw.objects.get(pk=match.draw_id)
    draw_leaf = commitments.draw_leaf(draw)
    assert draw_leaf is not None
    transparency.tree_head_sign()
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    record = dict(draw.record or {})
    strata = [dict(s) for s in record["strata"]]
    strata[0]["selected"] = list(reversed(strata[0]["selected"])) + [{"id": "91130606MA0FAKE000", "rank": 9,
                                                                       "reason": "drawn"}]
    record["strata"] = strata
    _raw_update("draws_targetdraw", draw.pk, "record", record)  # the stored record bytes, behind the app's back
    check = transparency.transparency_verify()
    assert not check.ok and check.first_bad_index == draw_leaf.index
    assert f"第 {draw_leaf.index} 号" in check.message and str(draw.pk) in check.message
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and f"第 {draw_leaf.index} 号" in result.output


def test_editing_record_and_its_stored_digest_together_is_still_caught(world: World) -> None:
    draw = services.draw_confirm(actor=world.users["a_leader"], draw=drawn(world, populated_task(world)))
    from shuangsuiji.core.draw import record_digest

    record = dict(draw.record or {})
    record["randomness"] = ["另一组随机数"]
    record["record_digest"] = record_digest(record)
    _raw_update("draws_targetdraw", draw.pk, "record", record)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE draws_targetdraw SET record_digest = %s WHERE id = %s", [record["record_digest"], draw.pk])
    check = transparency.transparency_verify()
    assert not check.ok and check.first_bad_index == commitments.draw_leaf(draw).index  # type: ignore[union-attr]


def test_raw_sql_edit_of_a_match_record_is_reported(world: World) -> None:
    match = services.match_confirm(actor=world.users["a_leader"], match=matched(world, populated_task(world)))
    leaf = transparency.leaf_for(kind="match_record", ref=str(match.pk))
    assert leaf is not None
    record = dict(InspectorMatch.objects.get(pk=match.pk).record)
    record["randomness"] = ["篡改"]
    _raw_update("draws_inspectormatch", match.pk, "record", record)
    check = transparency.transparency_verify()
    assert not check.ok and check.first_bad_index == leaf.index


def test_backfill_registers_confirmed_records_made_before_the_log(world: World) -> None:
    match = services.match_confirm(actor=world.users["a_leader"], match=matched(world, populated_task(world)))
    with connection.cursor() as cursor:  # a database from before the transparency log
        cursor.execute("DELETE FROM audit_transparencyleaf")
    assert commitments.transparency_backfill() == 2
    assert commitments.transparency_backfill() == 0
    head = commitments.demo_transparency()
    assert head.tree_size == 2 and transparency.leaf_for(kind="match_record", ref=str(match.pk)) is not None
    assert commitments.demo_transparency().pk == head.pk  # nothing new today: the same head
