"""Builds the docxtpl template of the 通报 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/supervision/templates_docx/build_templates.py

notice.docx — context (``supervision/documents.py`` ``notice_context``): title, issuer, number, date_text, intro,
summary, rating_rows (six columns), bureaus (heading, summary, findings: list of lines), requirements.
"""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.common.docx_templates import CENTRE, RED, RIGHT, DocxTemplateBuilder

HERE = Path(__file__).resolve().parent


def build() -> Path:
    doc = DocxTemplateBuilder(size=16, font="仿宋_GB2312")
    doc.para("{{ issuer }}文件", size=26, font="方正小标宋简体", align=CENTRE, color=RED)
    doc.para("{{ number }}", align=CENTRE)
    doc.para("{{ title }}", size=22, font="方正小标宋简体", align=CENTRE)
    doc.para("{{ intro }}", indent=True)
    doc.para("{%p if summary %}")
    doc.para("一、总体情况", font="黑体")
    doc.para("{{ summary }}", indent=True)
    doc.para("{%p endif %}")
    doc.loop_table(["序号", "被督查单位", "总体评价", "发现问题", "须整改", "整改答复期限"], "rating_rows", plain=True)
    doc.para("二、各单位存在的问题", font="黑体")
    doc.para("{%p for b in bureaus %}")
    doc.para("{{ b.heading }}", font="楷体_GB2312")
    doc.para("{{ b.summary }}", indent=True)
    doc.para("{%p for line in b.findings %}")
    doc.para("{{ line }}", indent=True)
    doc.para("{%p endfor %}")
    doc.para("{%p endfor %}")
    doc.para("三、整改要求", font="黑体")
    doc.para("{{ requirements }}", indent=True)
    doc.para("{{ issuer }}", align=RIGHT)
    doc.para("{{ date_text }}", align=RIGHT)
    return doc.save(HERE / "notice.docx")


if __name__ == "__main__":
    print(build())
