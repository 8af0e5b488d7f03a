"""Printable 一企一表 (PDF with the embedded Chinese font, Word via docxtpl) and 检查通知 (PDF).

The PDF carries the record's 编号 and a QR code of the public verification page of the draw
(``/gs/draws/<id>/verify/``), so whoever holds the paper can check that the target was drawn at random.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from shuangsuiji.common.documents import FONT_FAMILY, OfficialPdf, render_docx
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.models import InspectionMethod
from shuangsuiji.inspections import uploads
from shuangsuiji.inspections.models import (
    Finding,
    InspectionNotice,
    InspectionRecord,
    MemberSource,
    RecordMember,
    SignatureKind,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates_docx"
RECORD_TEMPLATE = TEMPLATE_DIR / "record_form.docx"
TITLE = "随机抽查联合检查记录表（一企一表）"
CHECKED, UNCHECKED = "■", "□"
BLANK_DATE = "______年____月____日"


TEAM_NOTE = "注：只有随机匹配的执法人员计入不少于2名的执法人员；专家、辅助检查人员和指派的协助人员不计入。"


def verify_url(record: InspectionRecord) -> str:
    """Public verification page of the draw that selected the target ("" for a non-random inspection)."""
    if record.draw_id is None:
        return ""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}/gs/draws/{record.draw_id}/verify/"


def team_members(record: InspectionRecord) -> list[RecordMember]:
    return list(record.members.select_related("sent_by").order_by("sort_order", "pk"))


def team_lines(record: InspectionRecord) -> list[str]:
    """The team as the 检查通知 lists it: name, role, and how the member came onto the team."""
    return [
        f"{m.name}（{m.kind_label}{'，执法证号 ' + m.licence_no if m.licence_no else ''}）"
        f"：{m.role_label}，{m.source_text}"
        for m in team_members(record)
    ]


def _boxes(options: list[tuple[str, str]], selected: set[str] | list[str]) -> str:
    chosen = set(selected)
    return "  ".join(f"{CHECKED if value in chosen else UNCHECKED}{label}" for value, label in options)


def _finding_boxes(finding: str) -> str:
    return _boxes(list(Finding.choices), {finding} if finding else set())


def _date(value: Any) -> str:
    return format_cn_date(value) if value else BLANK_DATE


def _facts(record: InspectionRecord) -> list[tuple[str, str]]:
    target = record.target
    return [
        ("被检查单位", target.name),
        ("统一社会信用代码", target.uscc or f"（无）许可证号 {target.licence_numbers}"),
        ("地址", target.address or "—"),
        ("法定代表人/负责人", target.legal_representative or "________"),
        ("许可证号", target.licence_numbers or "—"),
        ("专业类别", "、".join(s.name for s in target.specialties.all())),
        ("检查日期", _date(record.inspected_on)),
        ("检查地点", record.place or target.address or "________"),
    ]


def _signature_text(record: InspectionRecord) -> str:
    if record.signature_kind == SignatureKind.REFUSED:
        return f"被检查单位拒绝签字。拒签原因：{record.refusal_reason}；见证人：{record.refusal_witness}"
    if record.signature_kind == SignatureKind.PAD:
        return f"已现场手写签名（签字人：{record.signer_name}）"
    if record.signature_kind == SignatureKind.SCAN:
        return f"签字盖章页扫描件已存档（签字人：{record.signer_name or '见扫描件'}）"
    return "____________________（签字）    （盖章）"


def _result_boxes(record: InspectionRecord) -> str:
    from shuangsuiji.inspections.selectors import result_code_tree

    chosen = {c.code for c in record.result_codes.all()}
    parts = []
    for node in result_code_tree():
        if node.code.is_selectable:
            parts.append(f"{CHECKED if node.code.code in chosen else UNCHECKED}{node.code.name}")
    return "  ".join(parts)


def record_pdf(record: InspectionRecord) -> bytes:
    url = verify_url(record)
    pdf = OfficialPdf(title=TITLE, serial=record.number, qr_text=url, footer_note=f"编号 {record.number}")
    pdf.set_font(FONT_FAMILY, size=9.5)
    pdf.multi_cell(0, 6, f"组织单位：{record.owner.name}    抽查任务：{record.task.code} {record.task.title}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.add_key_values(_facts(record))
    methods = _boxes(list(InspectionMethod.choices), record.methods)
    pdf.add_paragraph(f"检查方式：{methods}", indent=False, size=10)
    pdf.ln(1)
    pdf.add_heading("一、检查人员（执法人员不少于2名，出示执法证件）")
    members = [
        [str(i), m.name, m.kind_label, m.licence_no or "—", m.role_label, m.source_text,
         "已到场" if m.present else "□到场  签名：______"]
        for i, m in enumerate(team_members(record), start=1)
    ]
    pdf.add_table(["序号", "姓名", "人员类别", "执法证号", "角色", "产生方式", "到场/签名"], members,
                  col_widths=[0.6, 1.2, 1.4, 2.2, 0.9, 2.0, 1.7], size=8.5)
    pdf.add_paragraph(TEAM_NOTE, indent=False, size=8.5)
    tests = list(record.testings.order_by("pk"))
    if tests:
        pdf.add_paragraph("检验检测：", indent=False, size=10)
        pdf.add_table(
            ["检测机构", "样品", "检测项目", "采样/送检日期", "报告编号及日期", "结论"],
            [[f"{t.agency_name}（{t.get_agency_kind_display()}）", t.sample, t.test_items,
              f"{_date(t.sampled_on)}/{_date(t.sent_on)}",
              f"{t.report_number}（{_date(t.report_on)}）" if t.report_number else "待出具",
              t.get_conclusion_display() or "—"] for t in tests],
            col_widths=[2.0, 1.6, 1.6, 1.8, 1.8, 0.8], size=8,
        )
    pdf.add_heading("二、检查事项及结论（进一次门、查多项事）")
    rows = []
    for i, item in enumerate(record.items.select_related("department"), start=1):
        content = item.name + "".join(f"\n· {sub}" for sub in item.sub_items)
        rows.append([str(i), item.department.name, content, item.legal_basis, _finding_boxes(item.finding), item.note])
    pdf.add_table(["序号", "检查部门", "抽查事项及检查内容", "抽查依据", "检查结论", "问题描述"], rows,
                  col_widths=[0.6, 1.6, 3.2, 2.4, 1.5, 1.9], size=8.5)
    pdf.add_heading("三、抽查结果（可多选）")
    pdf.add_paragraph(_result_boxes(record), indent=False, size=9.5)
    if record.rectify_workdays:
        pdf.add_paragraph(f"责令整改期限：{record.rectify_workdays}个工作日", indent=False, size=10)
    pdf.add_paragraph(f"检查情况：{record.situation or '_' * 40}", indent=False, size=10)
    pdf.add_paragraph(f"结果说明：{record.result_note or '_' * 40}", indent=False, size=10)
    pdf.add_heading("四、被检查单位意见及签字（盖章）")
    pdf.add_paragraph(_signature_text(record), indent=False, size=10)
    if record.signature_file_id and record.signature_file is not None:
        try:
            path = uploads.open_stored(record.signature_file.storage_path)
            if path.exists() and record.signature_file.is_image:
                pdf.image(str(path), w=45)
        except Exception:
            pdf.add_paragraph("（签名图片缺失）", indent=False, size=9)
    pdf.ln(2)
    pdf.add_paragraph(f"执法人员签字：____________  ____________    日期：{_date(record.inspected_on)}",
                      indent=False, size=10)
    pdf.ln(2)
    pdf.add_paragraph(
        f"说明：本表一式两份，一份交被检查单位，一份存档。扫描右上角二维码或访问 {url} 可核验本次随机抽取过程。",
        indent=False, size=8.5,
    )
    return pdf.to_bytes()


def record_context(record: InspectionRecord) -> dict[str, Any]:
    from docxtpl import Listing

    return {
        "title": TITLE,
        "number": record.number,
        "owner": record.owner.name,
        "task": f"{record.task.code} {record.task.title}",
        "verify_url": verify_url(record),
        "facts": [{"label": k, "value": v} for k, v in _facts(record)],
        "members": [
            {"no": i, "name": m.name, "kind": m.kind_label, "licence_no": m.licence_no or "—",
             "role": m.role_label if m.source == MemberSource.MATCH else f"{m.role_label}（{m.source_text}）",
             "present": "已到场" if m.present else "□到场"}
            for i, m in enumerate(team_members(record), start=1)
        ],
        "items": [
            {"no": i, "department": item.department.name,
             "name_and_sub_items": Listing(item.name + "".join(f"\n· {s}" for s in item.sub_items)),
             "legal_basis": item.legal_basis, "finding": _finding_boxes(item.finding), "note": item.note}
            for i, item in enumerate(record.items.select_related("department"), start=1)
        ],
        "methods_text": _boxes(list(InspectionMethod.choices), record.methods),
        "results_text": _result_boxes(record),
        "situation": record.situation or "_" * 30,
        "result_note": record.result_note or "_" * 30,
        "signature_text": _signature_text(record),
        "date_text": _date(record.inspected_on),
    }


def record_docx(record: InspectionRecord) -> bytes:
    return render_docx(RECORD_TEMPLATE, record_context(record))


def notice_pdf(notice: InspectionNotice) -> bytes:
    record = notice.record
    pdf = OfficialPdf(
        title=notice.title, document_number=f"{notice.owner.name}  {notice.number}", serial=record.number,
        qr_text=verify_url(record), footer_note=f"通知编号 {notice.number}",
    )
    lines = notice.body.splitlines()
    if lines:
        pdf.add_paragraph(lines[0], indent=False)
    for line in lines[1:]:
        pdf.add_paragraph(line, indent=not line[:1].isdigit())
    team = team_lines(record)
    if team:
        pdf.add_paragraph("检查人员：", indent=False)
        for line in team:
            pdf.add_paragraph(line, indent=True)
    if notice.respond_by:
        provisional = "（节假日安排未公布，暂定）" if notice.respond_by_provisional else ""
        pdf.add_paragraph(f"提交期限：{format_cn_date(notice.respond_by)}{provisional}", indent=False)
    pdf.add_paragraph(f"联系人：{notice.issued_by.display_name}", indent=False)
    pdf.add_signature(issuer=notice.owner.name, day=notice.issued_on or timezone.localdate())
    return pdf.to_bytes()


def notice_docx(notice: InspectionNotice) -> bytes:
    """The 检查通知 as Word (python-docx, which docxtpl brings): the same text and team as the PDF."""
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    record = notice.record
    document = Document()
    heading = document.add_heading(notice.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = document.add_paragraph(f"{notice.owner.name}  {notice.number}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in notice.body.splitlines():
        document.add_paragraph(line)
    team = team_lines(record)
    if team:
        document.add_paragraph("检查人员：")
        for line in team:
            document.add_paragraph(line, style="List Bullet")
    if notice.respond_by:
        provisional = "（节假日安排未公布，暂定）" if notice.respond_by_provisional else ""
        document.add_paragraph(f"提交期限：{format_cn_date(notice.respond_by)}{provisional}")
    document.add_paragraph(f"联系人：{notice.issued_by.display_name}")
    signature = document.add_paragraph(f"{notice.owner.name}\n{format_cn_date(notice.issued_on)}")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
