"""Builds the docxtpl template of a task's 总结报告 (run by hand after changing this file; the .docx is committed)::

    python src/shuangsuiji/oversight/reports/templates_docx/build_task_summary.py

task_summary.docx — context (see ``oversight/task_summary.py`` ``summary_docx``): title, organization, overview,
date_text, h (the eight headings), basics / scope / inspection / followup / publication (rows of two strings),
draws (six columns), result_rows (three), finding_rows (two), records (six).
"""

from __future__ import annotations

from pathlib import Path

from shuangsuiji.common.docx_templates import CENTRE, RIGHT, DocxTemplateBuilder

HERE = Path(__file__).resolve().parent


TWO_COLUMNS = (["项目", "内容"], [4.0, 11.5])
# (context key, column headers, widths in cm) under the headings h[0] … h[7]
SECTIONS: list[tuple[str, list[str], list[float]]] = [
    ("basics", *TWO_COLUMNS),
    ("scope", *TWO_COLUMNS),
    ("draws", ["抽取/匹配", "状态", "对象池", "户数", "随机数", "记录摘要"], [2.4, 2.6, 1.6, 1.2, 4.2, 3.5]),
    ("inspection", *TWO_COLUMNS),
    ("result_rows", ["结果类别", "户数", "占比"], [9.5, 3.0, 3.0]),
    ("followup", *TWO_COLUMNS),
    ("publication", *TWO_COLUMNS),
    ("records", ["编号", "检查对象", "检查日期", "状态", "结果类别", "公示"], [3.0, 4.5, 2.4, 2.4, 2.4, 1.4]),
]


def build() -> Path:
    doc = DocxTemplateBuilder(size=14, font="仿宋_GB2312")
    doc.para("{{ title }}", size=22, font="方正小标宋简体", align=CENTRE)
    doc.para("{{ overview }}", indent=True)
    for index, (key, headers, widths) in enumerate(SECTIONS):
        doc.para("{{ h[" + str(index) + "] }}", size=16, font="黑体")
        doc.loop_table(headers, key, widths)
        if key == "result_rows":  # the failed items, only when there are any
            doc.para("{%p if finding_rows %}")
            doc.loop_table(["不合格的检查事项", "户数"], "finding_rows", [12.5, 3.0])
            doc.para("{%p endif %}")
    doc.para("{{ organization }}", align=RIGHT)
    doc.para("{{ date_text }}", align=RIGHT)
    return doc.save(HERE / "task_summary.docx")


if __name__ == "__main__":
    print(build())
