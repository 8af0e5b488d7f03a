"""Reading an imported 经营异常名录 / 严重违法失信名单 (.xlsx/.xls/.csv as exported from the 国家企业信用信息公示系统).

Columns (header in one of the first 10 rows, any order; * = required):
统一社会信用代码*, 企业名称, 列入日期, 列入原因, 作出决定机关, 移出日期, 移出原因.
A row without 列入日期 takes the list's date. Every problem is reported with its row, column and reason in
Chinese; this module never writes (``flag_services.flag_list_import`` decides, all or nothing).

File sniffing, CSV decoding and cell text are the register import's helpers (read-only reuse).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import DateParseError, parse_date
from shuangsuiji.core.uscc import UsccError, validate_uscc
from shuangsuiji.directory.importers import cell_text, normalize_header, read_csv_rows, sniff_format

MAX_ROWS = 50_000
MAX_ERRORS = 500
COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "注册号/统一社会信用代码"),
    "name": ("企业名称", "名称", "市场主体名称", "单位名称", "当事人名称"),
    "listed_on": ("列入日期", "列入时间", "作出决定日期", "认定日期", "列入经营异常名录日期", "列入严重违法失信名单日期"),
    "reason": ("列入原因", "列入事由", "列入经营异常名录原因", "列入严重违法失信名单原因", "原因"),
    "authority": ("作出决定机关", "决定机关", "列入决定机关", "作出决定机关（列入）"),
    "removed_on": ("移出日期", "移出时间"),
    "removal_reason": ("移出原因", "移出事由"),
}
HEADERS = {"uscc": "统一社会信用代码", "name": "企业名称", "listed_on": "列入日期", "reason": "列入原因",
           "authority": "作出决定机关", "removed_on": "移出日期", "removal_reason": "移出原因"}  # fmt: skip
_LOOKUP = {normalize_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


@dataclass
class ListRow:
    row: int
    uscc: str
    name: str
    listed_on: datetime.date
    reason: str
    authority: str
    removed_on: datetime.date | None
    removal_reason: str


def _sheets(content: bytes, file_name: str) -> list[list[list[Any]]]:
    if sniff_format(content[:8192], file_name) == "csv":
        return [read_csv_rows(content)]
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = [book.get_sheet_by_index(i).to_python(skip_empty_area=False) for i in range(len(book.sheet_names))]
    except Exception as exc:  # calamine raises several error types for broken, encrypted or non-Excel files
        raise ApplicationError(
            "无法读取该 Excel 文件：文件已损坏、已加密或不是 Excel 工作簿。请在 Excel 中打开后“另存为”.xlsx 再上传"
        ) from exc
    if not sheets:
        raise ApplicationError("Excel 文件中没有工作表")
    return sheets


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:10]):
        positions: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _LOOKUP.get(normalize_header(cell))
            if key is not None and key not in positions:
                positions[key] = col
        if "uscc" in positions:
            return index, positions
    return None


def _date(value: Any, column: str, errors: list[dict[str, Any]], row: int, today: datetime.date) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        day = parse_date(value if not isinstance(value, str) else value.strip())
    except DateParseError as exc:
        errors.append({"row": row, "column": column, "message": str(exc)})
        return None
    if day > today:
        errors.append({"row": row, "column": column, "message": f"{column}“{day.isoformat()}”晚于今天"})
        return None
    return day


def read_flag_list(
    content: bytes, *, file_name: str, list_date: datetime.date, today: datetime.date
) -> tuple[list[ListRow], list[dict[str, Any]]]:
    """Rows and errors ({row, column, message}); ApplicationError when the file itself cannot be read."""
    if not content:
        raise ApplicationError("文件是空的")
    for rows in _sheets(content, file_name):
        found = _header(rows)
        if found is not None:
            break
    else:
        raise ApplicationError("没有找到表头：名单须有“统一社会信用代码”列（可另有企业名称、列入日期、列入原因、作出决定机关、移出日期）")
    header_index, positions = found
    body = [(header_index + 2 + n, row) for n, row in enumerate(rows[header_index + 1 :])]
    body = [(n, row) for n, row in body if any(cell_text(c) for c in row)]
    if len(body) > MAX_ROWS:
        raise ApplicationError(f"名单共有 {len(body)} 行，超过单次导入上限 {MAX_ROWS} 行，请拆分后分批导入")
    if not body:
        raise ApplicationError("名单中没有数据行")
    errors: list[dict[str, Any]] = []
    result: list[ListRow] = []
    seen: dict[tuple[str, datetime.date], int] = {}

    def cell(row: list[Any], key: str) -> Any:
        col = positions.get(key)
        return row[col] if col is not None and col < len(row) else None

    for number, row in body:
        if len(errors) >= MAX_ERRORS:
            break
        raw = cell(row, "uscc")
        if isinstance(raw, float | int) and not isinstance(raw, bool):
            errors.append({"row": number, "column": HEADERS["uscc"],
                           "message": "统一社会信用代码被 Excel 存成了数字，已丢失精度：请将该列设为文本格式"})
            continue
        text = cell_text(raw)
        if not text:
            errors.append({"row": number, "column": HEADERS["uscc"], "message": "统一社会信用代码不能为空"})
            continue
        try:
            uscc = validate_uscc(text)
        except UsccError as exc:
            errors.append({"row": number, "column": HEADERS["uscc"], "message": f"“{text}”：{exc}"})
            continue
        listed_on = _date(cell(row, "listed_on"), HEADERS["listed_on"], errors, number, today)
        removed_on = _date(cell(row, "removed_on"), HEADERS["removed_on"], errors, number, today)
        if listed_on is not None and listed_on > list_date:
            errors.append({"row": number, "column": HEADERS["listed_on"],
                           "message": f"列入日期 {listed_on.isoformat()} 晚于名单日期 {list_date.isoformat()}"})
            continue
        listed_on = listed_on or list_date
        if removed_on is not None and removed_on < listed_on:
            errors.append({"row": number, "column": HEADERS["removed_on"],
                           "message": f"移出日期 {removed_on.isoformat()} 早于列入日期 {listed_on.isoformat()}"})
            continue
        key = (uscc, listed_on)
        if key in seen:
            errors.append({"row": number, "column": HEADERS["uscc"],
                           "message": f"与第{seen[key]}行重复（同一信用代码、同一列入日期）"})
            continue
        seen[key] = number
        result.append(ListRow(
            row=number, uscc=uscc, name=cell_text(cell(row, "name"))[:200], listed_on=listed_on,
            reason=cell_text(cell(row, "reason"))[:200], authority=cell_text(cell(row, "authority"))[:100],
            removed_on=removed_on, removal_reason=cell_text(cell(row, "removal_reason"))[:200],
        ))
    errors.sort(key=lambda e: (e["row"], e["column"]))
    return result, errors


def template_csv() -> bytes:
    """A blank list with the expected columns (UTF-8 with BOM, so Excel opens it correctly)."""
    line = ",".join(HEADERS[k] for k in ("uscc", "name", "listed_on", "reason", "authority", "removed_on", "removal_reason"))
    return ("\ufeff" + line + "\r\n").encode("utf-8")
