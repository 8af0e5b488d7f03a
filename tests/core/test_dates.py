"""Chinese date formatting and the forgiving date parser used by importers and the CLI."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.dates import (
    DateParseError,
    format_cn_date,
    format_cn_date_with_weekday,
    from_excel_serial,
    parse_date,
    weekday_cn,
)


def test_format_cn_date_has_no_zero_padding() -> None:
    assert format_cn_date(date(2026, 11, 5)) == "2026年11月5日"
    assert format_cn_date(date(2027, 1, 1)) == "2027年1月1日"


def test_weekday_names() -> None:
    # 2026年11月23日 is a Monday, 2026年11月29日 a Sunday.
    names = [weekday_cn(date(2026, 11, day)) for day in range(23, 30)]
    assert names == ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    assert format_cn_date_with_weekday(date(2026, 12, 23)) == "2026年12月23日（星期三）"


@pytest.mark.parametrize(
    "text",
    [
        "2023-07-20",
        "2023-7-20",
        "2023/7/20",
        "2023/07/20",
        "2023.7.20",
        "2023 . 7 . 20",
        "2023年7月20日",
        "2023年07月20日",
        "2023 年 7 月 20 日",
        "2023年7月20号",
        "2023年7月20",
        "20230720",
        "  2023-07-20  ",
        "２０２３．７．２０",  # full-width, as typed with a Chinese input method
        "２０２３年７月２０日",
        "2023／7／20",
        "2023-07-20 00:00:00",
        "2023-07-20T08:30",
        "2023/7/20 8:30",
        "45127",  # Excel serial number pasted as text
        "45127.75",
    ],
)
def test_parse_date_accepts_common_spellings(text: str) -> None:
    assert parse_date(text) == date(2023, 7, 20)


def test_parse_date_accepts_objects_and_excel_numbers() -> None:
    assert parse_date(date(2023, 7, 20)) == date(2023, 7, 20)
    assert parse_date(datetime(2023, 7, 20, 23, 59)) == date(2023, 7, 20)
    assert parse_date(45127) == date(2023, 7, 20)
    assert parse_date(45127.9999) == date(2023, 7, 20)


def test_excel_serial_numbers_around_the_1900_leap_bug() -> None:
    # Excel's serial 1 is 1900-01-01; 59 is 1900-02-28; 60 is its fictitious 1900-02-29; 61 is 1900-03-01.
    assert from_excel_serial(1) == date(1900, 1, 1)
    assert from_excel_serial(59) == date(1900, 2, 28)
    assert from_excel_serial(61) == date(1900, 3, 1)
    assert from_excel_serial(44927) == date(2023, 1, 1)
    with pytest.raises(DateParseError, match="1900年2月29日"):
        from_excel_serial(60)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("2023-02-30", "不存在"),
        ("2023年13月1日", "不存在"),
        ("2023-7/20", "无法识别"),  # mixed separators are more likely a typo than a date
        ("23.7.20", "无法识别"),  # two-digit years are ambiguous
        ("2023", "无法识别"),  # a year alone is not an Excel serial
        ("7/20/2023", "无法识别"),
        ("二〇二三年七月二十日", "无法识别"),
        ("hello", "无法识别"),
        (0, "超出有效范围"),
        (-5, "超出有效范围"),
        (10**9, "超出有效范围"),
        (float("nan"), "无效"),
        (True, "无法识别"),
    ],
)
def test_parse_date_rejects_with_chinese_message(value: str | int | float, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_date(value)


def test_error_message_quotes_the_input() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date("2023年7月")
    assert "“2023年7月”" in str(caught.value)
    assert "2023-07-20" in str(caught.value)  # tells the user what would work


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_reads_back_every_format_we_write(day: date) -> None:
    assert parse_date(format_cn_date(day)) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date(f"{day.year}.{day.month}.{day.day}") == day


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_excel_serial_matches_day_count_from_1899_12_30(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == day
