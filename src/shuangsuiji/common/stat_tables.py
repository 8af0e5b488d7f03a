"""Tables written to .xlsx: the statistics tables of oversight and the plain lists of the deadline pages.

A ``StatTable`` is a title, a label column, typed columns and rows; ``table_xlsx`` writes it as a one-sheet
workbook (numbers stay numbers); ``list_table`` turns a page's list (one row per object) into one.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int · pct · money · text
    drill: str = ""  # drill-down metric of the cell (dashboard_drill), when there is one


@dataclass
class StatRow:
    label: str
    values: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)  # extra drill-down parameters (specialty, group …)
    link: str = ""  # the row's own page (e.g. a subordinate's dashboard)


@dataclass
class StatTable:
    key: str
    title: str
    first: str  # header of the label column
    columns: list[Column]
    rows: list[StatRow]
    total: StatRow | None = None
    note: str = ""

    def cells(self, row: StatRow) -> list[tuple[Column, Any]]:
        return [(column, row.values.get(column.key)) for column in self.columns]


def _fmt(column: Column, value: Any) -> Any:
    if value is None:
        return "—" if column.kind in ("pct", "money", "int") else ""
    if column.kind == "pct":
        return float(value) / 100
    if column.kind == "money":
        return float(value)
    return value


def table_xlsx(table: StatTable, *, subtitle: str = "") -> bytes:
    """The table as a one-sheet workbook: title, subtitle, header, rows, total; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = re.sub(r"[\\/*?:\[\]]", "·", table.title)[:31]  # characters Excel refuses in sheet names
    width = len(table.columns) + 1
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.cell(row=1, column=1, value=table.title).font = Font(size=14, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=subtitle)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    headers = [table.first, *(c.label for c in table.columns)]
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    rows = [*table.rows, *([table.total] if table.total else [])]
    for offset, row in enumerate(rows, start=4):
        label = sheet.cell(row=offset, column=1, value=row.label)
        label.border = border
        if row is table.total:
            label.font = Font(bold=True)
        for index, column in enumerate(table.columns, start=2):
            cell = sheet.cell(row=offset, column=index, value=_fmt(column, row.values.get(column.key)))
            cell.border = border
            if column.kind == "pct":
                cell.number_format = "0.0%"
            elif column.kind == "money":
                cell.number_format = "#,##0.00"
    if table.note:
        sheet.cell(row=len(rows) + 5, column=1, value=table.note)
    sheet.column_dimensions["A"].width = 26
    for index in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.freeze_panes = "B4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def list_table(key: str, title: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> StatTable:
    """A plain list (one row per object, as shown on a page) as a table for ``table_xlsx``: the first value is
    the row's label, the others stay as given (numbers stay numbers, dates are passed as text)."""
    columns = [Column(f"c{index}", header, "text") for index, header in enumerate(headers[1:], start=1)]
    stat_rows = []
    for values in rows:
        first, *rest = list(values)
        stat_rows.append(StatRow(str(first), {f"c{index}": value for index, value in enumerate(rest, start=1)}))
    return StatTable(key, title, headers[0], columns, stat_rows)


def cn_date(value: datetime.date | datetime.datetime | None, empty: str = "") -> str:
    """A date (or a moment, in local time) as ``2026年11月25日``; ``empty`` for none."""
    if value is None:
        return empty
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return format_cn_date(value)


def exported_at() -> str:
    return f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"


def xlsx(table: StatTable, subtitle: str = "") -> bytes:
    """The table as .xlsx, with the export time as subtitle unless one is given."""
    return table_xlsx(table, subtitle=subtitle or exported_at())
