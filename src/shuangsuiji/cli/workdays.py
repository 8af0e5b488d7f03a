"""`ssj workdays`: working-day arithmetic from the command line.

The calendar is the application's (the database's: years and single days added by administrators), so the CLI
and the deadlines shown in the app always agree. Without a migrated database (a fresh checkout, a laptop) it
uses the built-in data of the ``chinesecalendar`` package; ``--builtin`` forces that.

Counting rule: "N个工作日内" starts the day after the start date (民法典第201条), so `add D N` prints the N-th
working day after D and `between A B` counts the working days after A up to and including B.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from shuangsuiji.core.dates import DateParseError, format_cn_date_with_weekday, parse_date
from shuangsuiji.core.workdays import (
    DeadlineResult,
    HolidayNoticeError,
    WorkdayCalendar,
    default_calendar,
    notice_year,
    parse_holiday_notice,
)

app = typer.Typer(no_args_is_help=True, help="工作日计算（法定节假日与调休；有数据库时用系统日历，否则用内置数据）")

CalendarOption = Annotated[
    Path | None,
    typer.Option(
        "--calendar",
        help="补充某一年的放假安排（导入格式的 CSV 文件，见 docs/workdays.md），覆盖内置数据中的同一年份",
        dir_okay=False,
    ),
]
BuiltinOption = Annotated[
    bool, typer.Option("--builtin", help="不读系统数据库中的日历，只用内置的节假日数据（chinesecalendar）"),
]
DateArgument = Annotated[
    str,
    typer.Argument(
        metavar="日期", help="日期，如 2026-11-25、2026/11/25、2026年11月25日", show_default=False
    ),
]
# Taken as text so that "-3" and "abc" get a Chinese error instead of click's English one.
CountArgument = Annotated[str, typer.Argument(metavar="N", help="工作日数（正整数）", show_default=False)]
# Lets a negative count through to our own check instead of being read as an unknown option.
_COUNT_COMMAND_SETTINGS = {"ignore_unknown_options": True}

_USAGE_ERROR_EXIT_CODE = 2


@app.command("add", context_settings=_COUNT_COMMAND_SETTINGS)
def add(start: DateArgument, count: CountArgument, calendar_file: CalendarOption = None, builtin: BuiltinOption = False) -> None:
    """期限届满日：起算日次日起第 N 个工作日（如 ssj workdays add 2026-11-25 20）。"""
    calendar = _load_calendar(calendar_file, builtin=builtin)
    workdays = _positive_count(count, hint="计算“N个工作日之前”请用 ssj workdays before")
    origin = _parse(start, "起算日期")
    _print_deadline(_compute(lambda: calendar.add_workdays(origin, workdays)))


@app.command("before", context_settings=_COUNT_COMMAND_SETTINGS)
def before(end: DateArgument, count: CountArgument, calendar_file: CalendarOption = None, builtin: BuiltinOption = False) -> None:
    """某日之前第 N 个工作日（如提醒日期：期限前 3 个工作日）。"""
    calendar = _load_calendar(calendar_file, builtin=builtin)
    workdays = _positive_count(count, hint="计算期限届满日请用 ssj workdays add")
    deadline = _parse(end, "日期")
    _print_deadline(_compute(lambda: calendar.add_workdays(deadline, -workdays)))


@app.command("between")
def between(start: DateArgument, end: DateArgument, calendar_file: CalendarOption = None, builtin: BuiltinOption = False) -> None:
    """两日之间的工作日数：不含起始日、含结束日（结束日早于起始日时为负数）。"""
    calendar = _load_calendar(calendar_file, builtin=builtin)
    first, last = _parse(start, "起始日期"), _parse(end, "结束日期")
    count = calendar.workdays_between(first, last)
    reason = calendar.provisional_reason(first, last)
    typer.echo(f"{count}（暂定）" if reason else str(count))
    if reason:
        typer.echo(f"原因：{reason}")


@app.command("is-workday")
def is_workday(day: DateArgument, calendar_file: CalendarOption = None, builtin: BuiltinOption = False) -> None:
    """判断某日是否为工作日（考虑法定节假日与调休上班）。"""
    calendar = _load_calendar(calendar_file, builtin=builtin)
    parsed = _parse(day, "日期")
    info = calendar.day_info(parsed)
    suffix = "（暂定）" if info.provisional else ""
    typer.echo(f"{format_cn_date_with_weekday(parsed)}：{info.label}{suffix}")
    if info.reason:
        typer.echo(f"原因：{info.reason}")


@app.command("roll")
def roll(day: DateArgument, calendar_file: CalendarOption = None, builtin: BuiltinOption = False) -> None:
    """固定日期的期限（如 1月31日）遇休息日顺延至下一个工作日（民法典第203条）。"""
    calendar = _load_calendar(calendar_file, builtin=builtin)
    _print_deadline(calendar.roll_to_workday(_parse(day, "日期")))


def _database_calendar() -> WorkdayCalendar | None:
    """The application's calendar, or None where there is no migrated database to read (never creates one)."""
    try:
        from shuangsuiji.cli.app_commands import setup_django

        setup_django()
        from django.db import DatabaseError, connection

        name = str(connection.settings_dict["NAME"])
        in_memory = ":memory:" in name or "mode=memory" in name
        if connection.vendor == "sqlite" and not in_memory and not Path(name).exists():
            return None  # no database yet: connecting would create an empty file
        from shuangsuiji.deadlines.calendar import get_calendar

        calendar = get_calendar()
    except (DatabaseError, ImportError, RuntimeError):
        return None
    return calendar if calendar.known_years else None


def _load_calendar(calendar_file: Path | None, *, builtin: bool = False) -> WorkdayCalendar:
    calendar = (None if builtin else _database_calendar()) or default_calendar()
    if calendar_file is None:
        return calendar
    try:
        text = calendar_file.read_text(encoding="utf-8-sig")
    except OSError as error:
        _fail(f"无法读取放假安排文件 {calendar_file}：{error.strerror or error}")
    except UnicodeDecodeError:
        _fail(f"放假安排文件 {calendar_file} 不是 UTF-8 编码，请另存为 UTF-8 后重试")
    try:
        rows = parse_holiday_notice(text)
    except HolidayNoticeError as error:
        _fail(f"放假安排文件 {calendar_file} 有误：\n" + "\n".join(error.errors))
    try:
        return calendar.with_year(notice_year(rows), rows)
    except ValueError as error:
        _fail(f"放假安排文件 {calendar_file} 有误：{error}")


def _parse(text: str, what: str) -> date:
    try:
        return parse_date(text)
    except DateParseError as error:
        _fail(f"{what}有误：{error}")


def _positive_count(text: str, *, hint: str) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        _fail(f"工作日数必须是正整数，收到“{text}”")
    if count < 1:
        _fail(f"工作日数必须是正整数，收到 {count}。{hint}")
    return count


def _compute(compute: Callable[[], DeadlineResult]) -> DeadlineResult:
    try:
        return compute()
    except ValueError as error:  # only a result beyond 9999年 gets here
        _fail(str(error))


def _print_deadline(result: DeadlineResult) -> None:
    shown = format_cn_date_with_weekday(result.date)
    typer.echo(f"{shown}（暂定）" if result.provisional else shown)
    if result.reason:
        typer.echo(f"原因：{result.reason}")


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code=_USAGE_ERROR_EXIT_CODE)
