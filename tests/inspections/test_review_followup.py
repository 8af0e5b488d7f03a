"""Review (退回/通过), follow-up cases, 应列尽列, closing with evidence, results flowing back to the target."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import Target
from shuangsuiji.inspections import followup
from shuangsuiji.inspections.models import CaseStatus, FollowUpCase, PublicationGroup, RecordStatus
from shuangsuiji.inspections.services import (
    evidence_add,
    publication_group,
    record_review,
    record_submit_result,
)
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, jpeg_bytes, upload

pytestmark = pytest.mark.django_db
PROBLEM = {"对公共场所卫生的监督检查": "2名从业人员无健康合格证明"}


def _submitted(world: World, **kwargs):  # type: ignore[no-untyped-def]
    s, hotel, clinic = generated(world)
    record = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel, **kwargs))
    return s, record


def test_return_with_reason_then_resubmit_and_approve(world: World) -> None:
    s, record = _submitted(world)
    reviewer = world.users["a_staff"]
    with pytest.raises(ApplicationError, match="退回须写明原因"):
        record_review(actor=reviewer, record=record, approve=False, comment="")
    record = record_review(actor=reviewer, record=record, approve=False, comment="检查情况描述不完整")
    assert record.status == RecordStatus.RETURNED and record.return_count == 1
    record = record_submit_result(actor=world.users["a_inspector"], record=record, entry=entry_for(record))
    record = record_review(actor=reviewer, record=record, approve=True)
    assert record.status == RecordStatus.APPROVED
    assert publication_group(record) == PublicationGroup.NO_PROBLEM
    target = Target.objects.get(pk=record.target_id)
    assert target.last_inspected_on == datetime.date(2026, 11, 20) and target.last_result == "未发现问题"
    assert not FollowUpCase.objects.exists()
    assert AuditEntry.objects.filter(event="target.inspection_result").count() == 1


def test_reviewer_rules(world: World) -> None:
    s, record = _submitted(world)
    with pytest.raises(PermissionDeniedError):
        record_review(actor=world.users["a_inspector"], record=record, approve=True)
    with pytest.raises(PermissionDeniedError):
        record_review(actor=world.users["b_admin"], record=record, approve=True)
    with pytest.raises(PermissionDeniedError):
        record_review(actor=world.users["city_admin"], record=record, approve=True)
    record_review(actor=world.users["a_leader"], record=record, approve=True)
    with pytest.raises(ApplicationError, match="不能审核"):
        record_review(actor=world.users["a_staff"], record=record, approve=True)


def test_submitter_cannot_review_own_entry(world: World) -> None:
    s, hotel, _ = generated(world)
    record = record_submit_result(actor=world.users["a_staff"], record=hotel, entry=entry_for(hotel))
    with pytest.raises(PermissionDeniedError, match="录入人不能审核"):
        record_review(actor=world.users["a_staff"], record=record, approve=True)


def test_failed_item_opens_case_with_rectification_deadline(world: World) -> None:
    s, record = _submitted(world, fail=PROBLEM, codes=["21"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    assert case.number == f"{record.number}-CZ1" and "健康合格证明" in case.problem
    assert case.rectify_ordered_on == datetime.date(2026, 11, 20)
    assert case.rectify_deadline == datetime.date(2026, 12, 4)  # 10 working days
    assert case.inspector is not None and case.inspector.name == "a张三"
    assert publication_group(record) == PublicationGroup.RECTIFIED
    staff = world.users["a_staff"]
    # closing needs a passed re-check and evidence
    with pytest.raises(ApplicationError, match="复查合格"):
        followup.case_close(actor=staff, case=case, closed_on=datetime.date(2026, 11, 25), note="已整改")
    followup.case_record_recheck(
        actor=world.users["a_inspector"], case=case, rechecked_on=datetime.date(2026, 11, 24), passed=True,
        note="已补办健康合格证明",
    )
    with pytest.raises(ApplicationError, match="证明材料"):
        followup.case_close(actor=staff, case=case, closed_on=datetime.date(2026, 11, 25), note="已整改")
    evidence_add(actor=world.users["a_inspector"], record=record, case=case, upload=upload("a.jpg", jpeg_bytes()))
    with pytest.raises(PermissionDeniedError):
        followup.case_close(actor=world.users["a_inspector"], case=case, closed_on=datetime.date(2026, 11, 25), note="x")
    case = followup.case_close(actor=staff, case=case, closed_on=datetime.date(2026, 11, 25), note="整改到位")
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(ApplicationError, match="已办结"):
        followup.case_record_recheck(actor=staff, case=case, rechecked_on=datetime.date(2026, 11, 25), passed=True, note="x")


def test_penalty_case_publication_deadline_and_target_flag(world: World) -> None:
    s, record = _submitted(world, fail=PROBLEM, codes=["221"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    assert case.meets_case_conditions and case.rectify_ordered_on is None
    admin = world.users["a_admin"]
    with pytest.raises(ApplicationError, match="须先立案"):
        followup.case_decide_penalty(actor=admin, case=case, decision_number="莲卫罚〔2026〕1号",
                                     decided_on=datetime.date(2026, 11, 24), content="警告")
    followup.case_file(actor=admin, case=case, case_number="莲卫立〔2026〕8号", filed_on=datetime.date(2026, 11, 21))
    case = followup.case_decide_penalty(
        actor=admin, case=case, decision_number="莲卫罚〔2026〕12号", decided_on=datetime.date(2026, 11, 24),
        content="警告并罚款人民币2000元", amount=Decimal("2000"),
    )
    assert case.penalty_publish_deadline == datetime.date(2026, 12, 3)  # 7 working days after 11月24日
    assert "penalized" in Target.objects.get(pk=record.target_id).risk_flags
    assert publication_group(record) == PublicationGroup.PENALTY
    evidence_add(actor=admin, record=record, case=case, upload=upload("decision.jpg", jpeg_bytes()))
    followup.case_close(actor=world.users["a_staff"], case=case, closed_on=datetime.date(2026, 11, 25), note="已执行")


def test_credit_conditions_cannot_be_closed_with_rectification_only(world: World) -> None:
    """应列尽列: a case meeting the listing conditions cannot close with 责令改正 only."""
    s, record = _submitted(world, fail=PROBLEM, codes=["21"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    admin = world.users["a_admin"]
    followup.case_set_conditions(actor=admin, case=case, case_filing=False, abnormal_list=True, serious_illegal=False,
                                 note="通过登记的经营场所无法联系，符合列入经营异常名录情形")
    followup.case_record_recheck(actor=admin, case=case, rechecked_on=datetime.date(2026, 11, 24), passed=True, note="已整改")
    evidence_add(actor=admin, record=record, case=case, upload=upload("r.jpg", jpeg_bytes()))
    with pytest.raises(ApplicationError, match="应列尽列"):
        followup.case_close(actor=world.users["a_staff"], case=case, closed_on=datetime.date(2026, 11, 25), note="已整改")
    followup.case_list_credit(actor=admin, case=case, abnormal_list=True, serious_illegal=False,
                              listed_on=datetime.date(2026, 11, 25), note="莲市监异〔2026〕3号")
    assert "abnormal_list" in Target.objects.get(pk=record.target_id).risk_flags
    case = followup.case_close(actor=world.users["a_staff"], case=case, closed_on=datetime.date(2026, 11, 25), note="完毕")
    assert case.status == CaseStatus.CLOSED


def test_transfer_and_judicial_must_be_recorded_before_closing(world: World) -> None:
    s, record = _submitted(world, fail=PROBLEM, codes=["222", "223"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    admin = world.users["a_admin"]
    evidence_add(actor=admin, record=record, case=case, upload=upload("r.jpg", jpeg_bytes()))
    followup.case_transfer(actor=admin, case=case, agency="莲池区市场监督管理局", transferred_on=datetime.date(2026, 11, 23))
    with pytest.raises(ApplicationError, match="移送司法机关"):
        followup.case_close(actor=world.users["a_staff"], case=case, closed_on=datetime.date(2026, 11, 25), note="x")
    followup.case_transfer(actor=admin, case=case, agency="莲池公安分局", transferred_on=datetime.date(2026, 11, 24),
                           judicial=True)
    followup.case_close(actor=world.users["a_staff"], case=case, closed_on=datetime.date(2026, 11, 25), note="已移交")


def test_non_cooperation_without_failed_item_opens_one_case(world: World) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel, codes=["40"], signature="refused", findings={}, result_note="拒绝提供从业人员健康证明")
    record = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry)
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    assert case.finding is None and case.problem == "拒绝提供从业人员健康证明" and case.meets_case_conditions


def test_case_scope(world: World) -> None:
    s, record = _submitted(world, fail=PROBLEM, codes=["21"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    case = FollowUpCase.objects.get(record=record)
    assert FollowUpCase.objects.visible_to(world.users["b_admin"]).count() == 0
    assert FollowUpCase.objects.visible_to(world.users["a_inspector"]).count() == 1
    with pytest.raises(PermissionDeniedError):
        followup.case_file(actor=world.users["b_admin"], case=case, case_number="x", filed_on=datetime.date(2026, 11, 24))


def test_case_section_comes_from_the_annual_plan_when_the_task_has_no_plan_line(world: World) -> None:
    """Joint and national tasks have no plan line: the ledger's 科室 is the one the annual plan gives the item."""
    from shuangsuiji.planning.models import AnnualPlan, AnnualPlanLine

    s, record = _submitted(world, fail=PROBLEM, codes=["21"])
    assert s.task.plan_line_id is None
    plan = AnnualPlan.objects.create(owner=world.orgs["a"], year=s.task.year, title="年度计划")
    AnnualPlanLine.objects.create(plan=plan, item=s.task.items.first(), responsible_section=world.orgs["a_section"])
    record_review(actor=world.users["a_staff"], record=record, approve=True)
    assert FollowUpCase.objects.get(record=record).section == world.orgs["a_section"]


def test_only_the_responsible_section_reviews(world: World) -> None:
    """When the annual plan names the 科室 of the task's items, staff of another 科室 may not review."""
    from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
    from shuangsuiji.planning.models import AnnualPlan, AnnualPlanLine

    s, record = _submitted(world)
    other = Organization.objects.create(
        name="莲池区卫生健康局医政股", kind=OrganizationKind.SECTION, region=world.regions["a"], parent=world.orgs["a"],
        code="a_other_section",
    )
    outsider = User.objects.create_user(username="a_other_staff", password="x", organization=other,
                                        role=Role.SECTION_STAFF, real_name="医政股人员")
    plan = AnnualPlan.objects.create(owner=world.orgs["a"], year=s.task.year, title="年度计划")
    AnnualPlanLine.objects.create(plan=plan, item=s.task.items.first(), responsible_section=world.orgs["a_section"])
    with pytest.raises(PermissionDeniedError, match="负责该事项的科室"):
        record_review(actor=outsider, record=record, approve=True)
    record_review(actor=world.users["a_staff"], record=record, approve=True)  # 公共卫生科: responsible
