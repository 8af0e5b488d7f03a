"""`ssj deadlines …` and `ssj workdays seed`: the reminder chain and the calendar table (need the database)."""

from __future__ import annotations

from typing import Annotated

import typer

from shuangsuiji.cli.app_commands import setup_django

app = typer.Typer(no_args_is_help=True, help="法定期限：提醒、督办、问责（使用应用数据库）")

DateOption = Annotated[str, typer.Option("--date", help="按指定日期运行（默认今天），如 2026-11-25")]


def _parse_date_option(text: str) -> object:
    from shuangsuiji.core.dates import DateParseError, parse_date

    if not text:
        return None
    try:
        return parse_date(text)
    except DateParseError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(code=2) from None


@app.command("scan")
def scan(date: DateOption = "") -> None:
    """立即检查全部未完成期限：临近提醒、逾期督办、问责（可重复运行，不会重复发送）。"""
    setup_django()
    from shuangsuiji.deadlines.reminders import deadlines_scan

    today = _parse_date_option(date)
    typer.echo(deadlines_scan(today=today).summary())  # type: ignore[arg-type]


@app.command("recompute")
def recompute(year: Annotated[int, typer.Option("--year", help="放假安排有变化的年份")]) -> None:
    """按数据库中的工作日历重新计算某一年相关的未完成期限。"""
    setup_django()
    from shuangsuiji.deadlines.services import deadline_recompute_for_year

    typer.echo(f"重新计算后日期有变化的期限：{deadline_recompute_for_year(year=year)} 项")


@app.command("status")
def status(date: DateOption = "") -> None:
    """各单位期限状态统计（未到期 / 临近 / 逾期 / 已完成）。"""
    setup_django()
    from shuangsuiji.deadlines.selectors import deadline_counts_for_owners

    rows = deadline_counts_for_owners(owner_ids=None, today=_parse_date_option(date))  # type: ignore[arg-type]
    if not rows:
        typer.echo("暂无期限")
        return
    typer.echo("单位\t未到期\t临近\t逾期\t已完成\t逾期完成")
    for row in rows:
        typer.echo(
            f"{row['organization'].name}\t{row['pending']}\t{row['near']}\t{row['overdue']}\t"
            f"{row['completed']}\t{row['completed_late']}"
        )


def register_workdays_commands(workdays_app: typer.Typer) -> None:
    @workdays_app.command("seed")
    def seed() -> None:
        """把 chinesecalendar 软件包中数据库尚无的年份写入工作日历表（可重复运行；已有年份不改动）。"""
        setup_django()
        from shuangsuiji.deadlines.calendar_services import calendar_seed
        from shuangsuiji.deadlines.models import CalendarYear

        added = calendar_seed()
        years = sorted(CalendarYear.objects.values_list("year", flat=True))
        if added:
            typer.echo(f"已写入 {len(added)} 个年份：{added[0]}年至{added[-1]}年")
        else:
            typer.echo("没有需要写入的年份")
        if years:
            typer.echo(f"数据库已录入放假安排的年份：{years[0]}年至{years[-1]}年（共 {len(years)} 年）")
