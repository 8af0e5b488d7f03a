"""Export of the 后续处置台账 to .xlsx."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.inspections.selectors import LedgerRow

LEDGER_COLUMNS: list[tuple[str, int]] = [
    ("台账编号", 22), ("一企一表编号", 18), ("检查对象", 28), ("统一社会信用代码", 21), ("所属区划", 12),
    ("责任科室", 18), ("责任执法人员", 12), ("发现的问题", 40), ("拟采取措施", 22), ("已采取措施", 28),
    ("登记日期", 15), ("已历时（天）", 11), ("已历时（工作日）", 13), ("整改期限", 15), ("整改逾期", 9),
    ("立案号", 18), ("行政处罚决定书文号", 20), ("处罚决定日期", 15), ("处罚信息公示期限", 16), ("状态", 9),
    ("办结日期", 15),
]


def _date(value: object) -> str:
    return format_cn_date(value) if value else ""  # type: ignore[arg-type]


def ledger_xlsx(rows: Sequence[LedgerRow]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("后续处置台账")
    header = workbook.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    overdue = workbook.add_format({"font_color": "#C00000", "bold": True, "valign": "top"})
    for col, (title, width) in enumerate(LEDGER_COLUMNS):
        sheet.write(0, col, title, header)
        sheet.set_column(col, col, width)
    for index, row in enumerate(rows, start=1):
        case = row.case
        values = [
            case.number, case.record.number, case.target.name, case.target.uscc, case.region.name,
            case.section.name if case.section else "", case.inspector.name if case.inspector else "", case.problem,
            "、".join(case.planned_measure_labels), "、".join(case.measures_taken), _date(case.opened_on),
            row.age_days, row.age_workdays, _date(case.rectify_deadline), "是" if row.overdue_rectification else "",
            case.case_number, case.penalty_decision_number, _date(case.penalty_decided_on),
            _date(case.penalty_publish_deadline), case.get_status_display(), _date(case.closed_on),
        ]
        for col, value in enumerate(values):
            style = overdue if col == 14 and value else wrap
            sheet.write(index, col, value, style)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(1, len(rows)), len(LEDGER_COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
