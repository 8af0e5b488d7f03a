"""Working-day calendar and deadline arithmetic.

Expected dates come from the State Council's yearly holiday notices (国务院办公厅关于20XX年部分节假日安排的通知),
counted by hand in the comments; the calendar as a whole is also checked day by day against chinesecalendar.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shuangsuiji.core.workdays import (
    CalendarRow,
    DayKind,
    HolidayNoticeError,
    WorkdayCalendar,
    default_calendar,
    notice_year,
    parse_holiday_notice,
)

CALENDAR = default_calendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def add(start: date, count: int) -> date:
    result = CALENDAR.add_workdays(start, count)
    assert not result.provisional, result.reason
    return result.date


# ---- the calendar itself ---------------------------------------------------------------------------------


def test_known_years_are_those_chinesecalendar_covers() -> None:
    assert set(range(2004, 2027)) <= CALENDAR.known_years
    assert 2027 not in CALENDAR.known_years  # chinesecalendar 1.11.0 stops at 2026
    assert 2003 not in CALENDAR.known_years


def test_every_known_day_agrees_with_chinesecalendar() -> None:
    for day in days(date(2004, 1, 1), date(2026, 12, 31)):
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day), day


@pytest.mark.parametrize(
    ("off", "worked"),
    [
        # 2024 春节: 2月10日至17日放假调休，2月4日（星期日）、2月18日（星期日）上班; 除夕2月9日 is a working day.
        (days(date(2024, 2, 10), date(2024, 2, 17)), [date(2024, 2, 4), date(2024, 2, 18), date(2024, 2, 9)]),
        # 2025 春节 (除夕 now a holiday): 1月28日至2月4日放假调休，1月26日（星期日）、2月8日（星期六）上班.
        (days(date(2025, 1, 28), date(2025, 2, 4)), [date(2025, 1, 26), date(2025, 2, 8)]),
        # 2026 春节: 2月15日至23日放假调休，2月14日（星期六）、2月28日（星期六）上班.
        (days(date(2026, 2, 15), date(2026, 2, 23)), [date(2026, 2, 14), date(2026, 2, 28)]),
        # 2024 国庆节: 10月1日至7日放假调休，9月29日（星期日）、10月12日（星期六）上班.
        (days(date(2024, 10, 1), date(2024, 10, 7)), [date(2024, 9, 29), date(2024, 10, 12)]),
        # 2025 国庆节、中秋节: 10月1日至8日放假调休，9月28日（星期日）、10月11日（星期六）上班.
        (days(date(2025, 10, 1), date(2025, 10, 8)), [date(2025, 9, 28), date(2025, 10, 11)]),
        # 2026 元旦: 1月1日至3日放假调休，1月4日（星期日）上班.
        (days(date(2026, 1, 1), date(2026, 1, 3)), [date(2026, 1, 4)]),
        # 2026 国庆节: 10月1日至7日放假调休，9月20日（星期日）、10月10日（星期六）上班; 中秋节 9月25日至27日.
        (
            days(date(2026, 10, 1), date(2026, 10, 7)) + days(date(2026, 9, 25), date(2026, 9, 27)),
            [date(2026, 9, 20), date(2026, 10, 10)],
        ),
    ],
)
def test_official_notices(off: list[date], worked: list[date]) -> None:
    assert [day for day in off if CALENDAR.is_workday(day)] == []
    assert [day for day in worked if not CALENDAR.is_workday(day)] == []


def test_day_info_labels() -> None:
    assert CALENDAR.day_info(date(2026, 10, 10)).label == "工作日（国庆节调休上班）"
    assert CALENDAR.day_info(date(2026, 10, 1)).label == "休息日（国庆节）"
    assert CALENDAR.day_info(date(2026, 11, 28)).label == "休息日（周末）"
    info = CALENDAR.day_info(date(2026, 11, 25))
    assert (info.is_workday, info.label, info.provisional, info.reason) == (True, "工作日", False, None)


def test_day_info_in_unknown_year_is_provisional() -> None:
    info = CALENDAR.day_info(date(2027, 10, 1))  # surely National Day, but not announced in our data
    assert info.is_workday and info.label == "工作日"
    assert info.provisional
    assert info.reason == "2027年法定节假日安排尚未录入，按仅排除周末暂定"


# ---- deadlines ------------------------------------------------------------------------------------------


def test_issue_example() -> None:
    # 11月26日（四）起: 26、27 → 2; 11月30日–12月4日 → 7; 12月7–11日 → 12; 12月14–18日 → 17; 21、22、23 → 20.
    result = CALENDAR.add_workdays(date(2026, 11, 25), 20)
    assert (result.date, result.provisional, result.reason) == (date(2026, 12, 23), False, None)


def test_start_day_is_not_counted() -> None:
    assert add(date(2026, 11, 23), 1) == date(2026, 11, 24)  # Monday → Tuesday
    assert add(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday


def test_spring_festival_2024() -> None:
    # From 2月8日（四）: 9日（五，除夕照常上班）1, 10–17日 off, 18日（日，上班）2, 19日 3, 20日 4, 21日 5.
    assert add(date(2024, 2, 8), 5) == date(2024, 2, 21)
    assert CALENDAR.workdays_between(date(2024, 2, 8), date(2024, 2, 19)) == 3


def test_spring_festival_2025() -> None:
    # From 1月24日（五）: 26日（日，上班）1, 27日 2, 28日–2月4日 off, 2月5日 3.
    assert add(date(2025, 1, 24), 3) == date(2025, 2, 5)
    # 2月8日（六）上班 counts: 5、6、7、8 after 2月4日.
    assert CALENDAR.workdays_between(date(2025, 2, 4), date(2025, 2, 8)) == 4


def test_spring_festival_2026() -> None:
    # From 2月12日（四）: 13日 1, 14日（六，上班）2, 15–23日 off, 24日 3, 25日 4.
    assert add(date(2026, 2, 12), 4) == date(2026, 2, 25)
    # 13、14、24、25、26、27、28（六，上班）.
    assert CALENDAR.workdays_between(date(2026, 2, 12), date(2026, 2, 28)) == 7


def test_national_day_2024_with_weekend_makeup_days() -> None:
    # From 9月27日（五）: 28日 off, 29日（日，上班）1, 30日 2, 10月1–7日 off, 8日 3.
    assert add(date(2024, 9, 27), 2) == date(2024, 9, 30)
    assert add(date(2024, 9, 27), 3) == date(2024, 10, 8)
    # 29、30、10月8、9、10、11、12（六，上班）.
    assert CALENDAR.workdays_between(date(2024, 9, 27), date(2024, 10, 12)) == 7


def test_national_day_and_mid_autumn_2026() -> None:
    # After 9月18日（五）: 20日（日，上班）, 21–24日, 28–30日, 10月8日, 9日, 10日（六，上班）, 12日 → 12.
    assert CALENDAR.workdays_between(date(2026, 9, 18), date(2026, 10, 12)) == 12


def test_start_on_a_holiday() -> None:
    # 10月3日 is inside the 2024 National Day holiday: 8日（二）1, 9日 2, 10日 3.
    assert add(date(2024, 10, 3), 3) == date(2024, 10, 10)
    # 2025年10月1日: 2–8日 off, 9日 1, 10日 2, 11日（六，上班）3, 13–17日 8, 20日 9, 21日 10.
    assert add(date(2025, 10, 1), 10) == date(2025, 10, 21)


def test_period_crossing_new_year() -> None:
    # From 2025年12月25日（四）: 26日 1, 29日 2, 30日 3, 31日 4, 2026年1月1–3日 off, 1月4日（日，上班）5.
    assert add(date(2025, 12, 25), 5) == date(2026, 1, 4)
    # From 2024年12月30日（一）: 31日 1, 2025年1月1日 off, 2日 2, 3日 3.
    assert add(date(2024, 12, 30), 3) == date(2025, 1, 3)
    assert CALENDAR.workdays_between(date(2024, 12, 30), date(2025, 1, 3)) == 3


def test_working_days_before_a_deadline() -> None:
    # 2024年10月12日（六，上班）: 11日 1, 10日 2, 9日 3.
    assert add(date(2024, 10, 12), -3) == date(2024, 10, 9)
    # Before 10月8日: 9月30日 1, 9月29日（日，上班）2, 9月27日 3.
    assert add(date(2024, 10, 8), -1) == date(2024, 9, 30)
    assert add(date(2024, 10, 8), -2) == date(2024, 9, 29)
    assert add(date(2024, 10, 8), -3) == date(2024, 9, 27)
    # From a day off, the first working day before it: 2026年10月5日 → 9月30日.
    assert add(date(2026, 10, 5), -1) == date(2026, 9, 30)


def test_zero_working_days_is_the_start_date() -> None:
    assert CALENDAR.add_workdays(date(2026, 10, 1), 0).date == date(2026, 10, 1)
    assert CALENDAR.workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0


def test_between_is_antisymmetric() -> None:
    assert CALENDAR.workdays_between(date(2024, 10, 12), date(2024, 9, 27)) == -7


def test_next_workday() -> None:
    assert CALENDAR.next_workday(date(2026, 2, 13)).date == date(2026, 2, 14)  # 调休 Saturday
    assert CALENDAR.next_workday(date(2026, 2, 14)).date == date(2026, 2, 24)


def test_roll_to_workday_per_civil_code_203() -> None:
    # 2026年1月31日 is a Saturday: 年度计划 filed by then may be filed on Monday 2月2日.
    assert CALENDAR.roll_to_workday(date(2026, 1, 31)).date == date(2026, 2, 2)
    assert CALENDAR.roll_to_workday(date(2026, 10, 3)).date == date(2026, 10, 8)
    assert CALENDAR.roll_to_workday(date(2026, 2, 14)).date == date(2026, 2, 14)  # 调休 working Saturday
    assert CALENDAR.roll_to_workday(date(2026, 7, 2)).date == date(2026, 7, 2)  # a Thursday


# ---- provisional results ------------------------------------------------------------------------------


def test_beyond_the_known_calendar_is_provisional_weekends_only() -> None:
    # 2030年3月1日 is a Friday; weekends only: 4–8日 → 8日.
    result = CALENDAR.add_workdays(date(2030, 3, 1), 5)
    assert result.date == date(2030, 3, 8)
    assert result.provisional
    assert result.reason == "2030年法定节假日安排尚未录入，按仅排除周末暂定"


def test_deadline_crossing_into_an_unknown_year() -> None:
    # From 2026年12月20日（日）, weekends only in 2027 (1月1日 counted as it would be on a normal Friday):
    # 12月21–25日 5, 28–31日 9, 1月1日 10, 1月4–8日 15, 11–15日 20.
    result = CALENDAR.add_workdays(date(2026, 12, 20), 20)
    assert result.date == date(2027, 1, 15)
    assert result.provisional and result.reason is not None and "2027年" in result.reason


def test_late_december_waits_for_next_years_notice() -> None:
    # 2018年12月29日 was made a working day by the 2019 notice: the last days of December are not settled
    # until the next year is known.
    exact = CALENDAR.add_workdays(date(2026, 12, 21), 4)
    assert exact.date == date(2026, 12, 25) and not exact.provisional
    spill = CALENDAR.add_workdays(date(2026, 12, 25), 3)
    assert spill.date == date(2026, 12, 30)
    assert spill.provisional and spill.reason is not None
    assert "2027年" in spill.reason and "12月29日" in spill.reason


def test_provisional_reason_lists_years() -> None:
    assert CALENDAR.provisional_reason(date(2026, 3, 1), date(2026, 4, 1)) is None
    reason = CALENDAR.provisional_reason(date(2027, 6, 1), date(2028, 6, 1))
    assert reason == "2027年、2028年法定节假日安排尚未录入，按仅排除周末暂定"
    reason = CALENDAR.provisional_reason(date(2031, 1, 1), date(2027, 1, 1))
    assert reason == "2027年至2031年法定节假日安排尚未录入，按仅排除周末暂定"
    assert CALENDAR.provisional_reason(date(2003, 12, 1), date(2003, 12, 10)) is not None


def test_adding_the_year_makes_it_exact() -> None:
    rows = parse_holiday_notice("元旦,2027-01-01,2027-01-03\n")
    calendar = CALENDAR.with_year(2027, rows)
    result = calendar.add_workdays(date(2026, 12, 20), 20)
    # Same count as the provisional one, minus 1月1日 (now a day off): one more working day, 1月18日（一）.
    assert (result.date, result.provisional, result.reason) == (date(2027, 1, 18), False, None)
    assert calendar.known_years == CALENDAR.known_years | {2027}


# ---- construction ---------------------------------------------------------------------------------------


def test_from_rows_round_trips_the_package_calendar() -> None:
    rebuilt = WorkdayCalendar.from_rows(CALENDAR.rows(), known_years=CALENDAR.known_years)
    assert rebuilt.days_off == CALENDAR.days_off
    assert rebuilt.makeup_workdays == CALENDAR.makeup_workdays
    assert rebuilt.add_workdays(date(2025, 1, 24), 3) == CALENDAR.add_workdays(date(2025, 1, 24), 3)


def test_with_year_replaces_the_whole_year() -> None:
    # A corrected 2026 notice without the 2月28日 make-up Saturday and with an extra day off.
    rows = [
        CalendarRow(date(2026, 2, 16), DayKind.DAY_OFF, "春节"),
        CalendarRow(date(2026, 3, 2), DayKind.DAY_OFF, "测试"),
    ]
    calendar = CALENDAR.with_year(2026, rows)
    assert not calendar.is_workday(date(2026, 2, 28))  # old make-up day gone
    assert calendar.is_workday(date(2026, 2, 17))  # old day off gone
    assert not calendar.is_workday(date(2026, 3, 2))
    assert calendar.is_workday(date(2025, 2, 8))  # other years untouched
    assert CALENDAR.is_workday(date(2026, 2, 28))  # the original is immutable


def test_merge_keeps_a_notice_reaching_into_the_previous_year() -> None:
    # Like the 2019 notice: 2018年12月29日（六）上班, 12月30日–2019年1月1日 off.
    empty = WorkdayCalendar(days_off={}, makeup_workdays={}, known_years=[2018])
    rows = parse_holiday_notice("2018-12-29,班,元旦\n元旦,2018-12-30,2019-01-01\n")
    assert notice_year(rows) == 2019
    calendar = empty.with_year(2019, rows)
    assert calendar.is_workday(date(2018, 12, 29))
    assert not calendar.is_workday(date(2018, 12, 31))
    assert calendar.known_years == {2018, 2019}


def test_constructor_rejects_inconsistent_data() -> None:
    with pytest.raises(ValueError, match="既是放假日又是调休上班日"):
        WorkdayCalendar(
            days_off={date(2027, 2, 6): "春节"},
            makeup_workdays={date(2027, 2, 6): "春节"},
            known_years=[2027],
        )
    with pytest.raises(ValueError, match="本来就是工作日"):
        WorkdayCalendar(days_off={}, makeup_workdays={date(2027, 2, 8): "春节"}, known_years=[2027])


def test_result_beyond_year_9999_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="超出可表示的日期范围"):
        CALENDAR.add_workdays(date(9999, 12, 1), 100)
    with pytest.raises(ValueError, match="超出可表示的日期范围"):
        CALENDAR.add_workdays(date(1, 1, 3), -5)


# ---- import format --------------------------------------------------------------------------------------

NOTICE_2027 = """\ufeff# 国务院办公厅关于2027年部分节假日安排的通知（示例数据）
日期,类型,名称
元旦,2027-01-01,2027-01-03
春节,2027/2/6,2027/2/13
2027年2月20日,班,春节
2027.2.21,班
２０２７年４月５日，休，清明节
"""


def test_parse_holiday_notice() -> None:
    rows = parse_holiday_notice(NOTICE_2027)
    assert len(rows) == 3 + 8 + 2 + 1
    assert rows[0] == CalendarRow(date(2027, 1, 1), DayKind.DAY_OFF, "元旦")
    assert CalendarRow(date(2027, 2, 13), DayKind.DAY_OFF, "春节") in rows
    assert CalendarRow(date(2027, 2, 20), DayKind.MAKEUP_WORKDAY, "春节") in rows
    assert CalendarRow(date(2027, 2, 21), DayKind.MAKEUP_WORKDAY, "调休上班") in rows
    assert rows[-1] == CalendarRow(date(2027, 4, 5), DayKind.DAY_OFF, "清明节")
    assert [row.date for row in rows] == sorted(row.date for row in rows)
    assert notice_year(rows) == 2027


def test_parse_holiday_notice_reports_every_error_with_its_line() -> None:
    text = "\n".join(
        [
            "2027-01-01,休,元旦",  # 1 ok
            "2027-13-01,休,元旦",  # 2 bad date
            "2027-02-06,放假了,春节",  # 3 bad kind
            "春节,2027-02-13,2027-02-06",  # 4 reversed range
            "2027-02-08,班,春节",  # 5 a Monday cannot be a make-up day
            "2027-01-01,休,元旦",  # 6 duplicate of line 1
            "国庆节,2027-10-01",  # 7 range line without an end
            "暑假,2027-07-01,2027-08-31",  # 8 too long
        ]
    )
    with pytest.raises(HolidayNoticeError) as caught:
        parse_holiday_notice(text)
    errors = caught.value.errors
    assert [error.split("：", 1)[0] for error in errors] == [f"第{n}行" for n in range(2, 9)]
    assert "不存在" in errors[0]
    assert "“放假了”无效" in errors[1]
    assert "早于" in errors[2]
    assert "本来就是工作日" in errors[3]
    assert "与第1行重复" in errors[4]
    assert "超过31天" in errors[6]


def test_parse_holiday_notice_rejects_empty_text() -> None:
    with pytest.raises(HolidayNoticeError, match="没有找到任何日期"):
        parse_holiday_notice("# only a comment\n\n日期,类型,名称\n")


# ---- properties -----------------------------------------------------------------------------------------

# Dates around the known range, so spans cross known and unknown years alike.
any_day = st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=400)


def naive_add(start: date, count: int) -> date:
    """Step one day at a time: slow, obviously right."""
    step = timedelta(days=1 if count > 0 else -1)
    day, remaining = start, abs(count)
    while remaining:
        day += step
        if CALENDAR.is_workday(day):
            remaining -= 1
    return day


@given(any_day, counts)
def test_add_then_between_is_identity(start: date, count: int) -> None:
    assert CALENDAR.workdays_between(start, CALENDAR.add_workdays(start, count).date) == count


@given(any_day, st.integers(min_value=1, max_value=400))
def test_add_matches_day_by_day_stepping(start: date, count: int) -> None:
    assert CALENDAR.add_workdays(start, count).date == naive_add(start, count)
    assert CALENDAR.add_workdays(start, -count).date == naive_add(start, -count)


@given(any_day, st.integers(min_value=1, max_value=400))
def test_result_is_always_a_workday_and_monotonic(start: date, count: int) -> None:
    result = CALENDAR.add_workdays(start, count).date
    assert CALENDAR.is_workday(result)
    assert CALENDAR.add_workdays(start, count - 1).date < result
    assert CALENDAR.is_workday(CALENDAR.add_workdays(start, -count).date)


@given(any_day, st.integers(min_value=1, max_value=400))
def test_before_and_after_undo_each_other_from_a_workday(start: date, count: int) -> None:
    deadline = CALENDAR.roll_to_workday(start).date
    reminder = CALENDAR.add_workdays(deadline, -count).date
    assert CALENDAR.workdays_between(deadline, reminder) == -count
    assert CALENDAR.add_workdays(reminder, count).date == deadline


@given(any_day, any_day)
def test_between_matches_counting(first: date, second: date) -> None:
    low, high = sorted((first, second))
    if (high - low).days > 800:
        high = low + timedelta(days=800)
    expected = sum(CALENDAR.is_workday(day) for day in days(low + timedelta(days=1), high))
    assert CALENDAR.workdays_between(low, high) == expected


@example(date(2003, 12, 31), 1)
@given(any_day, counts)
def test_provisional_exactly_when_an_unknown_notice_matters(start: date, count: int) -> None:
    result = CALENDAR.add_workdays(start, count)
    # counting starts the day after ``start``: the start day's own year does not matter (2003-12-31 + 1 is exact)
    span_years = set(range((start + timedelta(days=1)).year, result.date.year + 1)) if count else set()
    touches_unknown = any(year not in CALENDAR.known_years for year in span_years)
    if touches_unknown:
        assert result.provisional and result.reason
    if not result.provisional:
        assert result.reason is None
