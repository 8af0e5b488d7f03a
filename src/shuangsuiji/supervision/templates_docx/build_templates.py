"""Builds the docxtpl template of the 通报 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/supervision/templates_docx/build_templates.py

notice.docx — context (``supervision/documents.py`` ``notice_context``): title, issuer, number, date_text, intro,
summary, rating_rows (six columns), bureaus (heading, summary, findings: list of lines), requirements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent


def _east_asian(owner: Any, font: str) -> None:
    rpr = owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document: Any, text: str, *, size: float = 16, font: str = "仿宋_GB2312", align: Any = None,
          indent: bool = False, red: bool = False) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = "Times New Roman"
    if red:
        run.font.color.rgb = RGBColor(0xC0, 0, 0)
    _east_asian(run, font)


def build() -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "{{ issuer }}文件", size=26, font="方正小标宋简体", align=centre, red=True)
    _para(document, "{{ number }}", align=centre)
    _para(document, "{{ title }}", size=22, font="方正小标宋简体", align=centre)
    _para(document, "{{ intro }}", indent=True)
    _para(document, "{%p if summary %}")
    _para(document, "一、总体情况", font="黑体")
    _para(document, "{{ summary }}", indent=True)
    _para(document, "{%p endif %}")
    table = document.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(["序号", "被督查单位", "总体评价", "发现问题", "须整改", "整改答复期限"]):
        table.rows[0].cells[index].paragraphs[0].add_run(header).font.bold = True
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for row in rating_rows %}")
    for index in range(6):
        table.rows[2].cells[index].paragraphs[0].add_run("{{ row[" + str(index) + "] }}")
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    _para(document, "二、各单位存在的问题", font="黑体")
    _para(document, "{%p for b in bureaus %}")
    _para(document, "{{ b.heading }}", font="楷体_GB2312")
    _para(document, "{{ b.summary }}", indent=True)
    _para(document, "{%p for line in b.findings %}")
    _para(document, "{{ line }}", indent=True)
    _para(document, "{%p endfor %}")
    _para(document, "{%p endfor %}")
    _para(document, "三、整改要求", font="黑体")
    _para(document, "{{ requirements }}", indent=True)
    _para(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ date_text }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    path = HERE / "notice.docx"
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
