"""Results flow from the inspections app to the portal: reviewed records → 公示, 行政处罚 → 7-day publication."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultGroup
from shuangsuiji.inspections import followup
from shuangsuiji.inspections.models import FollowUpCase
from shuangsuiji.inspections.services import record_review, record_submit_result
from shuangsuiji.planning.models import SchemeStatus, Task, TaskState, WorkScheme
from tests.conftest import World
from tests.inspections.factories import entry_for, generated

pytestmark = pytest.mark.django_db


def test_reviewed_records_are_published_and_penalty_follows(world: World) -> None:
    setup, hotel, clinic = generated(world)
    task = setup.task
    admin, reviewer = world.users["a_admin"], world.users["a_staff"]
    record_review(actor=reviewer, record=record_submit_result(actor=admin, record=hotel, entry=entry_for(hotel)),
                  approve=True)
    failing = entry_for(clinic, fail={clinic.items.first().name: "从业人员无健康证明，联系电话13912345678"},
                        codes=["221"])
    record_review(actor=reviewer, record=record_submit_result(actor=admin, record=clinic, entry=failing), approve=True)
    Task.objects.filter(pk=task.pk).update(state=TaskState.COMPLETED, completed_at=datetime.datetime(
        2026, 11, 23, 10, tzinfo=datetime.UTC))

    staff = world.client("a_admin")
    page = staff.get(f"/disclosure/tasks/{task.pk}/publish/").content.decode()
    assert hotel.number in page and clinic.number in page and "立案查处" in page
    assert world.client("b_admin").get(f"/disclosure/tasks/{task.pk}/publish/").status_code == 404
    assert world.client("a_leader").post(f"/disclosure/tasks/{task.pk}/publish/").status_code == 302
    assert not PublishedResult.objects.exists()  # the leader has no publishing permission

    response = staff.post(f"/disclosure/tasks/{task.pk}/publish/", {f"withhold_{hotel.pk}": ""})
    assert response.status_code == 302
    published = {r.enterprise_name: r for r in PublishedResult.objects.filter(task=task)}
    assert published[hotel.target.name].result_group == ResultGroup.NO_PROBLEM
    assert published[clinic.target.name].result_label == "立案查处"
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED  # every record published: 已公示

    case = FollowUpCase.objects.get(record=clinic)
    followup.case_set_conditions(actor=admin, case=case, case_filing=True, abnormal_list=False,
                                 serious_illegal=False, note="符合立案条件")
    followup.case_file(actor=admin, case=case, case_number="莲卫立〔2026〕8号", filed_on=datetime.date(2026, 11, 23))
    followup.case_decide_penalty(actor=admin, case=case, decision_number="莲卫罚〔2026〕8号",
                                 decided_on=datetime.date(2026, 11, 24), content="警告", amount=Decimal("2000"))
    page = staff.get(f"/disclosure/tasks/{task.pk}/publish/").content.decode()
    assert "莲卫罚〔2026〕8号" in page
    deadlines = staff.get("/disclosure/deadlines/").content.decode()
    assert "莲卫罚〔2026〕8号" in deadlines
    staff.post(f"/disclosure/tasks/{task.pk}/publish/", {"penalty": str(case.pk)})
    penalty = PublishedPenalty.objects.get()
    assert penalty.decision_no == "莲卫罚〔2026〕8号" and "2000" in penalty.content
    assert "13912345678" not in penalty.violation and "139****5678" in penalty.violation  # scrubbed
    result = PublishedResult.objects.get(pk=published[clinic.target.name].pk)
    assert result.result_group == ResultGroup.PENALTY
    # moving a published result into the 处罚 group is a change of public data: audited (it was not)
    regrouped = AuditEntry.objects.filter(event="disclosure.result_regroup", object_id=str(result.pk))
    before = published[clinic.target.name].result_group
    assert regrouped.exists() == (before != ResultGroup.PENALTY)
    if before != ResultGroup.PENALTY:
        assert regrouped.get().changes["result_group"] == [before, ResultGroup.PENALTY]
    html = Client().get(f"/gs/results/{result.pk}/").content.decode()
    assert "莲卫罚〔2026〕8号" in html and "139****5678" in html and "13912345678" not in html
    again = staff.post(f"/disclosure/tasks/{task.pk}/publish/", {"penalty": str(case.pk)}, follow=True)
    assert "已公示" in again.content.decode()


def test_withheld_record_is_kept_with_reason(world: World) -> None:
    setup, hotel, clinic = generated(world)
    WorkScheme.objects.create(task=setup.task, title="工作方案", body="……", status=SchemeStatus.PUBLISHED,
                              published_at=timezone.now())
    admin, reviewer = world.users["a_admin"], world.users["a_staff"]
    for record in (hotel, clinic):
        record_review(actor=reviewer, record=record_submit_result(actor=admin, record=record, entry=entry_for(record)),
                      approve=True)
    world.client("a_admin").post(f"/disclosure/tasks/{setup.task.pk}/publish/",
                                 {f"withhold_{clinic.pk}": "涉及国家秘密，依《政府信息公开条例》第十四条不予公开"})
    withheld = PublishedResult.objects.get(target=clinic.target)
    assert not withheld.is_public and "第十四条" in withheld.withheld_reason
    html = Client().get(f"/gs/tasks/{setup.task.pk}/results/").content.decode()
    assert clinic.target.name not in html and hotel.target.name in html and "1 户依法不宜公开" in html


def test_publishing_needs_the_second_factor(world: World, settings: object) -> None:
    """公示 is a sensitive step: a staff session that has not passed TOTP publishes nothing."""
    settings.SSJ_REQUIRE_2FA = True  # type: ignore[attr-defined]
    setup, hotel, clinic = generated(world)
    admin, reviewer = world.users["a_admin"], world.users["a_staff"]
    for record in (hotel, clinic):
        record_review(actor=reviewer, record=record_submit_result(actor=admin, record=record, entry=entry_for(record)),
                      approve=True)
    Task.objects.filter(pk=setup.task.pk).update(state=TaskState.COMPLETED)
    url = f"/disclosure/tasks/{setup.task.pk}/publish/"
    world.client("a_staff", verified=False).post(url, {f"withhold_{hotel.pk}": ""})
    assert not PublishedResult.objects.exists()
    world.client("a_staff").post(url, {f"withhold_{hotel.pk}": ""})
    assert PublishedResult.objects.filter(task=setup.task).count() == 2
