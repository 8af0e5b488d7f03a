"""The portal shows an adjusted 联合抽查计划: the version, the reason and the earlier versions (still public)."""

from __future__ import annotations

import pytest
from django.test import Client

from shuangsuiji.planning import services
from shuangsuiji.planning.models import JointPlan, JointPlanStatus
from tests.conftest import World
from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db

REASON = "根据市卫生健康委通知增加托育机构消毒卫生检查"


def get(url: str, status: int = 200) -> str:
    response = Client().get(url)
    assert response.status_code == status, (url, response.status_code)
    return str(response.content.decode("utf-8"))


def adjust_and_republish(world: World, v1: JointPlan) -> JointPlan:
    admin = world.users["a_admin"]
    v2 = services.joint_plan_adjust(actor=admin, joint_plan=v1, reason=REASON)
    # the draft of the new version is not public; the published version still is
    get(f"/gs/joint-plans/{v2.pk}/", 404)
    assert "第2版" not in get(f"/gs/joint-plans/{v1.pk}/")
    services.joint_plan_update(
        actor=admin, joint_plan=v2, data={"target_scope": "托育机构、医疗机构、公共场所、娱乐场所"},
        participants=[world.orgs["a_culture"]], owner_items=[world.items["a"]],
    )
    v2 = services.joint_plan_send(actor=admin, joint_plan=v2)
    part = v2.participants.get(organization=world.orgs["a_culture"])
    services.joint_participant_confirm(actor=world.users["a_culture"], participant=part)
    return services.joint_plan_publish(actor=admin, joint_plan=v2)


def test_portal_shows_adjusted_joint_plan_with_reason_and_earlier_versions(world: World, portal: Portal) -> None:
    v1 = portal.joint
    v2 = adjust_and_republish(world, v1)
    v1.refresh_from_db()
    assert v1.status == JointPlanStatus.SUPERSEDED
    new = get(f"/gs/joint-plans/{v2.pk}/")
    assert "第2版" in new and "调整原因" in new and REASON in new and "娱乐场所" in new
    assert f"/gs/joint-plans/{v1.pk}/" in new and "版本记录" in new
    old = get(f"/gs/joint-plans/{v1.pk}/")
    assert "已被调整后的计划取代" in old and f"/gs/joint-plans/{v2.pk}/" in old
    assert "娱乐场所“双随机”抽查" in old  # the old version is shown as it was published
    listing = get("/gs/plans/")
    assert listing.count(f"/gs/joint-plans/{v1.pk}/") == 1 and f"/gs/joint-plans/{v2.pk}/" in listing
    assert REASON in listing
    data = Client().get(f"/api/public/joint-plans/{v2.pk}").json()
    assert (data["version"], data["previous_id"], data["adjustment_reason"]) == (2, v1.pk, REASON)
    assert Client().get(f"/api/public/joint-plans/{v1.pk}").json()["status"] == "已被调整后的计划取代"
    csv = Client().get("/gs/data/joint_plans.csv")
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content) if csv.streaming else csv.content  # type: ignore[attr-defined]
    assert REASON in body.decode("utf-8-sig") and "版本" in body.decode("utf-8-sig")
