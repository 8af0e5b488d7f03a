"""检验检测 by an agency: named agency, sample, dates, report number and file; the 10-working-day entry deadline
is 中止 while the report is awaited (no reminder or 督办), then runs on moved by the working days held."""

from __future__ import annotations

import datetime

import pytest
from fpdf import FPDF

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import DeadlineStatus, Supervision
from shuangsuiji.deadlines.reminders import deadlines_scan
from shuangsuiji.inspections import testing as lab
from shuangsuiji.inspections.documents import record_pdf
from shuangsuiji.inspections.services import record_submit_result
from shuangsuiji.inspections.testing import _entry_deadline
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, upload
from tests.pdf_tools import compact, pdf_text

pytestmark = pytest.mark.django_db

SAMPLED = datetime.date(2026, 11, 2)  # Monday; 10 working days → 2026-11-16
SENT = datetime.date(2026, 11, 3)
REPORTED = datetime.date(2026, 11, 20)  # 13 working days held (11-04 … 11-20)


def report_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Test report JC-2026-1187")
    return bytes(pdf.output())


def _create(world: World, record: object, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "agency_name": "保定市莲池区疾病预防控制中心", "agency_kind": "cdc", "sample": "客房毛巾 3 条、茶具 2 套",
        "test_items": "细菌总数、大肠菌群", "sampled_on": SAMPLED, "sent_on": SENT,
    }
    values.update(overrides)
    return lab.testing_create(actor=world.users["a_admin"], record=record, **values)  # type: ignore[arg-type]


def test_testing_holds_and_resumes_the_entry_deadline(world: World) -> None:
    _, hotel, _ = generated(world)
    deadline = _entry_deadline(hotel)
    assert deadline is not None and deadline.suspended_since is None
    tested = _create(world, hotel)
    deadline.refresh_from_db()
    assert deadline.suspended_since == SENT and "保定市莲池区疾病预防控制中心" in deadline.suspension_reason
    assert "testing" in type(hotel).objects.get(pk=hotel.pk).methods
    # held: never overdue, no reminder/督办 even long after the due date
    far = deadline.due_date + datetime.timedelta(days=60)
    assert deadline.status_on(far) == DeadlineStatus.PENDING
    deadlines_scan(today=far, send_emails=False)
    assert not Supervision.objects.filter(deadline=deadline).exists()
    with pytest.raises(ApplicationError, match="检验检测报告尚未出具"):
        record_submit_result(actor=world.users["a_inspector"], record=hotel,
                             entry=entry_for(hotel, inspected_on=SAMPLED))

    with pytest.raises(ApplicationError, match="上传检测报告"):
        lab.testing_report(actor=world.users["a_admin"], testing=tested, report_number="JC-1", report_on=REPORTED,
                       conclusion="pass", upload=None)
    with pytest.raises(ApplicationError, match="不能早于送检日期"):
        lab.testing_report(actor=world.users["a_admin"], testing=tested, report_number="JC-1",
                       report_on=datetime.date(2026, 11, 1), conclusion="pass",
                       upload=upload("r.pdf", report_pdf(), "application/pdf"))
    before = deadline.due_date
    done = lab.testing_report(actor=world.users["a_admin"], testing=tested, report_number="JC-2026-1187",
                          report_on=REPORTED, conclusion="pass", upload=upload("r.pdf", report_pdf(), "application/pdf"))
    deadline.refresh_from_db()
    held = get_calendar().workdays_between(SENT, REPORTED)
    assert held == 13 and done.held_workdays == 13 and deadline.suspended_workdays == 13
    assert deadline.suspended_since is None and deadline.due_date == get_calendar().add_workdays(before, 13).date
    assert done.report_file is not None and done.report_file.record_id == hotel.pk
    assert {"inspection.testing_create", "inspection.testing_report", "deadline.suspend", "deadline.resume"} <= set(
        AuditEntry.objects.values_list("event", flat=True))

    # entered on 2026-11-25: late without the hold (due 11-16), in time with it (due 12-03)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel,
                                 entry=entry_for(hotel, inspected_on=SAMPLED))
    deadline.refresh_from_db()
    assert not hotel.entered_late and hotel.entry_deadline == datetime.date(2026, 12, 3)
    assert deadline.due_date == datetime.date(2026, 12, 3) and not deadline.completed_late
    flat = compact(pdf_text(record_pdf(hotel)))
    assert compact("保定市莲池区疾病预防控制中心") in flat and "JC-2026-1187" in flat


def test_testing_refusals(world: World) -> None:
    _, hotel, _ = generated(world)
    with pytest.raises(ApplicationError, match="CMA"):
        _create(world, hotel, agency_kind="third_party", agency_name="某检测技术有限公司")
    with pytest.raises(ApplicationError, match="不能早于采样日期"):
        _create(world, hotel, sent_on=datetime.date(2026, 11, 1))
    with pytest.raises(ApplicationError, match="检测机构类别"):
        _create(world, hotel, agency_kind="lab")
    with pytest.raises(PermissionDeniedError):
        lab.testing_create(actor=world.users["b_admin"], record=hotel, agency_name="x", agency_kind="cdc", sample="s",
                       test_items="t", sampled_on=SAMPLED, sent_on=SENT)


def test_testing_pages_and_api(world: World) -> None:
    _, hotel, _ = generated(world)
    client = world.client("a_admin")
    reply = client.post(f"/inspections/records/{hotel.pk}/testings/", {
        "agency_name": "河北某检测技术有限公司", "agency_kind": "third_party", "agency_qualification": "CMA 180312340567",
        "sample": "游泳池水 2 L", "test_items": "游离性余氯、浑浊度", "sampled_on": "2026-11-02", "sent_on": "2026-11-03",
    })
    assert reply.status_code == 302
    page = client.get(f"/inspections/records/{hotel.pk}/").content.decode()
    assert "结果录入期限中止中" in page and "河北某检测技术有限公司" in page
    listed = client.get(f"/api/inspections/records/{hotel.pk}/testings").json()
    assert listed[0]["status"] == "waiting" and "等待河北某检测技术有限公司" in listed[0]["suspension_reason"]
    testing_id = listed[0]["id"]
    reported = client.post(f"/api/inspections/testings/{testing_id}/report", {
        "report_number": "HB-JC-7781", "report_on": "2026-11-20", "conclusion": "fail",
        "file": upload("report.pdf", report_pdf(), "application/pdf"),
    })
    assert reported.status_code == 200, reported.content
    assert reported.json()["held_workdays"] == 13 and reported.json()["report_file_sha256"]
    again = client.post(f"/api/inspections/testings/{testing_id}/report", {
        "report_number": "x", "report_on": "2026-11-20", "conclusion": "fail",
        "file": upload("report.pdf", report_pdf(), "application/pdf"),
    })
    assert again.status_code == 400 and "已登记" in again.json()["detail"]
    assert world.client("b_admin").get(f"/api/inspections/records/{hotel.pk}/testings").status_code == 404
    created = client.post(f"/api/inspections/records/{hotel.pk}/testings", {
        "agency_name": "莲池区疾控中心", "agency_kind": "cdc", "sample": "毛巾", "test_items": "细菌总数",
        "sampled_on": "2026-11-21", "sent_on": "2026-11-23"}, content_type="application/json")
    assert created.status_code == 201
