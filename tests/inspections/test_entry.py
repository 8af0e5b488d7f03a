"""Result entry rules: methods, findings vs result codes, ≥2 officers with licences, signature or 拒签."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.inspections.models import Evidence, RecordStatus, ResultCode
from shuangsuiji.inspections.services import record_submit_result
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, signature_data_url

pytestmark = pytest.mark.django_db


def test_inspector_of_the_team_submits_with_refusal(world: World) -> None:
    s, hotel, _ = generated(world)
    record = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    assert record.status == RecordStatus.SUBMITTED
    assert record.signature_kind == "refused" and record.refusal_witness == "社区网格员 刘芳"
    assert record.entry_deadline == datetime.date(2026, 12, 4)  # 10 working days after 11月20日
    assert not record.entered_late
    assert [c.code for c in record.result_codes.all()] == ["10"]
    assert AuditEntry.objects.filter(event="inspection.submit").count() == 1


def test_signature_pad_is_stored_as_evidence(world: World) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel, signature="pad")
    record = record_submit_result(
        actor=world.users["a_inspector"], record=hotel, entry=entry, signature_data_url=signature_data_url()
    )
    assert record.signature_file is not None and record.signature_file.kind == "signature"
    assert record.signature_file.mime == "image/png" and record.signer_name == "王经理"


def test_inspector_outside_the_team_cannot_enter(world: World) -> None:
    s, _, clinic = generated(world)
    with pytest.raises(PermissionDeniedError, match="不是该检查组成员"):
        record_submit_result(actor=world.users["a_inspector"], record=clinic, entry=entry_for(clinic))
    with pytest.raises(PermissionDeniedError):
        record_submit_result(actor=world.users["b_admin"], record=clinic, entry=entry_for(clinic))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"methods": []}, "请选择检查方式"),
        ({"methods": ["teleport"]}, "未知的检查方式"),
        ({"inspected_on": datetime.date(2026, 11, 30)}, "不能晚于今天"),
        ({"inspected_on": datetime.date(2026, 8, 1)}, "早于任务开始日期"),
        ({"result_codes": []}, "请选择抽查结果"),
        ({"result_codes": ["20"]}, "分类标题"),
        ({"result_codes": ["10", "30"]}, "不能与其他抽查结果同时选择"),
        ({"result_codes": ["99"]}, "未知或已停用"),
        ({"result_codes": ["21"], "rectify_workdays": 10}, "没有不合格的检查事项"),
        ({"result_codes": ["90"]}, "须填写结果说明"),
        ({"signature_kind": ""}, "签字确认"),
        ({"refusal_witness": ""}, "见证人"),
        ({"refusal_reason": ""}, "拒签原因"),
    ],
)
def test_entry_rules(world: World, overrides: dict, message: str) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel, **overrides)
    with pytest.raises(ApplicationError, match=message):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=entry)


def test_missing_finding_and_failed_item_rules(world: World) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel)
    first = next(iter(entry.findings))
    entry.findings[first] = ("", "")
    with pytest.raises(ApplicationError, match="请填写“对公共场所卫生的监督检查”的检查结论"):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=entry)
    failing = entry_for(hotel, fail={"对公共场所卫生的监督检查": "从业人员无健康合格证明"}, codes=["10"])
    with pytest.raises(ApplicationError, match="有不合格的检查事项"):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=failing)
    no_note = entry_for(hotel, fail={"对公共场所卫生的监督检查": " "}, codes=["21"])
    with pytest.raises(ApplicationError, match="请描述发现的问题"):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=no_note)
    no_deadline = entry_for(hotel, fail={"对公共场所卫生的监督检查": "无证"}, codes=["21"], rectify_workdays=None)
    with pytest.raises(ApplicationError, match="整改期限"):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=no_deadline)


def test_two_officers_with_valid_licences_must_be_present(world: World) -> None:
    s, hotel, _ = generated(world)
    members = list(hotel.members.all())
    with pytest.raises(ApplicationError, match="不少于2名"):
        record_submit_result(
            actor=world.users["a_admin"], record=hotel, entry=entry_for(hotel, present_member_ids=[members[0].pk])
        )
    inspector = members[1].inspector
    inspector.licence_valid_to = datetime.date(2026, 11, 1)
    inspector.save()
    with pytest.raises(ApplicationError, match="李四的行政执法证在检查日期无效"):
        record_submit_result(actor=world.users["a_admin"], record=hotel, entry=entry_for(hotel))


def test_status_results_need_no_findings_or_signature(world: World) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel, codes=["30"], signature="", findings={})
    record = record_submit_result(actor=world.users["a_admin"], record=hotel, entry=entry)
    assert record.status == RecordStatus.SUBMITTED
    assert set(record.items.values_list("finding", flat=True)) == {""}


def test_resubmission_with_same_client_id_is_idempotent(world: World) -> None:
    s, hotel, _ = generated(world)
    entry = entry_for(hotel, client_submission_id="draft-1234")
    first = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry)
    again = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry)
    assert first.pk == again.pk and again.status == RecordStatus.SUBMITTED
    assert AuditEntry.objects.filter(event="inspection.submit").count() == 1
    with pytest.raises(ApplicationError, match="不能录入结果"):
        record_submit_result(
            actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel, client_submission_id="other")
        )


def test_late_entry_is_flagged(world: World) -> None:
    s, hotel, _ = generated(world)
    record = record_submit_result(
        actor=world.users["a_admin"], record=hotel, entry=entry_for(hotel, inspected_on=datetime.date(2026, 11, 2))
    )
    assert record.entered_late and record.entry_deadline == datetime.date(2026, 11, 16)


def test_result_codes_are_seeded_hierarchically(world: World) -> None:
    penalty = ResultCode.objects.get(name="行政处罚")
    assert penalty.parent is not None and penalty.parent.name == "发现问题"
    assert penalty.publication_group == "penalty"
    assert ResultCode.objects.get(name="立案查处").full_name == "发现问题 › 发现问题待后续处理 › 立案查处"
    groups = set(ResultCode.objects.values_list("publication_group", flat=True))
    assert {"no_problem", "rectified", "penalty", "unreachable"} <= groups
    assert Evidence.objects.count() == 0


def test_seed_data_matches_the_migration() -> None:
    import importlib

    from shuangsuiji.inspections.result_codes import RESULT_CODES

    migration = importlib.import_module("shuangsuiji.inspections.migrations.0002_seed_result_codes")
    assert migration.RESULT_CODES == RESULT_CODES
