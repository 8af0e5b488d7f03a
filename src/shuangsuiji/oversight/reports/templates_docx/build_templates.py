"""Builds the docxtpl template of the 半年/全年情况报告 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/oversight/reports/templates_docx/build_templates.py

period_report.docx — context (see ``oversight/reports/period_files.py`` ``docx_context``): title, organization,
date_text, h (section headings by key), summary, summary_note/rectification/practices/problems/plans (lists of
paragraphs), indicators / specialty_rows / result_rows / case_rows / region_rows / penalised / duties / members
(lists of rows, each a list of strings), show_regions, chart_specialty / chart_results / chart_regions
(InlineImage or ""), contact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent


def _east_asian(element_owner: Any, font: str) -> None:
    rpr = element_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document: Any, text: str, *, size: float = 14, font: str = "仿宋_GB2312", align: Any = None,
          bold: bool = False, indent: bool = False) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(size * 1.7)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    _east_asian(run, font)


def _cell(cell: Any, text: str, *, size: float = 10.5, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run, "宋体")


def _loop_table(document: Any, headers: list[str], loop: str, widths: list[float]) -> None:
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(headers):
        _cell(table.rows[0].cells[index], header, bold=True)
    _cell(table.rows[1].cells[0], "{%tr for row in " + loop + " %}")
    for index in range(len(headers)):
        _cell(table.rows[2].cells[index], "{{ row[" + str(index) + "] }}")
    _cell(table.rows[3].cells[0], "{%tr endfor %}")
    for row in table.rows:
        for index, width in enumerate(widths):
            row.cells[index].width = Cm(width)


def _texts(document: Any, key: str) -> None:
    _para(document, "{%p for p in " + key + " %}", size=14)
    _para(document, "{{ p }}", size=14, indent=True)
    _para(document, "{%p endfor %}", size=14)


def _heading(document: Any, key: str) -> None:
    _para(document, "{{ h." + key + " }}", size=16, font="黑体")


def build_period_report() -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
    _east_asian(normal, "仿宋_GB2312")
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "{{ title }}", size=22, font="方正小标宋简体", align=centre)
    _para(document, "（统计期间：{{ period_text }}）", size=14, align=centre)

    _heading(document, "basic")
    _para(document, "{{ summary }}", indent=True)
    _loop_table(document, ["指标", "数值", "目标/说明"], "indicators", [5.0, 3.0, 7.5])
    _texts(document, "summary_note")

    _heading(document, "specialty")
    _loop_table(document, ["专业", "在营对象", "抽中", "抽查比例", "已检查", "覆盖率", "已完结", "完结率",
                           "发现问题", "行政处罚"], "specialty_rows",
                [2.8, 1.5, 1.2, 1.5, 1.3, 1.4, 1.3, 1.4, 1.4, 1.4])
    _para(document, "{{ chart_specialty }}", align=centre)

    _heading(document, "results")
    _loop_table(document, ["抽查结果类别", "户数", "占比"], "result_rows", [7.0, 3.0, 3.0])
    _para(document, "{{ chart_results }}", align=centre)
    _loop_table(document, ["后续处置", "件数"], "case_rows", [9.0, 4.0])

    _para(document, "{%p if show_regions %}")
    _heading(document, "regions")
    _loop_table(document, ["区划", "在营对象", "已检查", "覆盖率", "抽中", "完结率", "公示率", "发现问题", "行政处罚"],
                "region_rows", [3.0, 1.6, 1.4, 1.4, 1.3, 1.4, 1.4, 1.5, 1.5])
    _para(document, "{{ chart_regions }}", align=centre)
    _para(document, "{%p endif %}")

    _heading(document, "rectification")
    _para(document, "{{ rectification_intro }}", indent=True)
    _loop_table(document, ["被处罚单位", "处罚决定书文号", "处罚日期", "处罚内容", "整改落实情况"], "penalised",
                [3.5, 3.2, 2.5, 3.0, 3.5])
    _texts(document, "rectification")

    _heading(document, "practices")
    _texts(document, "practices")
    _heading(document, "problems")
    _texts(document, "problems")
    _heading(document, "plans")
    _texts(document, "plans")

    _para(document, "{{ contact }}", size=12)
    _para(document, "{{ organization }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ date_text }}", align=WD_ALIGN_PARAGRAPH.RIGHT)

    _para(document, "附件", size=14, font="黑体")
    _para(document, "{{ year }}年“双随机、一公开”数据汇总工作分工暨业务指导专家名单", size=16, align=centre)
    _loop_table(document, ["工作内容", "责任科室", "负责人", "联系方式"], "duties", [5.0, 3.0, 2.5, 5.5])
    _para(document, "“双随机、一公开”监管工作领导小组", size=16, align=centre)
    _loop_table(document, ["小组职务", "姓名", "单位及职务"], "members", [3.0, 3.0, 9.5])
    target = HERE / "period_report.docx"
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build_period_report())
