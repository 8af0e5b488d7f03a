"""Working-day calendar of mainland China and statutory deadline arithmetic.

Rules implemented (see docs/workdays.md):

* A day is a **working day** if it is Monday–Friday and not an official day off, or if it is a 调休 make-up
  working day (a weekend day the State Council's yearly notice turns into a working day).
* "Within N working days from D" starts counting on the day after D (民法典 art. 201: the start day is not
  counted; 行政处罚法 art. 85: short time limits are working days). So ``add_workdays(D, N)`` is the N-th
  working day strictly after D, and ``workdays_between(a, b)`` counts the working days in ``(a, b]``.
* A deadline that is a fixed calendar date (1月31日) and falls on a day off moves to the next working day
  (民法典 art. 203): ``roll_to_workday``.
* Years whose official notice is not known are computed with weekends only and flagged **provisional**, with
  a Chinese reason — never an exception and never a silent guess.

Everything is pure Python and immutable; the database-backed calendar builds one with ``from_rows``.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from shuangsuiji.core.dates import format_cn_date, parse_date

# A New Year holiday can reach back into the last days of the previous year (2011年12月31日 and 2018年12月29日
# were make-up working days, 2018年12月30日–31日 days off, all set by the *next* year's notice). Those days are
# therefore only settled once the next year is known.
_NEW_YEAR_SPILLOVER_MONTH_DAY = (12, 29)

# Longest holiday block a range line may describe; longer is almost certainly a typing error.
_MAX_RANGE_DAYS = 31

_DAY_OFF_WORDS = frozenset({"休", "放假", "休息"})
_MAKEUP_WORDS = frozenset({"班", "上班"})
_HEADER_WORDS = frozenset({"日期", "date", "名称", "name"})
_DEFAULT_DAY_OFF_NAME = "法定节假日"
_DEFAULT_MAKEUP_NAME = "调休上班"


class DayKind(StrEnum):
    """Kind of an entry of the official holiday notice, as written in the import format."""

    DAY_OFF = "休"
    MAKEUP_WORKDAY = "班"


@dataclass(frozen=True)
class CalendarRow:
    """One day of the official notice: a day off or a 调休 make-up working day, with its holiday name."""

    date: date
    kind: DayKind
    name: str


@dataclass(frozen=True)
class DeadlineResult:
    """A computed date; ``provisional`` when it depends on a year whose official notice is not known."""

    date: date
    provisional: bool
    reason: str | None


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day, in words fit for display."""

    date: date
    is_workday: bool
    label: str  # 工作日 / 休息日（周末） / 休息日（国庆节） / 工作日（国庆节调休上班）
    provisional: bool
    reason: str | None


