"""Adjustment of a published 联合抽查计划: a new version with a reason, re-confirmed by every department, published
again; the old version stays readable (and becomes 已被取代 only when the new one is published)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.models import JointPlan, JointPlanStatus
from tests.conftest import World
from tests.planning.test_joint_and_national import JOINT

CULTURE_ITEMS = "娱乐场所经营活动检查\n营业性演出检查"


def published_joint(pw: World) -> JointPlan:
    joint = services.joint_plan_create(
        actor=pw.users["a_admin"], data=JOINT, participants=[pw.orgs["a_culture"], pw.orgs["a_medins"]],
        owner_items=[pw.items["a"]],
    )
    return confirm_and_publish(pw, joint, culture_items=CULTURE_ITEMS)


def confirm_and_publish(pw: World, joint: JointPlan, culture_items: str | None = None) -> JointPlan:
    joint = services.joint_plan_send(actor=pw.users["a_admin"], joint_plan=joint)
    for key, titles in (("a_culture", culture_items), ("a_medins", "定点医药机构检查")):
        part = joint.participants.get(organization=pw.orgs[key])
        services.joint_participant_confirm(actor=pw.users[key], participant=part, item_titles=titles)
    return services.joint_plan_publish(actor=pw.users["a_admin"], joint_plan=joint)


def test_only_a_published_joint_plan_is_adjusted_and_a_reason_is_required(pw: World) -> None:
    admin = pw.users["a_admin"]
    draft = services.joint_plan_create(
        actor=admin, data={**JOINT, "title": "草稿"}, participants=[pw.orgs["a_culture"]], owner_items=[pw.items["a"]]
    )
    with pytest.raises(ApplicationError, match="只有已公布"):
        services.joint_plan_adjust(actor=admin, joint_plan=draft, reason="x")
    sent = services.joint_plan_send(actor=admin, joint_plan=draft)
    with pytest.raises(ApplicationError, match="只有已公布"):
        services.joint_plan_adjust(actor=admin, joint_plan=sent, reason="x")
    joint = published_joint(pw)
    for reason in ("", "   "):
        with pytest.raises(ApplicationError, match="调整原因"):
            services.joint_plan_adjust(actor=admin, joint_plan=joint, reason=reason)
    # a published plan is no longer edited in place
    with pytest.raises(ApplicationError, match="调整"):
        services.joint_plan_update(actor=admin, joint_plan=joint, data={"ratio_percent": 10})
    # a participating department and the upper level cannot adjust; another county does not even see it
    for key in ("a_culture", "city_admin"):
        with pytest.raises(PermissionDeniedError):
            services.joint_plan_adjust(actor=pw.users[key], joint_plan=joint, reason="x")
    with pytest.raises(NotFoundError):
        selectors.joint_plan_get(actor=pw.users["b_admin"], pk=joint.pk)
    assert JointPlan.objects.filter(previous=joint).count() == 0
    v2 = services.joint_plan_adjust(actor=admin, joint_plan=joint, reason="增加托育机构")
    with pytest.raises(ApplicationError, match="调整中"):
        services.joint_plan_adjust(actor=admin, joint_plan=joint, reason="again")
    assert AuditEntry.objects.filter(event="joint_plan.adjust", object_id=str(v2.pk)).count() == 1


def test_adjustment_is_reconfirmed_republished_and_keeps_the_history(pw: World) -> None:
    admin = pw.users["a_admin"]
    v1 = published_joint(pw)
    task = services.task_create_from_joint_plan(actor=admin, joint_plan=v1, data={})
    v2 = services.joint_plan_adjust(actor=admin, joint_plan=v1, reason="  根据市局通知延长检查时间  ")
    # an adjustment is not a new filing duty: only the first version has a 联合抽查计划报送 deadline
    filing = Deadline.objects.filter(kind=DeadlineKind.JOINT_PLAN_FILING, organization=pw.orgs["a"])
    assert filing.count() == 1 and filing.get().completed_at is not None
    assert (v2.version, v2.previous, v2.status, v2.adjustment_reason) == (2, v1, JointPlanStatus.DRAFT,
                                                                          "根据市局通知延长检查时间")
    assert str(v2).endswith("（第2版）")
    # the participants and their items are copied, but every department must confirm again
    parts = list(v2.participants.all())
    assert {p.organization_id for p in parts} == {pw.orgs[k].pk for k in ("a", "a_culture", "a_medins")}
    assert all(p.confirmed_at is None and p.confirmed_by is None for p in parts)
    assert list(v2.participants.get(organization=pw.orgs["a"]).items.all()) == [pw.items["a"]]
    assert v2.participants.get(organization=pw.orgs["a_culture"]).item_lines == CULTURE_ITEMS.splitlines()
    # v1 stays published and readable, also to the participants, who do not see the new draft
    v1.refresh_from_db()
    assert v1.status == JointPlanStatus.PUBLISHED
    assert selectors.joint_plan_get(actor=pw.users["a_culture"], pk=v1.pk) == v1
    with pytest.raises(NotFoundError):
        selectors.joint_plan_get(actor=pw.users["a_culture"], pk=v2.pk)
    assert [v.version for v in selectors.joint_plan_versions(actor=pw.users["a_culture"], plan=v1)] == [1]
    # the draft is edited like a new plan
    services.joint_plan_update(
        actor=admin, joint_plan=v2, data={"window_end": datetime.date(2026, 9, 30)},
        owner_items=[pw.items["a"], pw.items["a2"]],
    )
    with pytest.raises(ApplicationError, match="全部确认"):
        services.joint_plan_publish(actor=admin, joint_plan=v2)
    v2 = services.joint_plan_send(actor=admin, joint_plan=v2)
    with pytest.raises(ApplicationError, match="全部确认"):
        services.joint_plan_publish(actor=admin, joint_plan=v2)
    v2 = confirm_and_publish_sent(pw, v2, culture_items="娱乐场所经营活动检查")
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (JointPlanStatus.SUPERSEDED, JointPlanStatus.PUBLISHED)
    assert AuditEntry.objects.filter(event="joint_plan.supersede", object_id=str(v1.pk)).count() == 1
    # the old version is unchanged and still readable; its task stays linked to it
    assert v1.window_end == datetime.date(2026, 6, 30)
    assert selectors.joint_plan_get(actor=pw.users["a_culture"], pk=v1.pk) == v1
    task.refresh_from_db()
    assert task.joint_plan_id == v1.pk
    with pytest.raises(ApplicationError, match="只有已公布"):
        services.joint_plan_adjust(actor=admin, joint_plan=v1, reason="x")
    with pytest.raises(ApplicationError, match="只能从已公布"):
        services.task_create_from_joint_plan(actor=admin, joint_plan=v1, data={})
    assert [v.version for v in selectors.joint_plan_versions(actor=admin, plan=v1)] == [2, 1]
    assert [v.version for v in selectors.joint_plan_versions(actor=pw.users["a_culture"], plan=v2)] == [2, 1]
    # the diff: the window and the items per department
    diff = selectors.joint_plan_diff(old=v1, new=v2)
    assert [label for label, _, _ in diff.fields] == ["时间"]
    assert "2026-09-30" in diff.fields[0][2]
    by_org = {d.organization: d for d in diff.departments}
    assert by_org[pw.orgs["a"].name].items_added == [f"YL-a {pw.items['a2'].name}"]
    assert by_org[pw.orgs["a_culture"].name].items_removed == ["营业性演出检查"]
    assert pw.orgs["a_medins"].name not in by_org
    # a third version can be started from the new published one
    v3 = services.joint_plan_adjust(actor=admin, joint_plan=v2, reason="第三次调整")
    assert v3.version == 3 and [v.version for v in selectors.joint_plan_versions(actor=admin, plan=v1)] == [3, 2, 1]


def confirm_and_publish_sent(pw: World, joint: JointPlan, culture_items: str) -> JointPlan:
    for key, titles in (("a_culture", culture_items), ("a_medins", None)):
        part = joint.participants.get(organization=pw.orgs[key])
        with pytest.raises(PermissionDeniedError):
            services.joint_participant_confirm(actor=pw.users["a_admin"], participant=part, item_titles="x")
        services.joint_participant_confirm(actor=pw.users[key], participant=part, item_titles=titles)
    return services.joint_plan_publish(actor=pw.users["a_admin"], joint_plan=joint)


def _html(response: Any) -> str:
    return str(response.content.decode("utf-8"))


def test_adjustment_through_pages(pw: World) -> None:
    v1 = published_joint(pw)
    admin = pw.client("a_admin")
    page = _html(admin.get(f"/planning/joint/{v1.pk}/"))
    assert f"/planning/joint/{v1.pk}/do/adjust/" in page and "data-confirm=\"调整将生成新版本" in page
    assert "第1版" in page and f"/planning/joint/{v1.pk}/history/" in page
    # a participant reads the page but gets no adjust button
    assert "/do/adjust/" not in _html(pw.client("a_culture").get(f"/planning/joint/{v1.pk}/"))
    # without a reason: a message, no new version
    response = admin.post(f"/planning/joint/{v1.pk}/do/adjust/", {"reason": " "}, follow=True)
    assert "调整原因" in _html(response) and not JointPlan.objects.filter(previous=v1).exists()
    # another county gets 404 for the action and the history
    assert pw.client("b_admin").post(f"/planning/joint/{v1.pk}/do/adjust/", {"reason": "x"}).status_code == 404
    assert pw.client("b_admin").get(f"/planning/joint/{v1.pk}/history/").status_code == 404
    response = admin.post(f"/planning/joint/{v1.pk}/do/adjust/", {"reason": "增加托育机构"})
    v2 = JointPlan.objects.get(previous=v1)
    assert response.status_code == 302 and response["Location"] == f"/planning/joint/{v2.pk}/edit/"
    page = _html(admin.get(f"/planning/joint/{v2.pk}/"))
    assert "增加托育机构" in page and "调整自" in page and "无变化" in page
    old = _html(admin.get(f"/planning/joint/{v1.pk}/"))
    assert "正在调整" in old and "/do/adjust/" not in old
    services.joint_plan_update(actor=pw.users["a_admin"], joint_plan=v2, data={"ratio_percent": 8})
    history = _html(admin.get(f"/planning/joint/{v2.pk}/history/"))
    assert "第2版" in history and "第1版" in history and "增加托育机构" in history and "<del>5.00%</del>" in history


BASE = "/api/planning"


def _json(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    response = client.generic(method, BASE + url, json.dumps(body or {}), content_type="application/json")
    return response.status_code, response.json()


def test_adjustment_through_api(pw: World) -> None:
    v1 = published_joint(pw)
    admin = pw.client("a_admin")
    status, error = _json(admin, "POST", f"/joint-plans/{v1.pk}/adjust", {"reason": ""})
    assert status == 400 and "调整原因" in error["detail"]
    assert _json(pw.client("b_admin"), "POST", f"/joint-plans/{v1.pk}/adjust", {"reason": "x"})[0] == 404
    assert _json(pw.client("a_culture"), "POST", f"/joint-plans/{v1.pk}/adjust", {"reason": "x"})[0] == 403
    status, v2 = _json(admin, "POST", f"/joint-plans/{v1.pk}/adjust", {"reason": "增加托育机构"})
    assert status == 201 and (v2["version"], v2["previous_id"], v2["status"]) == (2, v1.pk, "draft")
    assert v2["adjustment_reason"] == "增加托育机构"
    assert all(p["confirmed_at"] is None for p in v2["participants"])
    status, diff = _json(admin, "GET", f"/joint-plans/{v2['id']}/diff")
    assert status == 200 and diff == {"previous_id": v1.pk, "fields": [], "departments": []}
    services.joint_plan_update(actor=pw.users["a_admin"], joint_plan=JointPlan.objects.get(pk=v2["id"]),
                               data={"target_scope": "托育机构"}, owner_items=[pw.items["a"], pw.items["a2"]])
    status, diff = _json(admin, "GET", f"/joint-plans/{v2['id']}/diff")
    assert diff["fields"][0]["label"] == "抽查对象范围" and diff["fields"][0]["new"] == "托育机构"
    assert diff["departments"][0]["kind"] == "changed" and diff["departments"][0]["items_added"][0].startswith("YL-a")
    assert _json(admin, "GET", f"/joint-plans/{v1.pk}/diff")[1]["previous_id"] is None
    status, versions = _json(admin, "GET", f"/joint-plans/{v1.pk}/versions")
    assert status == 200 and [v["version"] for v in versions] == [2, 1]
    assert [v["version"] for v in _json(pw.client("a_culture"), "GET", f"/joint-plans/{v1.pk}/versions")[1]] == [1]
    assert _json(pw.client("b_admin"), "GET", f"/joint-plans/{v1.pk}/diff")[0] == 404
    assert _json(pw.client("b_admin"), "GET", f"/joint-plans/{v1.pk}/versions")[0] == 404
