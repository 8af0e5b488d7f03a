"""Builds the docxtpl template of the 一企一表 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/inspections/templates_docx/build_templates.py

record_form.docx — context (all strings, see inspections/documents.py ``record_context``): title, number, owner,
task, verify_url, facts [{label, value}], members [{no, name, kind, licence_no, role, present}],
items [{no, department, name, sub_items, legal_basis, finding, note}], methods_text, results_text,
situation, result_note, signature_text, date_text.
"""

from __future__ import annotations

from pathlib import Path

from docx.shared import Cm

from shuangsuiji.common.docx_templates import CENTRE, RIGHT, DocxTemplateBuilder

HERE = Path(__file__).resolve().parent


def build_record_form() -> Path:
    doc = DocxTemplateBuilder(size=11, font="宋体", margins=(2.2, 2.0, 2.0, 2.0), normal_font="宋体", cell_size=9.5,
                              bold=False)
    doc.para("编号：{{ number }}", size=9, align=RIGHT)
    doc.para("{{ title }}", size=18, font="黑体", align=CENTRE, bold=True)
    doc.para("组织单位：{{ owner }}    抽查任务：{{ task }}", size=10, align=CENTRE)

    facts = doc.document.add_table(rows=3, cols=2)
    facts.style = "Table Grid"
    doc.cell(facts.rows[0].cells[0], "{%tr for row in facts %}")
    doc.cell(facts.rows[1].cells[0], "{{ row.label }}", bold=True)
    doc.cell(facts.rows[1].cells[1], "{{ row.value }}")
    doc.cell(facts.rows[2].cells[0], "{%tr endfor %}")
    for row in facts.rows:
        row.cells[0].width, row.cells[1].width = Cm(4.0), Cm(13.0)

    doc.para("一、检查人员", size=12, font="黑体")
    doc.loop_table(["序号", "姓名", "人员类别", "执法证号", "角色", "到场"], "members", [1.2, 2.5, 2.8, 4.5, 2.0, 4.0],
                   fields=["no", "name", "kind", "licence_no", "role", "present"])
    doc.para("二、检查事项及结论（进一次门、查多项事）", size=12, font="黑体")
    doc.loop_table(["序号", "检查部门", "抽查事项及检查内容", "抽查依据", "检查结论", "问题描述"], "items",
                   [1.0, 2.4, 4.6, 3.6, 2.6, 2.8],
                   fields=["no", "department", "name_and_sub_items", "legal_basis", "finding", "note"])
    doc.para("三、检查方式：{{ methods_text }}")
    doc.para("四、抽查结果：{{ results_text }}")
    doc.para("检查情况：{{ situation }}")
    doc.para("结果说明：{{ result_note }}")
    doc.para("五、被检查单位意见及签字（盖章）：{{ signature_text }}")
    doc.para("执法人员签字：                                  日期：{{ date_text }}")
    doc.para("本表一式两份，一份交被检查单位，一份存档。随机抽取过程可在 {{ verify_url }} 核验。", size=9)
    return doc.save(HERE / "record_form.docx")


if __name__ == "__main__":
    print(build_record_form())
