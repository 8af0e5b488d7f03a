"""The planning API: the same operations as the pages, scoped the same way."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from shuangsuiji.planning.models import NationalTask
from tests.conftest import World
from tests.planning.conftest import RATIOS
from tests.planning.test_joint_and_national import GOOD, xlsx

BASE = "/api/planning"


def _json(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    response = client.generic(method, BASE + url, json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json()


def test_plan_to_published_scheme_through_api(pw: World) -> None:
    admin = pw.client("a_admin")
    status, plan = _json(admin, "POST", "/plans", {"year": 2026, "title": "2026年度抽查计划"})
    assert status == 201 and plan["status"] == "draft" and plan["missing_items"] == ["GG-a", "YL-a"]
    pid = plan["id"]
    status, line = _json(admin, "POST", f"/plans/{pid}/lines", {"item_code": "GG-a", "ratios": RATIOS, "months": [4]})
    assert status == 200 and line["ratios"]["D"] == 30
    status, error = _json(admin, "POST", f"/plans/{pid}/transitions", {"action": "submit"})
    assert status == 400 and "YL-a" in error["detail"] and error["missing_items"][0]["code"] == "YL-a"
    status, _ = _json(admin, "POST", f"/plans/{pid}/uncovered", {"item_code": "YL-a", "reason": "已纳入国家监督抽检"})
    assert status == 200
    # 1 target at B 2%: below the 3% floor, so submitting needs a recorded justification
    status, error = _json(admin, "POST", f"/plans/{pid}/transitions", {"action": "submit"})
    assert status == 400 and "低于最低抽查比例 3%" in error["detail"] and error["coverage_problems"]
    for action, user in (("submit", "a_admin"), ("review", "a_legal"), ("approve", "a_leader"), ("file", "a_admin"),
                         ("publish", "a_admin")):
        payload = {"action": action, "comment": "同意", "justification": "辖区对象少，按实际安排"}
        status, plan = _json(pw.client(user), "POST", f"/plans/{pid}/transitions", payload)
        assert status == 200, plan
    assert plan["status"] == "published" and [s["action"] for s in plan["steps"]][-1] == "publish"
    assert _json(pw.client("city_admin"), "GET", f"/plans/{pid}")[0] == 200
    assert _json(pw.client("b_admin"), "GET", f"/plans/{pid}")[0] == 404

    status, task = _json(admin, "POST", "/tasks", {"plan_line_id": line["id"], "title": "公共场所抽查",
                                                   "window_start": "2026-04-01", "window_end": "2026-06-30"})
    assert status == 201 and task["state"] == "draft" and task["item_codes"] == ["GG-a"]
    tid = task["id"]
    status, error = _json(admin, "POST", f"/tasks/{tid}/transitions", {"to_state": "targets_drawn"})
    assert status == 400 and "不能变更为" in error["detail"]
    assert _json(admin, "POST", f"/tasks/{tid}/scheme", {})[0] == 201
    assert _json(pw.client("a_staff"), "POST", f"/tasks/{tid}/scheme/approve", {})[0] == 403
    assert _json(pw.client("a_leader"), "POST", f"/tasks/{tid}/scheme/approve", {})[0] == 200
    status, scheme = _json(admin, "POST", f"/tasks/{tid}/scheme/publish")
    assert status == 200 and scheme["status"] == "published"
    status, task = _json(admin, "GET", f"/tasks/{tid}")
    assert task["state"] == "scheme_published"
    status, history = _json(admin, "GET", f"/tasks/{tid}/transitions")
    assert [h["to_state"] for h in history] == ["scheme_published"]

    status, v2 = _json(admin, "POST", f"/plans/{pid}/adjust", {"reason": "新增专项"})
    assert status == 201 and v2["version"] == 2 and v2["previous_id"] == pid
    _json(admin, "POST", f"/plans/{v2['id']}/lines", {"item_code": "GG-a", "ratios": {**RATIOS, "A": 5}})
    status, diff = _json(admin, "GET", f"/plans/{v2['id']}/diff")
    assert diff[0]["kind"] == "changed" and diff[0]["fields"][0][0] == "抽查比例"


def test_joint_plan_confirmation_through_api(pw: World) -> None:
    admin = pw.client("a_admin")
    status, joint = _json(admin, "POST", "/joint-plans", {
        "title": "联合抽查", "year": 2026, "target_scope": "娱乐场所", "window_start": "2026-04-01",
        "window_end": "2026-06-30", "participants": ["A_CULTURE", "A_MEDINS"], "item_codes": ["GG-a"]})
    assert status == 201, joint
    jid = joint["id"]
    assert _json(admin, "POST", f"/joint-plans/{jid}/send")[0] == 200
    participants = {p["organization"]: p["id"] for p in _json(admin, "GET", f"/joint-plans/{jid}")[1]["participants"]}
    culture = participants["A_CULTURE"]
    assert _json(admin, "POST", f"/joint-plan-participants/{culture}/confirm", {"item_titles": "x"})[0] == 403
    assert _json(pw.client("a_medins"), "POST", f"/joint-plan-participants/{culture}/confirm", {"item_titles": "x"})[0] == 403
    assert _json(pw.client("b_admin"), "POST", f"/joint-plan-participants/{culture}/confirm", {})[0] == 404
    status, part = _json(pw.client("a_culture"), "POST", f"/joint-plan-participants/{culture}/confirm",
                         {"item_titles": "娱乐场所检查"})
    assert status == 200 and part["item_titles"] == ["娱乐场所检查"]
    _json(pw.client("a_medins"), "POST", f"/joint-plan-participants/{participants['A_MEDINS']}/confirm",
          {"item_titles": "定点医药机构检查"})
    status, joint = _json(admin, "POST", f"/joint-plans/{jid}/publish")
    assert joint["status"] == "published"
    status, task = _json(admin, "POST", "/tasks", {"joint_plan_id": jid})
    assert status == 201 and sorted(task["participants"]) == ["A_CULTURE", "A_MEDINS"]


def test_national_import_and_claim_through_api(pw: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = pw.client("a_admin")
    bad = admin.post(f"{BASE}/national-tasks/import",
                     {"file": SimpleUploadedFile("t.xlsx", xlsx([[*GOOD[0][:5], "abc", GOOD[0][6]]]))})
    assert bad.status_code == 400 and bad.json()["errors"][0] == {"row": 2, "column": "比例",
                                                                   "message": bad.json()["errors"][0]["message"]}
    good = admin.post(f"{BASE}/national-tasks/import", {"file": SimpleUploadedFile("t.xlsx", xlsx(GOOD))})
    assert good.status_code == 201 and len(good.json()) == 2
    nid = NationalTask.objects.get(code="GJ2026-01").pk
    status, task = _json(admin, "POST", f"/national-tasks/{nid}/claim", {"team_size": 3})
    assert status == 201 and task["scope_locked"] and task["team_size"] == 3
    status, error = _json(admin, "PATCH", f"/tasks/{task['id']}", {"ratios": {"A": 9, "B": 9, "C": 9, "D": 9}})
    assert status == 400 and "上级" in error["detail"]
    status, listed = _json(admin, "GET", "/national-tasks")
    assert {n["code"]: n["claimed_task_id"] for n in listed}["GJ2026-01"] == task["id"]
    assert _json(pw.client("b_admin"), "GET", "/national-tasks")[1] == []


def test_draft_plan_edits_through_api(pw: World) -> None:
    """The page-only edits of a draft plan have API twins: rename, add all missing, remove a line or a reason."""
    admin = pw.client("a_admin")
    status, plan = _json(admin, "POST", "/plans", {"year": 2026, "title": "草稿"})
    pid = plan["id"]
    status, plan = _json(admin, "PATCH", f"/plans/{pid}", {"title": "2026年度抽查计划", "description": "说明"})
    assert status == 200 and plan["title"] == "2026年度抽查计划"
    status, lines = _json(admin, "POST", f"/plans/{pid}/add-missing", {"ratios": RATIOS, "months": [4, 9]})
    assert status == 200 and sorted(line["item_code"] for line in lines) == ["GG-a", "YL-a"]
    response = admin.delete(f"{BASE}/plans/{pid}/lines/{lines[0]['id']}")
    assert response.status_code == 204
    status, entry = _json(admin, "POST", f"/plans/{pid}/uncovered", {"item_code": lines[0]["item_code"], "reason": "专项行动"})
    assert status == 200
    assert admin.delete(f"{BASE}/plans/{pid}/uncovered/{entry['id']}").status_code == 204
    assert pw.client("b_admin").delete(f"{BASE}/plans/{pid}/lines/{lines[1]['id']}").status_code == 404
    status, plan = _json(admin, "GET", f"/plans/{pid}")
    assert [line["item_code"] for line in plan["lines"]] == [lines[1]["item_code"]] and plan["uncovered"] == []
