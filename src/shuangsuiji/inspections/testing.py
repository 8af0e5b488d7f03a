"""检验检测 by an agency (平顶山: 检测由疾控机构承担，或有资质的第三方检测机构): the record names the agency, the
sample, the dates and the report number; while the report is awaited the record's 10-working-day entry deadline
is 中止 with the recorded reason (``deadlines.suspension``) and resumes when the report is recorded (attached).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.deadlines.suspension import deadline_resume, deadline_suspend
from shuangsuiji.directory.models import InspectionMethod
from shuangsuiji.inspections import uploads
from shuangsuiji.inspections.models import (
    ENTRY_OPEN_STATUSES,
    AgencyKind,
    InspectionRecord,
    RecordStatus,
    TestingConclusion,
    TestingRecord,
    TestingStatus,
)
from shuangsuiji.inspections.permissions import check_can_enter
from shuangsuiji.inspections.services import _evidence_row, bureau_settings


def waiting(record: InspectionRecord) -> list[TestingRecord]:
    return list(TestingRecord.objects.filter(record=record, status=TestingStatus.WAITING).order_by("pk"))


def held_workdays(record: InspectionRecord) -> int:
    """Working days the record's entry deadline was held for test reports (added to its 10 working days)."""
    return sum(TestingRecord.objects.filter(record=record).values_list("held_workdays", flat=True))


def _entry_deadline(record: InspectionRecord) -> Deadline | None:
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(InspectionRecord), object_id=record.pk,
        kind=DeadlineKind.RESULT_ENTRY,
    ).first()


@transaction.atomic
def testing_create(
    *,
    actor: User,
    record: InspectionRecord,
    agency_name: str,
    agency_kind: str,
    sample: str,
    test_items: str,
    sampled_on: datetime.date,
    sent_on: datetime.date,
    agency_qualification: str = "",
) -> TestingRecord:
    """登记送检: the entry deadline of the record is held from the day the samples went to the agency."""
    record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("task").get(pk=record.pk)
    check_can_enter(actor, record)
    if record.status not in ENTRY_OPEN_STATUSES:
        raise ApplicationError(f"本表当前状态为“{record.get_status_display()}”，不能登记送检")
    for value, label in ((agency_name, "检测机构"), (sample, "样品名称及数量"), (test_items, "检测项目")):
        if not value.strip():
            raise ApplicationError(f"请填写{label}")
    if agency_kind not in AgencyKind.values:
        raise ApplicationError("请选择检测机构类别（疾病预防控制机构、第三方检测机构或其他有资质的机构）")
    if agency_kind == AgencyKind.THIRD_PARTY and not agency_qualification.strip():
        raise ApplicationError("第三方检测机构须填写资质认定（CMA）证书编号")
    today = timezone.localdate()
    if sampled_on > today or sent_on > today:
        raise ApplicationError("采样和送检日期不能晚于今天")
    if sent_on < sampled_on:
        raise ApplicationError("送检日期不能早于采样日期")
    if sampled_on < record.task.window_start:
        raise ApplicationError(f"采样日期早于任务开始日期（{format_cn_date(record.task.window_start)}）")
    reason = f"等待{agency_name.strip()}出具检验检测报告（样品：{sample.strip()}，{format_cn_date(sent_on)}送检）"
    testing = TestingRecord.objects.create(
        owner_id=record.owner_id, record=record, agency_name=agency_name.strip(), agency_kind=agency_kind,
        agency_qualification=agency_qualification.strip(), sample=sample.strip(), test_items=test_items.strip(),
        sampled_on=sampled_on, sent_on=sent_on, suspension_reason=reason[:255], created_by=actor,
    )
    if InspectionMethod.TESTING not in record.methods:
        record.methods = [*record.methods, InspectionMethod.TESTING.value]
        record.save(update_fields=["methods", "updated_at"])
    deadline_suspend(subject=record, kind=DeadlineKind.RESULT_ENTRY, since=sent_on, reason=reason, actor=actor)
    audit_record(
        actor=actor, event="inspection.testing_create", target=testing,
        changes={"record": record.number, "agency": testing.agency_name, "agency_kind": agency_kind,
                 "sample": testing.sample, "sampled_on": sampled_on, "sent_on": sent_on, "reason": reason},
    )
    return testing


@transaction.atomic
def testing_report(
    *,
    actor: User,
    testing: TestingRecord,
    report_number: str,
    report_on: datetime.date,
    conclusion: str,
    upload: uploads.Upload | None,
) -> TestingRecord:
    """登记检测报告 (number, date, conclusion, the file): the entry deadline runs again, moved by the days held."""
    testing = TestingRecord.objects.select_for_update(of=("self",)).select_related("record").get(pk=testing.pk)
    record = InspectionRecord.objects.select_for_update(of=("self",)).get(pk=testing.record_id)
    check_can_enter(actor, record)
    if testing.status != TestingStatus.WAITING:
        raise ApplicationError("该检测的报告已登记")
    if not report_number.strip():
        raise ApplicationError("请填写检测报告编号")
    if conclusion not in TestingConclusion.values:
        raise ApplicationError("请选择检测结论（合格/不合格）")
    if report_on < testing.sent_on:
        raise ApplicationError(f"报告出具日期不能早于送检日期（{format_cn_date(testing.sent_on)}）")
    if report_on > timezone.localdate():
        raise ApplicationError("报告出具日期不能晚于今天")
    if upload is None:
        raise ApplicationError("请上传检测报告（PDF 或扫描件）")
    stored = uploads.store_upload(upload, keep_location=bureau_settings(record.owner_id).keep_photo_location,
                                  kind_hint="scan")
    evidence = _evidence_row(actor=actor, record=record, stored=stored,
                             note=f"检验检测报告 {report_number.strip()}（{testing.agency_name}）")
    held = 0
    if not waiting_others(testing):
        deadline = deadline_resume(subject=record, kind=DeadlineKind.RESULT_ENTRY, on=report_on, actor=actor)
        if deadline is not None:
            held = deadline.suspensions[-1]["workdays"] if deadline.suspensions else 0
            if record.status == RecordStatus.PENDING or record.status == RecordStatus.RETURNED:
                record.entry_deadline = deadline.due_date
                record.save(update_fields=["entry_deadline", "updated_at"])
    testing.status = TestingStatus.REPORTED
    testing.report_number = report_number.strip()[:64]
    testing.report_on = report_on
    testing.conclusion = conclusion
    testing.report_file = evidence
    testing.held_workdays = held
    testing.save()
    audit_record(
        actor=actor, event="inspection.testing_report", target=testing,
        changes={"record": record.number, "report_number": testing.report_number, "report_on": report_on,
                 "conclusion": conclusion, "file_sha256": evidence.sha256, "held_workdays": held},
    )
    return testing


def waiting_others(testing: TestingRecord) -> bool:
    """Another test of the same record still awaits its report (the hold goes on until the last one)."""
    return TestingRecord.objects.filter(record_id=testing.record_id, status=TestingStatus.WAITING).exclude(
        pk=testing.pk
    ).exists()
