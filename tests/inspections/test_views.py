"""Pages: scope (other county → 404, inspectors only their team's records), entry through the form, review,
evidence served privately, ledger and export, PDF/Word downloads."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordStatus
from shuangsuiji.inspections.services import evidence_add, record_review, record_submit_result
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, jpeg_bytes, signature_data_url, upload

pytestmark = pytest.mark.django_db


def _entry_post(record: InspectionRecord, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "methods": ["on_site"], "inspected_on": "2026-11-20", "codes": ["10"],
        "present": [m.pk for m in record.members.all()], "signature_kind": "pad", "signer_name": "王经理",
        "signature_data": signature_data_url(), "client_submission_id": "c-1", "situation": "现场检查未见异常",
    }
    for item in record.items.all():
        data[f"finding_{item.pk}"] = "pass"
    data.update(extra)
    return data


def test_inspector_sees_only_own_team_records(world: World) -> None:
    s, hotel, clinic = generated(world)
    client = world.client("a_inspector")
    body = client.get("/inspections/").content.decode()
    assert "莲池区悦来宾馆" in body and "莲池区康宁诊所" not in body
    assert client.get(f"/inspections/records/{hotel.pk}/entry/").status_code == 200
    assert client.get(f"/inspections/records/{clinic.pk}/").status_code == 404
    assert client.get(f"/inspections/records/{clinic.pk}/entry/").status_code == 404
    assert world.client("b_admin").get(f"/inspections/records/{hotel.pk}/").status_code == 404


def test_entry_page_is_phone_ready_without_inline_script(world: World) -> None:
    s, hotel, _ = generated(world)
    body = world.client("a_inspector").get(f"/inspections/records/{hotel.pk}/entry/").content.decode()
    assert 'name="viewport" content="width=device-width' in body
    assert "js/inspections-entry.js" in body and 'data-draft-key="ssj-entry-' in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline script found"
    assert " onclick=" not in body and " onsubmit=" not in body
    assert "ssj-signature-pad" in body and "未发现问题" in body and "立案查处" in body


def test_entry_form_submits_and_review_approves(world: World) -> None:
    s, hotel, _ = generated(world)
    client = world.client("a_inspector")
    photo = upload("现场.jpg", jpeg_bytes(gps=True), "image/jpeg")
    response = client.post(f"/inspections/records/{hotel.pk}/entry/", {**_entry_post(hotel), "evidence": [photo]})
    assert response.status_code == 302, response.content.decode()[-3000:]
    hotel.refresh_from_db()
    assert hotel.status == RecordStatus.SUBMITTED and hotel.signature_file is not None
    assert hotel.evidence.filter(kind="photo").count() == 1
    detail = client.get(f"/inspections/records/{hotel.pk}/").content.decode()
    assert "data-ssj-clear-draft" in detail
    review = world.client("a_staff").post(f"/inspections/records/{hotel.pk}/review/", {"decision": "approve"})
    assert review.status_code == 302
    hotel.refresh_from_db()
    assert hotel.status == RecordStatus.APPROVED


def test_entry_errors_are_shown_in_chinese_and_keep_input(world: World) -> None:
    s, hotel, _ = generated(world)
    response = world.client("a_inspector").post(
        f"/inspections/records/{hotel.pk}/entry/",
        _entry_post(hotel, present=[hotel.members.first().pk], situation="保留我"),  # type: ignore[union-attr]
    )
    body = response.content.decode()
    assert response.status_code == 200 and "到场执法人员须不少于2名" in body and "保留我" in body


def test_renamed_executable_upload_is_refused_on_the_page(world: World) -> None:
    s, hotel, _ = generated(world)
    exe = upload("photo.jpg", b"MZ\x90\x00" + b"\x00" * 300, "image/jpeg")
    response = world.client("a_inspector").post(f"/inspections/records/{hotel.pk}/evidence/", {"file": exe}, follow=True)
    assert "检测到可执行程序" in response.content.decode()
    assert not hotel.evidence.exists()


def test_evidence_is_served_only_to_readers(world: World) -> None:
    s, hotel, clinic = generated(world)
    evidence = evidence_add(actor=world.users["a_admin"], record=clinic, upload=upload("x.jpg", jpeg_bytes()))
    url = f"/inspections/evidence/{evidence.pk}/"
    response = world.client("a_admin").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]
    assert Client().get(url).status_code == 302
    assert world.client("b_admin").get(url).status_code == 404
    assert world.client("a_inspector").get(url).status_code == 404  # not their team's record
    assert evidence.storage_path.startswith("evidence/") and "/media/" not in evidence.storage_path


def test_ledger_lists_filters_and_exports(world: World) -> None:
    s, hotel, clinic = generated(world)
    entry = entry_for(hotel, fail={"对公共场所卫生的监督检查": "无健康证明"}, codes=["21"])
    record_review(actor=world.users["a_staff"],
                  record=record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry), approve=True)
    case = FollowUpCase.objects.get()
    client = world.client("a_admin")
    body = client.get("/inspections/cases/").content.decode()
    assert case.number in body and "个工作日" in body
    assert case.number not in client.get("/inspections/cases/?status=closed").content.decode()
    assert case.number not in client.get("/inspections/cases/?min_age=30").content.decode()
    assert client.get("/inspections/cases/?min_age=99999999999&section=99999999999999999999999").status_code == 200
    assert case.number in client.get(f"/inspections/cases/?inspector={case.inspector_id}").content.decode()
    assert case.number not in world.client("b_admin").get("/inspections/cases/").content.decode()
    response = client.get("/inspections/cases/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "台账编号" and rows[1][0] == case.number and rows[1][2] == "莲池区悦来宾馆"
    detail = client.get(f"/inspections/cases/{case.pk}/").content.decode()
    assert "责令整改尚未复查合格" in detail
    post = client.post(f"/inspections/cases/{case.pk}/do/recheck/",
                       {"recheck-rechecked_on": "2026-11-24", "recheck-passed": "1", "recheck-note": "已补办"})
    assert post.status_code == 302
    case.refresh_from_db()
    assert case.recheck_passed is True


def test_downloads(world: World) -> None:
    s, hotel, _ = generated(world, methods=["on_site", "documents"])
    client = world.client("a_admin")
    pdf = client.get(f"/inspections/records/{hotel.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/inspections/records/{hotel.pk}/form.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    tables = " ".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert hotel.number in text and "莲池区悦来宾馆" in tables and "《公共场所卫生管理条例》" in tables
    assert f"/gs/draws/{hotel.draw_id}/verify/" in text
    assert client.post(f"/inspections/records/{hotel.pk}/notices/", {"method": "documents"}).status_code == 302
    notice = hotel.notices.get()
    assert notice.respond_by == datetime.date(2026, 12, 2)  # 5 working days
    notice_pdf = client.get(f"/inspections/notices/{notice.pk}/notice.pdf").content
    assert notice_pdf.startswith(b"%PDF")
    # the 检查通知 renders its Chinese from the embedded font, like the 一企一表
    from tests.pdf_tools import compact, dark_pixels, embedded_font_names, first_page_image, pdf_text

    assert embedded_font_names(notice_pdf) and dark_pixels(first_page_image(notice_pdf, dpi=40)) > 500
    assert notice.number in compact(pdf_text(notice_pdf)) and "莲池区悦来宾馆" in compact(pdf_text(notice_pdf))
    assert world.client("b_admin").get(f"/inspections/notices/{notice.pk}/notice.pdf").status_code == 404


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_lists_do_not_query_per_row(world: World) -> None:
    from tests.inspections.factories import confirm_draw, make_target, make_task

    s, hotel, clinic = generated(world)
    for record in (hotel, clinic):
        entry = entry_for(record, fail={"对公共场所卫生的监督检查": "无证"}, codes=["21"])
        members = {m.inspector.user_id for m in record.members.select_related("inspector")}
        actor = world.users["a_inspector"] if world.users["a_inspector"].pk in members else world.users["a_admin"]
        record_review(actor=world.users["a_staff"], record=record_submit_result(actor=actor, record=record, entry=entry),
                      approve=True)
    client = world.client("a_admin")
    urls = ["/inspections/", "/inspections/cases/", f"/inspections/tasks/{s.task.pk}/", "/inspections/tasks/"]
    client.get("/")  # first request of a session does one-time work (session, security checks)
    before = {url: _queries(client, url) for url in urls}
    more = make_task(world, code="2026-GG-02")
    targets = [make_target(world, "a", f"莲池区浴池{i}", f"92130606MA0BAT{i}1X", ["public_places"]) for i in range(4)]
    confirm_draw(world, more, targets, [s.inspectors[:2]] * 4)
    from shuangsuiji.inspections.services import records_generate_for_task

    for record in records_generate_for_task(actor=world.users["a_admin"], task=more).created[:3]:
        entry = entry_for(record, fail={"对公共场所卫生的监督检查": "无证"}, codes=["21"])
        record_review(actor=world.users["a_staff"],
                      record=record_submit_result(actor=world.users["a_admin"], record=record, entry=entry),
                      approve=True)
    after = {url: _queries(client, url.replace(str(s.task.pk), str(more.pk))) for url in urls}
    assert after == before, (before, after)
