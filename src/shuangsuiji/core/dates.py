"""Chinese-style date formatting and a forgiving date parser for imports and the CLI.

The parser accepts what people actually type or paste from spreadsheets: ``2023-07-20``, ``2023/7/20``,
``2023.7.20``, ``2023年7月20日`` (also ``号``), ``20230720``, full-width digits and punctuation, a trailing
time of day (``2023-07-20 00:00:00``, as CSV exports of Excel cells often have), ``date``/``datetime``
objects, and Excel serial numbers (``45127`` is 2023年7月20日). Anything else raises :class:`DateParseError`
with a Chinese message that quotes the input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

WEEKDAY_NAMES_CN: tuple[str, ...] = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

ACCEPTED_FORMATS_HINT = "请使用 2023-07-20、2023/7/20、2023.7.20、2023年7月20日 或 20230720 等格式"

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29 that Excel
# keeps for Lotus 1-2-3 compatibility, so from serial 61 on the epoch is effectively 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = (date.max - _EXCEL_EPOCH).days

_SEPARATED = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Five digits only: a bare "2023" is far more likely a year typed by mistake than serial 2023 (1905-07-15).
_EXCEL_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


class DateParseError(ValueError):
    """A value could not be read as a date; the message is in Chinese and names the value."""


def format_cn_date(value: date) -> str:
    """``date(2026, 11, 25)`` → ``"2026年11月25日"`` (no zero padding, as in official documents)."""
    return f"{value.year}年{value.month}月{value.day}日"


def weekday_cn(value: date) -> str:
    """``date(2026, 11, 25)`` → ``"星期三"``."""
    return WEEKDAY_NAMES_CN[value.weekday()]


def format_cn_date_with_weekday(value: date) -> str:
    """``date(2026, 12, 23)`` → ``"2026年12月23日（星期三）"``."""
    return f"{format_cn_date(value)}（{weekday_cn(value)}）"


def from_excel_serial(serial: float) -> date:
    """Convert an Excel (1900 date system) serial number to a date; a time-of-day fraction is dropped."""
    if not math.isfinite(serial):
        raise DateParseError(f"Excel日期序号“{serial}”无效")
    whole = int(serial)
    if whole < 1 or whole > _EXCEL_MAX_SERIAL:
        raise DateParseError(f"Excel日期序号“{_show_number(serial)}”超出有效范围")
    if whole == _EXCEL_FAKE_LEAP_DAY:
        raise DateParseError("Excel日期序号“60”对应不存在的1900年2月29日")
    if whole < _EXCEL_FAKE_LEAP_DAY:
        return _EXCEL_EPOCH + timedelta(days=whole + 1)
    return _EXCEL_EPOCH + timedelta(days=whole)


def parse_date(value: str | int | float | date) -> date:
    """Read one date from a string, a ``date``/``datetime`` or an Excel serial number.

    Raises :class:`DateParseError` (a ``ValueError``) with a Chinese message on failure.
    """
    # datetime is a subclass of date: check it first so the time of day is dropped.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    # bool is an int subclass; True is not a date.
    if isinstance(value, bool):
        raise DateParseError(f"无法识别的日期“{value}”：{ACCEPTED_FORMATS_HINT}")
    if isinstance(value, int | float):
        return from_excel_serial(value)
    if not isinstance(value, str):
        raise DateParseError(f"无法识别的日期“{value!r}”：{ACCEPTED_FORMATS_HINT}")
    return _parse_text(value)


def _parse_text(raw: str) -> date:
    # NFKC turns full-width digits and punctuation (２０２３．７．２０, ／) into ASCII.
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise DateParseError("日期不能为空")
    text = _TIME_SUFFIX.sub("", text)
    if _EXCEL_SERIAL_TEXT.fullmatch(text):
        return from_excel_serial(float(text))
    for pattern, groups in ((_SEPARATED, (1, 3, 4)), (_CHINESE, (1, 2, 3)), (_COMPACT, (1, 2, 3))):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(match.group(i)) for i in groups)
            return _make_date(raw, year, month, day)
    raise DateParseError(f"无法识别的日期“{raw}”：{ACCEPTED_FORMATS_HINT}")


def _make_date(raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(f"日期“{raw}”不存在（{year}年{month}月{day}日）") from None


def _show_number(serial: float) -> str:
    return str(int(serial)) if float(serial).is_integer() else str(serial)
