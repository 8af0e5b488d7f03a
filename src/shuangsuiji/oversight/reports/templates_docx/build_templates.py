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

from shuangsuiji.common.docx_templates import CENTRE, RIGHT, DocxTemplateBuilder

HERE = Path(__file__).resolve().parent


def build_period_report() -> Path:
    doc = DocxTemplateBuilder(size=14, font="仿宋_GB2312", normal_font="仿宋_GB2312", spacing_by_size=1.7, bold=False)

    def heading(key: str) -> None:
        doc.para("{{ h." + key + " }}", size=16, font="黑体")

    doc.para("{{ title }}", size=22, font="方正小标宋简体", align=CENTRE)
    doc.para("（统计期间：{{ period_text }}）", align=CENTRE)

    heading("basic")
    doc.para("{{ summary }}", indent=True)
    doc.loop_table(["指标", "数值", "目标/说明"], "indicators", [5.0, 3.0, 7.5])
    doc.texts("summary_note")

    heading("specialty")
    doc.loop_table(["专业", "在营对象", "抽中", "抽查比例", "已检查", "覆盖率", "已完结", "完结率",
                    "发现问题", "行政处罚"], "specialty_rows",
                   [2.8, 1.5, 1.2, 1.5, 1.3, 1.4, 1.3, 1.4, 1.4, 1.4])
    doc.para("{{ chart_specialty }}", align=CENTRE)

    heading("results")
    doc.loop_table(["抽查结果类别", "户数", "占比"], "result_rows", [7.0, 3.0, 3.0])
    doc.para("{{ chart_results }}", align=CENTRE)
    doc.loop_table(["后续处置", "件数"], "case_rows", [9.0, 4.0])

    doc.para("{%p if show_regions %}")
    heading("regions")
    doc.loop_table(["区划", "在营对象", "已检查", "覆盖率", "抽中", "完结率", "公示率", "发现问题", "行政处罚"],
                   "region_rows", [3.0, 1.6, 1.4, 1.4, 1.3, 1.4, 1.4, 1.5, 1.5])
    doc.para("{{ chart_regions }}", align=CENTRE)
    doc.para("{%p endif %}")

    heading("rectification")
    doc.para("{{ rectification_intro }}", indent=True)
    doc.loop_table(["被处罚单位", "处罚决定书文号", "处罚日期", "处罚内容", "整改落实情况"], "penalised",
                   [3.5, 3.2, 2.5, 3.0, 3.5])
    doc.texts("rectification")

    for key in ("practices", "problems", "plans"):
        heading(key)
        doc.texts(key)

    doc.para("{{ contact }}", size=12)
    doc.para("{{ organization }}", align=RIGHT)
    doc.para("{{ date_text }}", align=RIGHT)

    doc.para("附件", font="黑体")
    doc.para("{{ year }}年“双随机、一公开”数据汇总工作分工暨业务指导专家名单", size=16, align=CENTRE)
    doc.loop_table(["工作内容", "责任科室", "负责人", "联系方式"], "duties", [5.0, 3.0, 2.5, 5.5])
    doc.para("“双随机、一公开”监管工作领导小组", size=16, align=CENTRE)
    doc.loop_table(["小组职务", "姓名", "单位及职务"], "members", [3.0, 3.0, 9.5])
    return doc.save(HERE / "period_report.docx")


if __name__ == "__main__":
    print(build_period_report())
