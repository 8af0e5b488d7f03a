"""Builds the docxtpl templates of planning (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/planning/templates_docx/build_templates.py

work_scheme.docx — the 工作方案: red 发文机关 line, 文号, title, sections (headings 一、二、…, indented
paragraphs), issuer and date. Context: issuer, document_number, title, serial, sections
[{heading, paragraphs}], date_text.
"""

from __future__ import annotations

from pathlib import Path

from docx.shared import Pt

from shuangsuiji.common.docx_templates import CENTRE, RED, RIGHT, DocxTemplateBuilder

HERE = Path(__file__).resolve().parent


def build_work_scheme() -> Path:
    doc = DocxTemplateBuilder(size=16, font="仿宋", normal_font="仿宋", line_spacing=28, bold=False)
    doc.para("{% if issuer %}{{ issuer }}文件{% endif %}", size=26, font="方正小标宋简体", align=CENTRE, color=RED)
    doc.para("{{ document_number }}", align=CENTRE)
    doc.para("{{ title }}", size=22, font="方正小标宋简体", align=CENTRE)
    doc.para("{%p for section in sections %}", size=10)
    doc.para("{{ section.heading }}", font="黑体")
    doc.para("{%p for paragraph in section.paragraphs %}", size=10)
    doc.para("{{ paragraph }}", indent=True)
    doc.para("{%p endfor %}", size=10)
    doc.para("{%p endfor %}", size=10)
    doc.para("{{ issuer }}", align=RIGHT)
    doc.para("{{ date_text }}", align=RIGHT)
    footer = doc.section.footer.paragraphs[0]
    footer.alignment = CENTRE
    run = footer.add_run("编号：{{ serial }}")
    run.font.size = Pt(9)
    return doc.save(HERE / "work_scheme.docx")


if __name__ == "__main__":
    print(build_work_scheme())
