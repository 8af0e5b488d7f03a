"""Builds the docxtpl template of a task's 总结报告 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/oversight/reports/templates_docx/build_task_summary.py

task_summary.docx — context (see ``oversight/task_summary.py`` ``summary_docx``): title, organization, overview,
date_text, h (the eight headings), basics / scope / inspection / followup / publication (rows of two strings),
draws (six columns), result_rows (three), finding_rows (two), records (six).
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


def _east_asian(owner: Any, font: str) -> None:
    rpr = owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document: Any, text: str, *, size: float = 14, font: str = "仿宋_GB2312", align: Any = None,
          indent: bool = False) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = "Times New Roman"
    _east_asian(run, font)


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.font.size = Pt(10.5)
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


def build() -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "{{ title }}", size=22, font="方正小标宋简体", align=centre)
    _para(document, "{{ overview }}", indent=True)
    pairs = [(0, "basics"), (1, "scope")]
    for index, key in pairs:
        _para(document, "{{ h[" + str(index) + "] }}", size=16, font="黑体")
        _loop_table(document, ["项目", "内容"], key, [4.0, 11.5])
    _para(document, "{{ h[2] }}", size=16, font="黑体")
    _loop_table(document, ["抽取/匹配", "状态", "对象池", "户数", "随机数", "记录摘要"], "draws",
                [2.4, 2.6, 1.6, 1.2, 4.2, 3.5])
    _para(document, "{{ h[3] }}", size=16, font="黑体")
    _loop_table(document, ["项目", "内容"], "inspection", [4.0, 11.5])
    _para(document, "{{ h[4] }}", size=16, font="黑体")
    _loop_table(document, ["结果类别", "户数", "占比"], "result_rows", [9.5, 3.0, 3.0])
    _para(document, "{%p if finding_rows %}")
    _loop_table(document, ["不合格的检查事项", "户数"], "finding_rows", [12.5, 3.0])
    _para(document, "{%p endif %}")
    for index, key in ((5, "followup"), (6, "publication")):
        _para(document, "{{ h[" + str(index) + "] }}", size=16, font="黑体")
        _loop_table(document, ["项目", "内容"], key, [4.0, 11.5])
    _para(document, "{{ h[7] }}", size=16, font="黑体")
    _loop_table(document, ["编号", "检查对象", "检查日期", "状态", "结果类别", "公示"], "records",
                [3.0, 4.5, 2.4, 2.4, 2.4, 1.4])
    _para(document, "{{ organization }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ date_text }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    path = HERE / "task_summary.docx"
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
