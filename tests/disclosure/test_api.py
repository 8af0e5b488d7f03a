"""Open-data API (/api/public/): anonymous, paginated, ETag / If-None-Match, published data only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db


def test_openapi_documents_every_operation_and_needs_no_auth(portal: Portal) -> None:
    schema = Client().get("/api/public/openapi.json").json()
    paths = schema["paths"]
    assert "/api/public/results" in paths and "/api/public/draws/{draw_id}/verification" in paths
    for ops in paths.values():
        for op in ops.values():
            assert "security" not in op
    assert Client().get("/api/public/docs").status_code == 200


def test_lists_are_paginated_and_show_published_only(portal: Portal) -> None:
    data = Client().get("/api/public/items?page_size=1").json()
    assert data["page_size"] == 1 and len(data["items"]) == 1 and data["count"] == 2
    names = {i["name"] for i in Client().get("/api/public/items").json()["items"]}
    assert names == {portal.item.name, portal.item_v1.name}
    plans = Client().get("/api/public/plans").json()["items"]
    assert {p["version"] for p in plans} == {1, 2}
    assert Client().get(f"/api/public/plans/{portal.draft_plan.pk}").status_code == 404
    tasks = {t["code"] for t in Client().get("/api/public/tasks").json()["items"]}
    assert tasks == {portal.task.code, portal.frozen_task.code}
    assert Client().get(f"/api/public/tasks/{portal.draft_task.pk}").status_code == 404
    results = Client().get("/api/public/results?page_size=100").json()
    assert results["count"] == len(portal.results)
    assert portal.withheld is not None
    assert portal.withheld.uscc not in {r["uscc"] for r in results["items"]}
    assert Client().get(f"/api/public/results/{portal.withheld.pk}").status_code == 404
    assert Client().get("/api/public/items?page_size=1000").status_code == 422


def test_etag_and_if_none_match(portal: Portal) -> None:
    first = Client().get("/api/public/tasks")
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    again = Client().get("/api/public/tasks", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and again.content == b""
    assert Client().get("/api/public/tasks", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    download = Client().get("/gs/data/items.csv")
    assert Client().get("/gs/data/items.csv", HTTP_IF_NONE_MATCH=download["ETag"]).status_code == 304
    big = Client().get("/gs/data/results.csv")
    assert Client().get("/gs/data/results.csv", HTTP_IF_NONE_MATCH=big["ETag"]).status_code == 304


def test_draw_endpoints(portal: Portal) -> None:
    from shuangsuiji.draws import commitments

    frozen = Client().get(f"/api/public/draws/{portal.frozen_draw.pk}").json()
    assert frozen["public_pool_digest"] == commitments.draw_public_pool(portal.frozen_draw).digest
    assert "pool_digest" not in frozen and portal.frozen_draw.pool_digest not in str(frozen)  # internal digest
    assert frozen["randomness"] is None and frozen["record"] is None
    drawn = Client().get(f"/api/public/draws/{portal.draw.pk}").json()
    assert drawn["record"]["type"] == "ssj.draw.public" and "strata" not in drawn["record"]
    assert drawn["record"]["public_record_digest"] == drawn["public_record_digest"]
    assert drawn["public_record_digest"] == commitments.draw_leaf(portal.draw).digest  # type: ignore[union-attr]
    check = Client().get(f"/api/public/draws/{portal.draw.pk}/verification").json()
    assert check["verdict"] == "一致" and check["ok"] is True
    assert Client().get(f"/api/public/draws/{portal.frozen_draw.pk}/verification").status_code == 400


def test_result_search_api(portal: Portal) -> None:
    some = portal.results[0]
    found = Client().get("/api/public/results", {"q": some.uscc}).json()
    assert [r["uscc"] for r in found["items"]] == [some.uscc]
    assert Client().get("/api/public/results", {"q": "宾"}).status_code == 400
    penalized = Client().get("/api/public/results", {"result": "penalty"}).json()["items"]
    details = [Client().get(f"/api/public/results/{r['id']}").json() for r in penalized]
    assert {d["result_group"] for d in details} == {"行政处罚"}
    assert [p["decision_no"] for d in details for p in d["penalties"]] == ["莲卫公罚〔2026〕12号"]


def test_downloads_csv_xlsx_and_credit_export(portal: Portal) -> None:
    for key in ("items", "plans", "joint_plans", "tasks", "draws", "results"):
        csv = Client().get(f"/gs/data/{key}.csv")
        assert csv.status_code == 200, key
        xlsx = Client().get(f"/gs/data/{key}.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", key
    credit = b"".join(Client().get("/gs/data/credit.csv").streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = credit.strip().splitlines()
    assert lines[0] == "TYSHXYDM,QYMC,CCRWBH,CCRWMC,JCRQ,CCJGLB,CCJG,JCSSJG,GSRQ"
    assert len(lines) == 1 + len(portal.results)
    assert portal.withheld is not None and portal.withheld.uscc not in credit
    assert Client().get("/gs/data/unknown.csv").status_code == 404
    assert Client().get("/gs/data/items.pdf").status_code == 404


def test_atom_feed(portal: Portal) -> None:
    response = Client().get("/gs/feed/")
    assert response.status_code == 200 and "application/atom+xml" in response["Content-Type"]
    body = response.content.decode()
    assert "<feed" in body and portal.task.scheme.title in body and "抽查结果公示" in body
    assert "未公布" not in body
