"""Reads a national/provincial task list (.xlsx, e.g. exported from 国家卫生健康监督信息报告系统).

Columns (header row, any order; * = required): 任务编号*, 任务名称*, 专业*, 抽查事项*, 抽查范围*, 比例*,
起止日期* (or 开始日期* + 结束日期*), 年度, 下达系统. 比例 is either one figure for every risk class
("5%") or per class ("A类1%；B类2%；C类10%；D类30%"). Every problem is reported with its row and column;
nothing is saved unless the whole file is valid (the service decides).
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import DateParseError, parse_date
from shuangsuiji.directory.models import Specialty
from shuangsuiji.planning.models import RISK_CLASSES

REQUIRED = ("任务编号", "任务名称", "专业", "抽查事项", "抽查范围", "比例")
OPTIONAL = ("起止日期", "开始日期", "结束日期", "年度", "下达系统")
HEADER_ALIASES = {"任务编码": "任务编号", "抽查专业": "专业", "抽查比例": "比例", "下达单位": "下达系统"}
DEFAULT_SOURCE = "国家卫生健康监督信息报告系统"
_RATIO_PART = re.compile(r"([ABCD])\s*类?\s*[:：]?\s*(\d+(?:\.\d+)?)\s*%?", re.IGNORECASE)
_RANGE_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|--)\s*")


@dataclass
class NationalTaskRow:
    row_number: int
    code: str
    title: str
    year: int
    specialty: Specialty
    item_names: str
    scope_text: str
    ratios: dict[str, float]
    window_start: datetime.date
    window_end: datetime.date
    source: str


def parse_ratios(text: str) -> dict[str, float]:
    raw = text.strip().replace("％", "%")
    if not raw:
        raise ValueError("比例不能为空")
    parts = _RATIO_PART.findall(raw)
    if parts:
        ratios = {risk.upper(): float(value) for risk, value in parts}
        missing = [r for r in RISK_CLASSES if r not in ratios]
        if missing:
            raise ValueError(f"缺少{'、'.join(missing)}类的比例")
    else:
        try:
            value = float(raw.rstrip("%"))
        except ValueError:
            raise ValueError(f"“{text}”不是有效的比例，应如“5%”或“A类1%；B类2%；C类10%；D类30%”") from None
        if isinstance(value, float) and not raw.endswith("%") and 0 < value < 1:
            value *= 100  # an Excel percentage cell arrives as 0.05
        ratios = dict.fromkeys(RISK_CLASSES, value)
    for risk, value in ratios.items():
        if not 0 <= value <= 100:
            raise ValueError(f"{risk}类比例{value}%应在0到100之间")
    return {risk: round(ratios[risk], 2) for risk in RISK_CLASSES}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _read_rows(content: bytes) -> list[list[Any]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise ApplicationError(f"无法读取Excel文件（请上传 .xlsx 格式）：{exc}") from None


def read_national_tasks(content: bytes) -> tuple[list[NationalTaskRow], list[dict[str, Any]]]:
    rows = _read_rows(content)
    if not rows:
        raise ApplicationError("文件是空的")
    header = [HEADER_ALIASES.get(_cell_text(h), _cell_text(h)) for h in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if "起止日期" not in header and not ("开始日期" in header and "结束日期" in header):
        missing.append("起止日期（或开始日期、结束日期）")
    if missing:
        raise ApplicationError(
            f"表头缺少必填列：{'、'.join(missing)}",
            extra={"errors": [{"row": 1, "column": name, "message": "缺少此列"} for name in missing]},
        )
    columns = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    specialties = {s.name: s for s in Specialty.objects.all()} | {s.code: s for s in Specialty.objects.all()}
    parsed: list[NationalTaskRow] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for offset, raw in enumerate(rows[1:], start=2):
        cells = {name: _cell_text(raw[i]) if i < len(raw) else "" for name, i in columns.items()}
        if not any(cells.values()):
            continue
        row_errors: list[dict[str, Any]] = []

        def error(column: str, message: str, row: int = offset, bucket: list[dict[str, Any]] = row_errors) -> None:
            bucket.append({"row": row, "column": column, "message": message})

        for name in REQUIRED:
            if not cells[name]:
                error(name, "不能为空")
        code = cells["任务编号"]
        if code in seen:
            error("任务编号", f"与第{seen[code]}行重复")
        elif code:
            seen[code] = offset
        specialty = specialties.get(cells["专业"])
        if cells["专业"] and specialty is None:
            error("专业", f"未知的专业“{cells['专业']}”")
        ratios: dict[str, float] = {}
        if cells["比例"]:
            try:
                ratios = parse_ratios(cells["比例"])
            except ValueError as exc:
                error("比例", str(exc))
        start, end = _window(cells, error)
        year = start.year if start else 0
        if cells.get("年度"):
            try:
                year = int(cells["年度"].removesuffix("年"))
            except ValueError:
                error("年度", f"“{cells['年度']}”不是有效的年度")
        if row_errors or specialty is None or start is None or end is None:
            errors.extend(row_errors)
            continue
        parsed.append(
            NationalTaskRow(
                row_number=offset, code=code[:64], title=cells["任务名称"][:200], year=year, specialty=specialty,
                item_names=cells["抽查事项"], scope_text=cells["抽查范围"], ratios=ratios,
                window_start=start, window_end=end, source=(cells.get("下达系统") or DEFAULT_SOURCE)[:100],
            )
        )
    return parsed, errors


def _window(cells: dict[str, str], error: Any) -> tuple[datetime.date | None, datetime.date | None]:
    start = end = None
    if cells.get("起止日期"):
        parts = _RANGE_SPLIT.split(cells["起止日期"].strip())
        if len(parts) != 2:
            error("起止日期", f"“{cells['起止日期']}”应写作“2026-03-01至2026-10-31”")
            return None, None
        column_start = column_end = "起止日期"
        raw_start, raw_end = parts
    else:
        column_start, column_end = "开始日期", "结束日期"
        raw_start, raw_end = cells.get("开始日期", ""), cells.get("结束日期", "")
        if not raw_start:
            error(column_start, "不能为空")
        if not raw_end:
            error(column_end, "不能为空")
        if not raw_start or not raw_end:
            return None, None
    try:
        start = parse_date(raw_start)
    except DateParseError as exc:
        error(column_start, str(exc))
    try:
        end = parse_date(raw_end)
    except DateParseError as exc:
        error(column_end, str(exc))
    if start and end and start > end:
        error(column_end, "结束日期早于开始日期")
        return None, None
    return start, end
