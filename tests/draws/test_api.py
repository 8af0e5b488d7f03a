"""The draw API: the same process as the pages, scoped, with Chinese refusals."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from shuangsuiji.accounts.services import api_token_create
from tests.conftest import World
from tests.draws.factories import add_inspectors, populated_task


class Api:
    def __init__(self, world: World, user_key: str) -> None:
        _, plain = api_token_create(actor=world.users[user_key], name="测试")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
        self.client = Client()

    def get(self, url: str) -> Any:
        return self.client.get(f"/api/draws{url}", **self.headers)

    def post(self, url: str, payload: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/draws{url}", data=json.dumps(payload or {}), content_type="application/json", **self.headers
        )


def test_full_process_through_the_api(world: World) -> None:
    task = populated_task(world)
    add_inspectors(world, count=4)
    admin, leader = Api(world, "a_admin"), Api(world, "a_leader")
    overview = admin.get(f"/tasks/{task.pk}").json()
    assert overview["step"] == 0 and overview["steps"][0]["label"] == "冻结对象池"

    response = admin.post(f"/tasks/{task.pk}/freeze", {"randomness_source": "2026年3月1日 福彩3D"})
    assert response.status_code == 201, response.content
    draw = response.json()
    assert draw["status"] == "pool_frozen" and len(draw["pool_digest"]) == 64

    refused = admin.post(f"/draws/{draw['id']}/execute", {"randomness": []})
    assert refused.status_code == 400 and "公开随机数" in refused.json()["detail"]
    response = admin.post(f"/draws/{draw['id']}/execute", {"randomness": ["2026-03-01 福彩3D 4 1 8"]})
    assert response.status_code == 200
    detail = response.json()
    assert detail["status"] == "drawn" and detail["selections"]
    assert {s["reason"] for s in detail["selections"]} <= {"drawn", "mandatory", "take_all"}
    assert detail["verify_commands"][0].startswith("ssj draw verify")

    same_person = admin.post(f"/draws/{draw['id']}/confirm")
    assert same_person.status_code == 400 and "另一人" in same_person.json()["detail"]
    assert leader.post(f"/draws/{draw['id']}/confirm").json()["status"] == "confirmed"

    verification = admin.get(f"/draws/{draw['id']}/verify").json()
    assert verification["ok"] and verification["verdict"] == "一致"
    assert admin.get(f"/draws/{draw['id']}/record").json()["record_digest"] == detail["record_digest"]
    assert admin.get(f"/draws/{draw['id']}/pool").status_code == 200

    response = admin.post(f"/draws/{draw['id']}/match", {"randomness": ["2026-03-02 双色球 01 05 11 20 27 33 + 07"]})
    assert response.status_code == 201, response.content
    match = response.json()
    assert match["assignments"] and match["fairness"]["max_pair_probability"] <= 0.5
    assert admin.get(f"/matches/{match['id']}/verify").json()["ok"]
    inputs = admin.get(f"/matches/{match['id']}/inputs").json()
    assert inputs["params.json"]["team_size"] == 2 and inputs["targets.csv"].startswith("id,region")

    victim = match["assignments"][0]["id"]
    response = admin.post(f"/assignments/{victim}/replace", {"reason": "发现利害关系", "randomness": ["3 3 3"]})
    assert response.status_code == 201 and response.json()["previous_id"] == match["id"]

    request = admin.post(f"/draws/{draw['id']}/redraw-requests", {"reason": "对象池漏掉新登记单位"})
    assert request.status_code == 201
    own = admin.post(f"/redraw-requests/{request.json()['id']}/decide", {"approve": True})
    assert own.status_code == 400 and "自己的申请" in own.json()["detail"]
    decided = leader.post(f"/redraw-requests/{request.json()['id']}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"
    overview = admin.get(f"/tasks/{task.pk}").json()
    assert overview["step"] == 0 and overview["current_draw_id"] is None
    assert overview["task_state"] == "targets_drawn"  # the superseded match no longer counts
    assert [d["status"] for d in overview["draws"]] == ["superseded"]
    assert all(m["status"] == "superseded" for m in overview["matches"])


def test_other_county_gets_404(world: World) -> None:
    task = populated_task(world)
    other = Api(world, "b_admin")
    assert other.get(f"/tasks/{task.pk}").status_code == 404
    assert other.post(f"/tasks/{task.pk}/freeze", {"randomness_source": "x"}).status_code == 404
