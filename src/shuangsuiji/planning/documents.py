"""Downloads of a 工作方案: Word (docxtpl template) and PDF (common.documents.OfficialPdf)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone

from shuangsuiji.common.documents import OfficialPdf, render_docx
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.planning.models import SchemeStatus, WorkScheme
from shuangsuiji.planning.scheme_template import split_sections

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates_docx"
WORK_SCHEME_TEMPLATE = TEMPLATE_DIR / "work_scheme.docx"


def _scheme_day(scheme: WorkScheme) -> datetime.date:
    moment = scheme.published_at or scheme.approved_at
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def _draft_note(scheme: WorkScheme) -> str:
    return "" if scheme.status == SchemeStatus.PUBLISHED else f"（{scheme.get_status_display()}稿）"


def scheme_docx(scheme: WorkScheme) -> bytes:
    task = scheme.task
    context = {
        "issuer": task.owner.name,
        "document_number": scheme.document_number,
        "title": scheme.title + _draft_note(scheme),
        "serial": task.code,
        "sections": [{"heading": s.heading, "paragraphs": s.paragraphs} for s in split_sections(scheme.body)],
        "date_text": format_cn_date(_scheme_day(scheme)),
    }
    return render_docx(WORK_SCHEME_TEMPLATE, context)


def scheme_pdf(scheme: WorkScheme) -> bytes:
    task = scheme.task
    pdf = OfficialPdf(
        title=scheme.title + _draft_note(scheme), issuer=task.owner.name, document_number=scheme.document_number,
        serial=task.code, footer_note=f"任务编号 {task.code}",
    )
    for section in split_sections(scheme.body):
        pdf.add_section(section.heading, section.paragraphs)
    pdf.add_signature(issuer=task.owner.name, day=_scheme_day(scheme))
    return pdf.to_bytes()
