"""Freezing a pool takes no lock that blocks other bureaus' work (issue 21): it only reads the 名录库.

Real concurrent connections on PostgreSQL. The freeze is held open (inside its transaction, after the pool was
read and digested) until another connection has edited a target through the directory service, or 10 s have
passed. If the freeze held a lock the edit needs, the edit would wait for the freeze's commit, the freeze would
wait out its 10 s, and the test would see the edit finish after the freeze.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from shuangsuiji.directory.models import Target
from shuangsuiji.directory.services import target_update
from shuangsuiji.draws import engine, services
from shuangsuiji.draws.models import DrawStatus
from tests.conftest import World, build_world
from tests.draws.factories import add_targets, populated_task

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        os.environ.get("SSJ_DB_ENGINE") != "postgresql", reason="并发测试需要 PostgreSQL（SQLite 本身串行写入）"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def pg_world(transactional_db: Any) -> World:
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL（SQLite 本身串行写入）")
    return build_world()


@pytest.mark.parametrize("whose", ["other_bureau", "in_the_pool"])
def test_target_edits_complete_while_a_pool_is_being_frozen(
    pg_world: World, whose: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = pg_world
    task = populated_task(w)  # bureau a's task over a's targets
    other = add_targets(w, "b", counts={"B": 3}, salt="9")  # 涞源县: another bureau's library
    if whose == "other_bureau":
        target, editor = other[0], w.users["b_admin"]
    else:
        target, editor = Target.objects.filter(owner=w.orgs["a"]).order_by("pk").first(), w.users["a_admin"]
    assert target is not None
    freezing = threading.Event()
    edited = threading.Event()
    timeline: dict[str, float] = {}
    errors: list[BaseException] = []
    original = engine.check_drawable

    def slow_check(pool: Any, params: Any) -> None:
        original(pool, params)
        freezing.set()
        edited.wait(timeout=10)  # the freeze transaction stays open until the edit is done (or 10 s)

    monkeypatch.setattr(engine, "check_drawable", slow_check)

    def freeze() -> None:
        try:
            services.draw_freeze_pool(actor=w.users["a_admin"], task=task, randomness_source="2026年3月1日 福彩3D")
            timeline["frozen"] = time.monotonic()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def edit() -> None:
        try:
            assert freezing.wait(timeout=30)
            fresh = Target.objects.get(pk=target.pk)
            target_update(actor=editor, target=fresh, data={"address": "保定市某路1号（冻结期间修改）"})
            timeline["edited"] = time.monotonic()
            edited.set()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            edited.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=freeze), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert timeline["edited"] < timeline["frozen"], "the edit had to wait for the freeze to commit"
    assert Target.objects.get(pk=target.pk).address == "保定市某路1号（冻结期间修改）"
    draw = task.draws.get()
    assert draw.status == DrawStatus.POOL_FROZEN
    assert draw.pool_size == Target.objects.filter(owner=w.orgs["a"]).count() >= 40
