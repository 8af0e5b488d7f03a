"""The 半年/全年情况报告 as Word (docxtpl template, charts as inline images) and as PDF (fpdf2, same content)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.oversight.reports.charts import bar_chart, pie_chart
from shuangsuiji.oversight.reports.monthly_files import FormPdf
from shuangsuiji.oversight.reports.period import (
    CASE_HEADERS,
    DUTY_HEADERS,
    INDICATOR_HEADERS,
    MEMBER_HEADERS,
    PENALISED_HEADERS,
    REGION_HEADERS,
    RESULT_HEADERS,
    SPECIALTY_HEADERS,
    PeriodContent,
)

TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "period_report.docx"
NUMERALS = "一二三四五六七八九十"


def headings(content: PeriodContent) -> dict[str, str]:
    keys = [("basic", "基本情况"), ("specialty", "各专业抽查情况"), ("results", "抽查结果及后续处置情况")]
    if content.region_rows:
        keys.append(("regions", "各地工作开展情况"))
    keys += [
        ("rectification", f"{content.year - 1}年随机抽查被行政处罚单位整改落实情况"),
        ("practices", "主要做法和成效"), ("problems", "存在的问题"), ("plans", "下一步工作打算"),
    ]
    return {key: f"{NUMERALS[n]}、{label}" for n, (key, label) in enumerate(keys)}


def chart_images(content: PeriodContent) -> dict[str, bytes]:
    """The report's charts as PNG (only those with data)."""
    images: dict[str, bytes] = {}
    specialty = content.charts.get("specialty") or {}
    if specialty.get("categories"):
        images["specialty"] = bar_chart("各专业抽取和检查户数", specialty["categories"],
                                        [(name, values) for name, values in specialty["series"]])
    if content.charts.get("results"):
        images["results"] = pie_chart("抽查结果分类（户）", [(label, n) for label, n in content.charts["results"]])
    regions = content.charts.get("regions") or {}
    if regions.get("categories"):
        images["regions"] = bar_chart("各地完结率、公示率", regions["categories"],
                                      [(name, values) for name, values in regions["series"]], percent=True,
                                      goal=("目标100%", 100.0))
    return images


def _rectification_intro(content: PeriodContent) -> str:
    if not content.penalised:
        return f"{content.year - 1}年随机抽查中没有被行政处罚的单位。"
    return (f"{content.year - 1}年随机抽查中被行政处罚的单位共{len(content.penalised)}家，整改落实情况如下表"
            f"（来源：后续处置台账，截至{content.period_end}）。")


def _contact(content: PeriodContent) -> str:
    parts = [f"联系人：{content.contact_person}" if content.contact_person else "",
             f"联系电话：{content.contact_phone}" if content.contact_phone else "",
             f"手机：{content.mobile}" if content.mobile else ""]
    return "　　".join(p for p in parts if p)


def docx_context(content: PeriodContent, template: Any) -> dict[str, Any]:
    from docx.shared import Mm
    from docxtpl import InlineImage

    images = chart_images(content)

    def image(key: str) -> Any:
        return InlineImage(template, io.BytesIO(images[key]), width=Mm(155)) if key in images else ""

    return {
        "title": content.title, "organization": content.organization, "year": content.year,
        "period_text": content.period_text, "date_text": format_cn_date(content.generated_date), "h": headings(content),
        "summary": content.summary, "indicators": content.indicators, "specialty_rows": content.specialty_rows,
        "result_rows": content.result_rows, "case_rows": content.case_rows, "region_rows": content.region_rows,
        "show_regions": bool(content.region_rows), "penalised": content.penalised,
        "rectification_intro": _rectification_intro(content), "duties": content.duties, "members": content.members,
        "chart_specialty": image("specialty"), "chart_results": image("results"), "chart_regions": image("regions"),
        "contact": _contact(content),
        **{key: content.paragraphs(key) for key in ("summary_note", "rectification", "practices", "problems", "plans")},
    }


def period_docx(content: PeriodContent) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(TEMPLATE))
    template.render(docx_context(content, template), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def period_pdf(content: PeriodContent) -> bytes:
    pdf = FormPdf(title=content.title, footer_note=content.title)
    pdf.add_paragraph(f"（统计期间：{content.period_text}）", indent=False)
    h = headings(content)
    images = chart_images(content)

    def image(key: str) -> None:
        if key in images:
            width = pdf.w - pdf.l_margin - pdf.r_margin
            if pdf.get_y() + width * 0.5 > pdf.page_break_trigger:
                pdf.add_page()
            pdf.image(io.BytesIO(images[key]), w=width)
            pdf.ln(2)

    def room(mm: float) -> None:
        """Keep a heading with the start of what follows it."""
        if pdf.get_y() + mm > pdf.page_break_trigger:
            pdf.add_page()

    def texts(key: str) -> None:
        for paragraph in content.paragraphs(key):
            pdf.add_paragraph(paragraph)

    pdf.add_heading(h["basic"])
    pdf.add_paragraph(content.summary)
    pdf.add_table(INDICATOR_HEADERS, content.indicators, col_widths=[3, 2, 5])
    texts("summary_note")
    room(40)
    pdf.add_heading(h["specialty"])
    if content.specialty_rows:
        pdf.add_table(SPECIALTY_HEADERS, content.specialty_rows, col_widths=[2.6, 1.3, 1, 1.3, 1.2, 1.3, 1.2, 1.3, 1.2, 1.2],
                      size=8)
    else:
        pdf.add_paragraph("统计期内各专业尚无抽查数据。")
    image("specialty")
    room(40)
    pdf.add_heading(h["results"])
    pdf.add_table(RESULT_HEADERS, content.result_rows, col_widths=[5, 2, 2])
    image("results")
    room(30)
    pdf.add_table(CASE_HEADERS, content.case_rows, col_widths=[6, 2])
    if content.region_rows:
        room(40)
        pdf.add_heading(h["regions"])
        pdf.add_table(REGION_HEADERS, content.region_rows, col_widths=[2.4, 1.4, 1.2, 1.2, 1.1, 1.2, 1.2, 1.3, 1.3],
                      size=8.5)
        image("regions")
    room(40)
    pdf.add_heading(h["rectification"])
    pdf.add_paragraph(_rectification_intro(content))
    if content.penalised:
        pdf.add_table(PENALISED_HEADERS, content.penalised, col_widths=[3, 3, 2.2, 3, 3.5], size=9)
    texts("rectification")
    for key in ("practices", "problems", "plans"):
        pdf.add_heading(h[key])
        if content.paragraphs(key):
            texts(key)
        else:
            pdf.add_paragraph("（待填写）")
    if _contact(content):
        pdf.add_paragraph(_contact(content), indent=False, size=10.5)
    pdf.add_signature(issuer=content.organization, day=content.generated_date)
    pdf.add_page()
    pdf.add_heading("附件")
    pdf.add_paragraph(f"{content.year}年“双随机、一公开”数据汇总工作分工暨业务指导专家名单", indent=False)
    pdf.add_table(DUTY_HEADERS, content.duties or [["（未登记）", "", "", ""]], col_widths=[4, 2.4, 2, 4.5])
    pdf.add_paragraph("“双随机、一公开”监管工作领导小组", indent=False)
    pdf.add_table(MEMBER_HEADERS, content.members or [["（未登记）", "", ""]], col_widths=[2, 2, 6])
    return pdf.to_bytes()

