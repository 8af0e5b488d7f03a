"""Builds the docxtpl templates of planning (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/planning/templates_docx/build_templates.py

work_scheme.docx — the 工作方案: red 发文机关 line, 文号, title, sections (headings 一、二、…, indented
paragraphs), issuer and date. Context: issuer, document_number, title, serial, sections
[{heading, paragraphs}], date_text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent


def _east_asian(run_or_style: object, font: str) -> None:
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document: object, text: str, *, size: float = 16, font: str = "仿宋", bold: bool = False,
          align: Any = None, color: RGBColor | None = None, indent: bool = False) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(28)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    if color is not None:
        run.font.color.rgb = color
    _east_asian(run, font)
    return paragraph


def build_work_scheme() -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
    _east_asian(normal, "仿宋")
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "{% if issuer %}{{ issuer }}文件{% endif %}", size=26, font="方正小标宋简体", align=centre,
          color=RGBColor(0xC0, 0, 0))
    _para(document, "{{ document_number }}", size=16, align=centre)
    _para(document, "{{ title }}", size=22, font="方正小标宋简体", align=centre)
    _para(document, "{%p for section in sections %}", size=10)
    _para(document, "{{ section.heading }}", size=16, font="黑体")
    _para(document, "{%p for paragraph in section.paragraphs %}", size=10)
    _para(document, "{{ paragraph }}", size=16, indent=True)
    _para(document, "{%p endfor %}", size=10)
    _para(document, "{%p endfor %}", size=10)
    _para(document, "{{ issuer }}", size=16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ date_text }}", size=16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    footer = section.footer.paragraphs[0]
    footer.alignment = centre
    run = footer.add_run("编号：{{ serial }}")
    run.font.size = Pt(9)
    target = HERE / "work_scheme.docx"
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build_work_scheme())