class HolidayNoticeError(ValueError):
    """The holiday-notice text has errors; ``errors`` lists them in Chinese, each with its line number."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class WorkdayCalendar:
    """Immutable working-day calendar built from explicit data.

    ``days_off``: official days off (including the weekend days inside a holiday block) → holiday name.
    ``makeup_workdays``: 调休 weekend days that are working days → name of the holiday they belong to.
    ``known_years``: years whose official notice is included; other years count weekends only (provisional).
    """

    def __init__(
        self,
        *,
        days_off: Mapping[date, str],
        makeup_workdays: Mapping[date, str],
        known_years: Iterable[int],
    ) -> None:
        both = days_off.keys() & makeup_workdays.keys()
        if both:
            raise ValueError(f"{format_cn_date(min(both))}不能既是放假日又是调休上班日")
        weekday_makeups = sorted(day for day in makeup_workdays if day.weekday() < 5)
        if weekday_makeups:
            raise ValueError(
                f"{format_cn_date(weekday_makeups[0])}是周一至周五，本来就是工作日，不能登记为调休上班日"
            )
        self._days_off: Mapping[date, str] = MappingProxyType(dict(days_off))
        self._makeup_workdays: Mapping[date, str] = MappingProxyType(dict(makeup_workdays))
        self._known_years = frozenset(known_years)
        # Only days off that fall Monday–Friday change the count; weekend days off are off anyway.
        self._weekday_off_ordinals = sorted(day.toordinal() for day in days_off if day.weekday() < 5)
        self._makeup_ordinals = sorted(day.toordinal() for day in makeup_workdays)

    # ---- construction -------------------------------------------------------------------------------

    @classmethod
    def from_chinese_calendar(cls) -> WorkdayCalendar:
        """Calendar seeded from the ``chinesecalendar`` package (every year from its first to its last)."""
        import chinese_calendar

        def chinese_name(english: str) -> str:
            return str(chinese_calendar.Holiday(english).chinese)

        days_off = {day: chinese_name(name) for day, name in chinese_calendar.holidays.items()}
        makeups = {day: chinese_name(name) for day, name in chinese_calendar.workdays.items()}
        years = [day.year for day in days_off]
        return cls(days_off=days_off, makeup_workdays=makeups, known_years=range(min(years), max(years) + 1))

    @classmethod
    def from_rows(cls, rows: Iterable[CalendarRow], *, known_years: Iterable[int]) -> WorkdayCalendar:
        """Calendar from notice rows (the import format, or the database table later)."""
        days_off: dict[date, str] = {}
        makeups: dict[date, str] = {}
        for row in rows:
            target = days_off if row.kind is DayKind.DAY_OFF else makeups
            target[row.date] = row.name
        return cls(days_off=days_off, makeup_workdays=makeups, known_years=known_years)

    def merged(self, other: WorkdayCalendar) -> WorkdayCalendar:
        """A new calendar where ``other`` replaces this one for every year ``other`` knows.

        A year's notice is authoritative as a whole, so this calendar's entries in those years are dropped
        first; ``other``'s entries outside its years (a New Year make-up day in late December) are added too.
        """
        replaced = other.known_years

        def kept(entries: Mapping[date, str]) -> dict[date, str]:
            return {
                day: name
                for day, name in entries.items()
                if day.year not in replaced
                and day not in other._days_off
                and day not in other._makeup_workdays
            }

        return WorkdayCalendar(
            days_off={**kept(self._days_off), **other._days_off},
            makeup_workdays={**kept(self._makeup_workdays), **other._makeup_workdays},
            known_years=self._known_years | replaced,
        )

    def with_year(self, year: int, rows: Iterable[CalendarRow]) -> WorkdayCalendar:
        """A new calendar with ``year``'s official notice (``rows``) added or replaced."""
        return self.merged(WorkdayCalendar.from_rows(rows, known_years=[year]))

    # ---- inspection ---------------------------------------------------------------------------------

    @property
    def known_years(self) -> frozenset[int]:
        return self._known_years

    @property
    def days_off(self) -> Mapping[date, str]:
        return self._days_off

    @property
    def makeup_workdays(self) -> Mapping[date, str]:
        return self._makeup_workdays

    def rows(self) -> list[CalendarRow]:
        """All entries as notice rows, sorted by date (to seed the database table)."""
        entries = [CalendarRow(day, DayKind.DAY_OFF, name) for day, name in self._days_off.items()]
        entries += [
            CalendarRow(day, DayKind.MAKEUP_WORKDAY, name) for day, name in self._makeup_workdays.items()
        ]
        return sorted(entries, key=lambda row: row.date)

    def is_known_year(self, year: int) -> bool:
        return year in self._known_years

    # ---- single days --------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Working day by the calendar's rule; for unknown years weekends only (see ``day_info``)."""
        if day in self._makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self._days_off

    def day_info(self, day: date) -> DayInfo:
        """Whether ``day`` is a working day, why, and whether that is provisional."""
        if day in self._makeup_workdays:
            label = f"工作日（{self._makeup_workdays[day]}调休上班）"
        elif day in self._days_off:
            label = f"休息日（{self._days_off[day]}）"
        elif day.weekday() >= 5:
            label = "休息日（周末）"
        else:
            label = "工作日"
        reason = self.provisional_reason(day, day)
        return DayInfo(day, self.is_workday(day), label, reason is not None, reason)

    # ---- spans and deadlines ------------------------------------------------------------------------

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: ``start`` excluded, ``end`` included; negative if ``end < start``.

        Consistent with ``add_workdays``: ``workdays_between(D, add_workdays(D, N).date) == N`` for N ≥ 0,
        and for N < 0 when D is a working day. Use ``provisional_reason`` to know if the count is exact.
        """
        return self._index(end.toordinal()) - self._index(start.toordinal())

    def add_workdays(self, start: date, count: int) -> DeadlineResult:
        """The ``count``-th working day strictly after ``start`` (strictly before it if ``count`` < 0).

        ``add_workdays(D, 20)`` is the last day of "within 20 working days from D"; ``add_workdays(D, -3)``
        is the date 3 working days before D (reminders). ``count == 0`` returns ``start`` unchanged.
        """
        if count == 0:
            return DeadlineResult(start, False, None)
        origin = start.toordinal()
        if count > 0:
            result = date.fromordinal(self._nth_workday_after(origin, count))
            first, last = start + timedelta(days=1), result
        else:
            result = date.fromordinal(self._nth_workday_before(origin, -count))
            first, last = result, start - timedelta(days=1)
        return self._deadline(result, first, last)

    def next_workday(self, day: date) -> DeadlineResult:
        """The first working day strictly after ``day``."""
        return self.add_workdays(day, 1)

    def roll_to_workday(self, day: date) -> DeadlineResult:
        """``day`` itself if it is a working day, else the next working day.

        For deadlines fixed to a calendar date (年度计划 by 1月31日): 民法典 art. 203 — if the last day of a
        period is a statutory day off, the period ends on the first day after the day off.
        """
        if self.is_workday(day):
            return self._deadline(day, day, day)
        rolled = self.add_workdays(day, 1).date
        return self._deadline(rolled, day, rolled)

    def provisional_reason(self, first: date, last: date) -> str | None:
        """Why results depending on the days ``first``..``last`` (inclusive) are provisional, or ``None``."""
        if last < first:
            first, last = last, first
        missing: set[int] = set()
        spillover_only: set[int] = set()
        for year in range(first.year, last.year + 1):
            if year not in self._known_years:
                missing.add(year)
            spillover_start = date(year, *_NEW_YEAR_SPILLOVER_MONTH_DAY)
            if last >= spillover_start and year + 1 not in self._known_years:
                missing.add(year + 1)
                if year + 1 > last.year:
                    spillover_only.add(year + 1)
        if not missing:
            return None
        reason = f"{_format_years(sorted(missing))}法定节假日安排尚未录入，按仅排除周末暂定"
        if spillover_only:
            reason += "（元旦放假调休可能调整上一年12月29日至31日）"
        return reason

    # ---- internals ----------------------------------------------------------------------------------

    def _deadline(self, result: date, first: date, last: date) -> DeadlineResult:
        reason = self.provisional_reason(first, last)
        return DeadlineResult(result, reason is not None, reason)

    def _index(self, ordinal: int) -> int:
        """Number of working days from the proleptic epoch up to and including ``ordinal``.

        Ordinal 1 (0001-01-01) is a Monday, so Monday–Friday days up to ``ordinal`` have a closed form; the
        notice's exceptions are then counted with two bisections.
        """
        weeks, rest = divmod(ordinal, 7)
        plain_weekdays = weeks * 5 + min(rest, 5)
        return (
            plain_weekdays
            - bisect_right(self._weekday_off_ordinals, ordinal)
            + bisect_right(self._makeup_ordinals, ordinal)
        )

    def _nth_workday_after(self, origin: int, count: int) -> int:
        target = self._index(origin) + count
        low, step = origin, count * 7 // 5 + 16
        high = origin + step
        while self._index(high) < target:  # only a pathological calendar needs more than one round
            low, step = high, step * 2
            high = origin + step
            self._check_range(high)
        return self._first_reaching(target, low, high)

    def _nth_workday_before(self, origin: int, count: int) -> int:
        high = origin - 1
        target = self._index(high) - count + 1
        step = count * 7 // 5 + 16
        low = high - step
        while low > 0 and self._index(low) >= target:
            high, step = low, step * 2
            low = origin - 1 - step
        low = max(low, 0)
        if self._index(low) >= target:
            raise ValueError("计算结果超出可表示的日期范围")
        return self._first_reaching(target, low, high)

    def _first_reaching(self, target: int, low: int, high: int) -> int:
        """Smallest ordinal in ``(low, high]`` whose index reaches ``target``; it is then a working day."""
        self._check_range(high)
        while high - low > 1:
            middle = (low + high) // 2
            if self._index(middle) >= target:
                high = middle
            else:
                low = middle
        return high

    @staticmethod
    def _check_range(ordinal: int) -> None:
        if ordinal > date.max.toordinal():
            raise ValueError("计算结果超出可表示的日期范围")


@functools.cache
def default_calendar() -> WorkdayCalendar:
    """The calendar of the ``chinesecalendar`` package, built once per process."""
    return WorkdayCalendar.from_chinese_calendar()


def _format_years(years: list[int]) -> str:
    """[2027] → 2027年; [2027, 2028] → 2027年、2028年; runs of three or more → 2027年至2030年."""
    runs: list[list[int]] = []
    for year in years:
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}年至{run[-1]}年")
        else:
            parts.extend(f"{year}年" for year in run)
    return "、".join(parts)


# ---- import of the State Council's yearly notice ------------------------------------------------------


def parse_holiday_notice(text: str) -> list[CalendarRow]:
    """Parse the holiday-notice import format (UTF-8 text, comma-separated; see docs/workdays.md).

    Each non-blank line that does not start with ``#`` is one of:

    * ``日期,类型[,名称]`` — one day; 类型 is ``休`` (day off, also 放假/休息) or ``班`` (调休 working day,
      also 上班). 名称 defaults to 法定节假日 / 调休上班.
    * ``名称,起始日期,结束日期`` — a block of days off, both ends included (at most 31 days).

    An optional header line (first cell 日期 or 名称) is skipped. Dates may be written 2027-01-01, 2027/1/1,
    2027.1.1 or 2027年1月1日. Full-width characters (，２０２７) are accepted. All errors are collected and
    raised together as :class:`HolidayNoticeError`, each prefixed with 第N行.
    """
    rows: list[CalendarRow] = []
    first_line_of: dict[date, int] = {}
    errors: list[str] = []
    seen_data = False
    for line_number, raw_line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw_line).strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in next(csv.reader([line]))]
        if not seen_data and fields[0].lower() in _HEADER_WORDS:
            seen_data = True
            continue
        seen_data = True
        try:
            parsed = _parse_notice_line(fields)
        except ValueError as error:
            errors.append(f"第{line_number}行：{error}")
            continue
        for row in parsed:
            if row.date in first_line_of:
                errors.append(
                    f"第{line_number}行：{format_cn_date(row.date)}与第{first_line_of[row.date]}行重复"
                )
                continue
            first_line_of[row.date] = line_number
            rows.append(row)
    if not rows and not errors:
        errors.append("没有找到任何日期")
    if errors:
        raise HolidayNoticeError(errors)
    return sorted(rows, key=lambda row: row.date)


def _parse_notice_line(fields: list[str]) -> list[CalendarRow]:
    # Holiday names never start with a digit, dates always do (after NFKC): this tells the two line kinds
    # apart, so that a malformed date is reported as such instead of as a malformed range.
    if not fields[0][:1].isdigit():
        return _parse_range_line(fields)
    day = parse_date(fields[0])
    if len(fields) not in (2, 3):
        raise ValueError("单日行应为“日期,类型,名称”（名称可省略）")
    kind_text = fields[1]
    name = fields[2] if len(fields) == 3 else ""
    if kind_text in _DAY_OFF_WORDS:
        return [CalendarRow(day, DayKind.DAY_OFF, name or _DEFAULT_DAY_OFF_NAME)]
    if kind_text in _MAKEUP_WORDS:
        if day.weekday() < 5:
            raise ValueError(f"{format_cn_date(day)}是周一至周五，本来就是工作日，不能登记为调休上班")
        return [CalendarRow(day, DayKind.MAKEUP_WORKDAY, name or _DEFAULT_MAKEUP_NAME)]
    raise ValueError(f"类型“{kind_text}”无效，应为“休”或“班”")


def _parse_range_line(fields: list[str]) -> list[CalendarRow]:
    if len(fields) != 3:
        raise ValueError("无法识别：应为“日期,类型,名称”或“名称,起始日期,结束日期”")
    name, start_text, end_text = fields
    if not name:
        raise ValueError("放假区间缺少名称")
    start, end = parse_date(start_text), parse_date(end_text)
    if end < start:
        raise ValueError(f"结束日期{format_cn_date(end)}早于起始日期{format_cn_date(start)}")
    length = (end - start).days + 1
    if length > _MAX_RANGE_DAYS:
        raise ValueError(f"放假区间共{length}天，超过{_MAX_RANGE_DAYS}天，请检查日期")
    return [CalendarRow(start + timedelta(days=offset), DayKind.DAY_OFF, name) for offset in range(length)]


def notice_year(rows: Iterable[CalendarRow]) -> int:
    """The year a notice is about: the latest year of its days off.

    A notice may reach back into late December of the previous year for New Year (the 2019 notice starts
    with 2018年12月30日), never forward into the next year.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("没有找到任何日期，无法确定年份")
    days_off = [row for row in rows if row.kind is DayKind.DAY_OFF]
    return max(row.date.year for row in days_off or rows)
