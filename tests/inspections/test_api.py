"""API /api/inspections/: entry, review, result codes, ledger, case actions — scoped like the pages."""

from __future__ import annotations

import json

import pytest

from shuangsuiji.inspections.models import FollowUpCase, RecordStatus
from tests.conftest import World
from tests.inspections.factories import generated, signature_data_url

pytestmark = pytest.mark.django_db


def _post(client, url: str, payload: dict) -> object:  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_result_codes_tree(world: World) -> None:
    codes = world.client("a_inspector").get("/api/inspections/result-codes").json()
    by_code = {c["code"]: c for c in codes}
    assert by_code["221"]["parent"] == "22" and by_code["22"]["parent"] == "20"
    assert by_code["10"]["is_exclusive"] and by_code["23"]["publication_group"] == "penalty"
    assert [c["code"] for c in codes].index("20") < [c["code"] for c in codes].index("221")


def test_generate_enter_review_and_close_through_the_api(world: World) -> None:
    s, _, _ = generated(world)
    admin = world.client("a_admin")
    again = _post(admin, f"/api/inspections/tasks/{s.task.pk}/records", {})
    assert again.status_code == 200 and again.json()["created"] == 0  # type: ignore[attr-defined]
    listing = world.client("a_inspector").get("/api/inspections/records").json()
    assert [r["target_name"] for r in listing["items"]] == ["莲池区悦来宾馆"]
    record = world.client("a_inspector").get(f"/api/inspections/records/{listing['items'][0]['id']}").json()
    assert record["verify_url"].endswith(f"/gs/draws/{s.draw.pk}/verify/")
    failing = record["items"][0]["id"]
    payload = {
        "methods": ["on_site"], "inspected_on": "2026-11-20", "result_codes": ["21"], "rectify_workdays": 5,
        "findings": [{"item_id": i["id"], "finding": "fail" if i["id"] == failing else "pass",
                      "note": "消毒记录缺失" if i["id"] == failing else ""} for i in record["items"]],
        "present_member_ids": [m["id"] for m in record["members"]],
        "signature_kind": "pad", "signer_name": "王经理", "signature_data_url": signature_data_url(),
    }
    bad = _post(world.client("a_inspector"), f"/api/inspections/records/{record['id']}/result",
                {**payload, "present_member_ids": payload["present_member_ids"][:1]})
    assert bad.status_code == 400 and "不少于2名" in bad.json()["detail"]  # type: ignore[attr-defined]
    ok = _post(world.client("a_inspector"), f"/api/inspections/records/{record['id']}/result", payload)
    assert ok.status_code == 200 and ok.json()["status"] == RecordStatus.SUBMITTED  # type: ignore[attr-defined]
    refused = _post(world.client("a_inspector"), f"/api/inspections/records/{record['id']}/review", {"approve": True})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    approved = _post(world.client("a_staff"), f"/api/inspections/records/{record['id']}/review", {"approve": True})
    assert approved.json()["publication_group"] == "rectified"  # type: ignore[attr-defined]
    cases = admin.get("/api/inspections/cases").json()["items"]
    assert len(cases) == 1 and cases[0]["rectify_deadline"] == "2026-11-27"
    assert "责令整改尚未复查合格" in cases[0]["close_blockers"]
    case_id = cases[0]["id"]
    recheck = _post(admin, f"/api/inspections/cases/{case_id}/recheck",
                    {"rechecked_on": "2026-11-25", "passed": True, "note": "已补记录"})
    assert recheck.json()["recheck_passed"] is True  # type: ignore[attr-defined]
    close = _post(world.client("a_staff"), f"/api/inspections/cases/{case_id}/close",
                  {"closed_on": "2026-11-25", "note": "整改到位"})
    assert close.status_code == 400 and "证明材料" in close.json()["detail"]  # type: ignore[attr-defined]
    assert FollowUpCase.objects.get(pk=case_id).status == "open"
    assert world.client("b_admin").get(f"/api/inspections/cases/{case_id}").status_code == 404
    assert world.client("b_admin").get("/api/inspections/cases").json()["count"] == 0
