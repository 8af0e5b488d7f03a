"""Builds the docxtpl template of the 一企一表 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/inspections/templates_docx/build_templates.py

record_form.docx — context (all strings, see inspections/documents.py ``record_context``): title, number, owner,
task, verify_url, facts [{label, value}], members [{no, name, kind, licence_no, role, present}],
items [{no, department, name, sub_items, legal_basis, finding, note}], methods_text, results_text,
situation, result_note, signature_text, date_text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

HERE = Path(__file__).resolve().parent


def _east_asian(element_owner: Any, font: str) -> None:
    rpr = element_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(document: Any, text: str, *, size: float = 11, font: str = "宋体", align: Any = None, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    _east_asian(run, font)


def _cell(cell: Any, text: str, *, size: float = 9.5, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run, "宋体")


def _loop_table(document: Any, headers: list[str], loop: str, fields: list[str], widths: list[float]) -> Table:
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(headers):
        _cell(table.rows[0].cells[index], header, bold=True)
    _cell(table.rows[1].cells[0], "{%tr for row in " + loop + " %}")
    for index, name in enumerate(fields):
        _cell(table.rows[2].cells[index], "{{ row." + name + " }}")
    _cell(table.rows[3].cells[0], "{%tr endfor %}")
    for row in table.rows:
        for index, width in enumerate(widths):
            row.cells[index].width = Cm(width)
    return table


def build_record_form() -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
    _east_asian(normal, "宋体")
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "编号：{{ number }}", size=9, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(document, "{{ title }}", size=18, font="黑体", align=centre, bold=True)
    _para(document, "组织单位：{{ owner }}    抽查任务：{{ task }}", size=10, align=centre)

    facts = document.add_table(rows=3, cols=2)
    facts.style = "Table Grid"
    _cell(facts.rows[0].cells[0], "{%tr for row in facts %}")
    _cell(facts.rows[1].cells[0], "{{ row.label }}", bold=True)
    _cell(facts.rows[1].cells[1], "{{ row.value }}")
    _cell(facts.rows[2].cells[0], "{%tr endfor %}")
    for row in facts.rows:
        row.cells[0].width, row.cells[1].width = Cm(4.0), Cm(13.0)

    _para(document, "一、检查人员", size=12, font="黑体")
    _loop_table(document, ["序号", "姓名", "人员类别", "执法证号", "角色", "到场"], "members",
                ["no", "name", "kind", "licence_no", "role", "present"], [1.2, 2.5, 2.8, 4.5, 2.0, 4.0])
    _para(document, "二、检查事项及结论（进一次门、查多项事）", size=12, font="黑体")
    _loop_table(document, ["序号", "检查部门", "抽查事项及检查内容", "抽查依据", "检查结论", "问题描述"], "items",
                ["no", "department", "name_and_sub_items", "legal_basis", "finding", "note"],
                [1.0, 2.4, 4.6, 3.6, 2.6, 2.8])
    _para(document, "三、检查方式：{{ methods_text }}", size=11)
    _para(document, "四、抽查结果：{{ results_text }}", size=11)
    _para(document, "检查情况：{{ situation }}", size=11)
    _para(document, "结果说明：{{ result_note }}", size=11)
    _para(document, "五、被检查单位意见及签字（盖章）：{{ signature_text }}", size=11)
    _para(document, "执法人员签字：                                  日期：{{ date_text }}", size=11)
    _para(document, "本表一式两份，一份交被检查单位，一份存档。随机抽取过程可在 {{ verify_url }} 核验。", size=9)
    target = HERE / "record_form.docx"
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build_record_form())
