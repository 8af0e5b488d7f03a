"""The read-only deadlines API: scope, status as of today, filters, paging."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import World
from tests.deadlines.factories import frozen, result_entry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def _world_deadlines(world: World) -> dict[str, int]:
    return {
        "overdue": result_entry(world, start=datetime.date(2026, 11, 2)).pk,  # due 11月16日
        "near": result_entry(world, start=datetime.date(2026, 11, 12)).pk,  # due 11月26日
        "open": result_entry(world, start=datetime.date(2026, 11, 24), responsible=None).pk,  # due 12月8日
        "other_county": result_entry(world, start=datetime.date(2026, 11, 2), key="b", responsible=None).pk,
    }


def test_list_is_scoped_and_reports_status_as_of_today(world: World) -> None:
    ids = _world_deadlines(world)
    with frozen(TODAY):
        body = world.client("a_admin").get("/api/oversight/deadlines").json()
    rows = {row["id"]: row for row in body["items"]}
    assert ids["other_county"] not in rows
    assert {ids["overdue"], ids["near"], ids["open"]} <= set(rows)
    assert rows[ids["overdue"]]["status"] == "overdue" and rows[ids["overdue"]]["status_label"] == "逾期"
    assert rows[ids["overdue"]]["due_date"] == "2026-11-16" and rows[ids["overdue"]]["kind_label"] == "检查结果录入"
    assert rows[ids["near"]]["status"] == "near"
    assert rows[ids["open"]]["status"] == "pending" and rows[ids["open"]]["responsible"] is None
    dues = [row["due_date"] for row in body["items"]]
    assert dues == sorted(dues)


def test_filters_and_detail(world: World) -> None:
    ids = _world_deadlines(world)
    client = world.client("a_admin")
    with frozen(TODAY):
        overdue = client.get("/api/oversight/deadlines", {"status": "overdue"}).json()["items"]
        assert [row["id"] for row in overdue] == [ids["overdue"]]
        mine = client.get("/api/oversight/deadlines", {"mine": "true"}).json()["items"]
        assert mine == []  # a_admin is responsible for none of them
        inspector = world.client("a_inspector").get("/api/oversight/deadlines", {"mine": "true"}).json()["items"]
        assert {row["id"] for row in inspector} == {ids["overdue"], ids["near"]}
        assert client.get("/api/oversight/deadlines", {"status": "bogus"}).status_code == 422
        detail = client.get(f"/api/oversight/deadlines/{ids['near']}")
    assert detail.status_code == 200 and detail.json()["rule"]
    assert world.client("b_admin").get(f"/api/oversight/deadlines/{ids['near']}").status_code == 404
