"""Two people doing the same thing at the same moment: exactly one succeeds, the other is told why.

Real concurrent connections (one per thread) against PostgreSQL; row locks (select_for_update) plus the
state re-check after the lock decide. SQLite serialises writers anyway, so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import Specialty
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, RedrawRequest, RedrawStatus, TargetDraw
from tests.conftest import World, build_world
from tests.draws.factories import confirmed, drawn, populated_task

pytestmark = [
    pytest.mark.postgres,
    # Decided before any database set-up: a transactional test flushes the tables (and their seeded rows).
    pytest.mark.skipif(
        os.environ.get("SSJ_DB_ENGINE") != "postgresql", reason="并发测试需要 PostgreSQL（SQLite 本身串行写入）"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def pg_world(transactional_db: Any) -> World:
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL（SQLite 本身串行写入）")
    assert Specialty.objects.exists()
    world = build_world()
    world.users["a_admin2"] = User.objects.create_user(
        username="a_admin2", password="x", organization=world.orgs["a"], role=Role.PROGRAM_ADMIN, real_name="a_admin2"
    )
    return world


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[str]]:
    """Run the calls in parallel threads that start together; return (results, Chinese error messages)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            value = call()
            with lock:
                results.append(value)
        except ApplicationError as error:
            with lock:
                errors.append(error.message)
        except BaseException as error:  # pragma: no cover - reported below
            with lock:
                unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not unexpected, unexpected
    return results, errors


def test_two_confirmations_at_once(pg_world: World) -> None:
    w = pg_world
    draw = drawn(w, populated_task(w))
    results, errors = race(
        lambda: services.draw_confirm(actor=w.users["a_staff"], draw=draw),
        lambda: services.draw_confirm(actor=w.users["a_leader"], draw=draw),
    )
    assert len(results) == 1 and len(errors) == 1
    assert "无需重复确认" in errors[0]
    draw.refresh_from_db()
    assert draw.status == DrawStatus.CONFIRMED and draw.confirmed_by == results[0].confirmed_by


def test_two_redraw_requests_at_once(pg_world: World) -> None:
    w = pg_world
    draw = confirmed(w, populated_task(w))
    results, errors = race(
        lambda: services.redraw_request_create(actor=w.users["a_admin"], draw=draw, reason="对象池漏掉新登记单位"),
        lambda: services.redraw_request_create(actor=w.users["a_admin2"], draw=draw, reason="随机数录入有误"),
    )
    assert len(results) == 1 and len(errors) == 1 and "不能重复申请" in errors[0]
    assert RedrawRequest.objects.filter(draw=draw).count() == 1


def test_two_approvals_of_the_same_redraw_at_once(pg_world: World) -> None:
    w = pg_world
    task = populated_task(w)
    draw = confirmed(w, task)
    request = services.redraw_request_create(actor=w.users["a_admin"], draw=draw, reason="对象池漏掉新登记单位")
    results, errors = race(
        lambda: services.redraw_request_decide(actor=w.users["a_leader"], request=request, approve=True),
        lambda: services.redraw_request_decide(actor=w.users["a_admin2"], request=request, approve=True),
    )
    assert len(results) == 1 and len(errors) == 1 and "不能重复审批" in errors[0]
    request.refresh_from_db()
    draw.refresh_from_db()
    assert request.status == RedrawStatus.APPROVED and draw.status == DrawStatus.SUPERSEDED


def test_two_redraw_freezes_at_once(pg_world: World) -> None:
    """After approval two operators start the re-draw together: one new draw, not two."""
    w = pg_world
    task = populated_task(w)
    draw = confirmed(w, task)
    request = services.redraw_request_create(actor=w.users["a_admin"], draw=draw, reason="对象池漏掉新登记单位")
    services.redraw_request_decide(actor=w.users["a_leader"], request=request, approve=True)
    results, errors = race(
        lambda: services.draw_freeze_pool(actor=w.users["a_admin"], task=task, randomness_source="3月5日 福彩3D"),
        lambda: services.draw_freeze_pool(actor=w.users["a_admin2"], task=task, randomness_source="3月5日 福彩3D"),
    )
    assert len(results) == 1 and len(errors) == 1 and "不能再次冻结" in errors[0]
    assert TargetDraw.objects.filter(task=task).count() == 2
    assert TargetDraw.objects.get(task=task, sequence=2).previous == draw


def test_two_matches_at_once(pg_world: World) -> None:
    w = pg_world
    draw = confirmed(w, populated_task(w))
    results, errors = race(
        lambda: services.match_run(actor=w.users["a_admin"], draw=draw, randomness=["1 2 3"]),
        lambda: services.match_run(actor=w.users["a_admin2"], draw=draw, randomness=["4 5 6"]),
    )
    assert len(results) == 1 and len(errors) == 1 and "整体重新匹配" in errors[0]
    assert InspectorMatch.objects.filter(draw=draw).count() == 1
