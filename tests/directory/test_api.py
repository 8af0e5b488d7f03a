"""API: authentication (session and token), scope, create/update through services."""

from __future__ import annotations

import json

from django.test import Client
from tests.conftest import World

from shuangsuiji.accounts.services import api_token_create
from shuangsuiji.core.uscc import complete_uscc


def _bearer(world: World, user_key: str) -> dict[str, str]:
    _, plain = api_token_create(actor=world.users[user_key], name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_anonymous_gets_401(world: World) -> None:
    for url in ("/api/directory/targets", "/api/directory/items", "/api/directory/inspectors"):
        assert Client().get(url).status_code == 401


def test_token_lists_only_own_scope(world: World) -> None:
    response = Client().get("/api/directory/targets", **_bearer(world, "a_admin"))
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["items"]}
    assert codes == {world.targets["a"].code}


def test_other_county_detail_is_404(world: World) -> None:
    headers = _bearer(world, "b_admin")
    client = Client()
    assert client.get(f"/api/directory/targets/{world.targets['a'].pk}", **headers).status_code == 404
    assert client.get(f"/api/directory/items/{world.items['a'].pk}", **headers).status_code == 404
    assert client.get(f"/api/directory/inspectors/{world.inspectors['a'].pk}", **headers).status_code == 404
    response = client.patch(
        f"/api/directory/targets/{world.targets['a'].pk}", data=json.dumps({"name": "x"}),
        content_type="application/json", **headers,
    )
    assert response.status_code == 404


def test_create_and_patch_target_via_token(world: World) -> None:
    headers = _bearer(world, "a_staff")
    uscc = complete_uscc("92130606MA0WXCRB1")
    response = Client().post(
        "/api/directory/targets",
        data=json.dumps({"uscc": uscc, "name": "莲池区康乐浴池", "region": "130606", "specialties": ["public_places"]}),
        content_type="application/json", **headers,
    )
    assert response.status_code == 201, response.content
    target_id = response.json()["id"]
    response = Client().patch(
        f"/api/directory/targets/{target_id}", data=json.dumps({"risk_class": "D"}),
        content_type="application/json", **headers,
    )
    assert response.status_code == 200 and response.json()["risk_class"] == "D"


def test_bad_uscc_gives_chinese_400(world: World) -> None:
    response = Client().post(
        "/api/directory/targets",
        data=json.dumps({"uscc": "123", "name": "x", "region": "130606", "specialties": ["public_places"]}),
        content_type="application/json", **_bearer(world, "a_staff"),
    )
    assert response.status_code == 400 and "18位" in response.json()["detail"]


def test_leader_cannot_create(world: World) -> None:
    response = Client().post(
        "/api/directory/items",
        data=json.dumps({"code": "X", "specialty": "medical", "name": "n", "legal_basis": "b", "subject": "s"}),
        content_type="application/json", **_bearer(world, "a_leader"),
    )
    assert response.status_code == 403


def test_personal_data_masked_in_api_for_staff(world: World) -> None:
    url = f"/api/directory/inspectors/{world.inspectors['a'].pk}"
    body = Client().get(url, **_bearer(world, "a_staff")).json()
    assert body["phone"] == "139****5678" and body["id_number"] == "1101**********1234"
    body = Client().get(url, **_bearer(world, "a_admin")).json()
    assert body["phone"] == "13912345678"


def test_openapi_docs_available(world: World) -> None:
    client = world.client("a_admin")
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_session_auth_works(world: World) -> None:
    assert world.client("a_admin").get("/api/directory/items").status_code == 200
