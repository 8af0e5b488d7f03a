"""`ssj workdays`: output format, provisional flag, --calendar import and Chinese errors."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shuangsuiji.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["workdays", *args])
    return result.exit_code, result.stdout, result.stderr


def test_add_prints_the_deadline_chinese_style() -> None:
    assert run("add", "2026-11-25", "20") == (0, "2026年12月23日（星期三）\n", "")


def test_add_accepts_other_date_spellings() -> None:
    assert run("add", "2026年11月25日", "20")[1] == "2026年12月23日（星期三）\n"
    assert run("add", "2026.11.25", "20")[1] == "2026年12月23日（星期三）\n"


def test_add_across_national_day() -> None:
    # 2024年9月27日（五）: 29日（日，上班）, 30日, then 10月8日（二）.
    assert run("add", "2024-09-27", "3")[1] == "2024年10月8日（星期二）\n"


def test_add_beyond_the_known_calendar_is_flagged() -> None:
    code, out, _ = run("add", "2026-12-20", "20")
    assert code == 0
    assert out == "2027年1月15日（星期五）（暂定）\n原因：2027年法定节假日安排尚未录入，按仅排除周末暂定\n"


def test_calendar_file_adds_a_year(tmp_path: Path) -> None:
    notice = tmp_path / "2027.csv"
    notice.write_text("日期,类型,名称\n元旦,2027-01-01,2027-01-03\n", encoding="utf-8-sig")
    code, out, _ = run("add", "2026-12-20", "20", "--calendar", str(notice))
    assert (code, out) == (0, "2027年1月18日（星期一）\n")


def test_calendar_file_errors_are_reported_with_lines(tmp_path: Path) -> None:
    notice = tmp_path / "bad.csv"
    notice.write_text("2027-01-01,休,元旦\n2027-02-30,休,春节\n", encoding="utf-8")
    code, out, err = run("add", "2026-12-20", "20", "--calendar", str(notice))
    assert code == 2 and out == ""
    assert "第2行" in err and "不存在" in err


def test_missing_calendar_file(tmp_path: Path) -> None:
    code, _, err = run("add", "2026-12-20", "20", "--calendar", str(tmp_path / "none.csv"))
    assert code == 2 and "无法读取放假安排文件" in err


def test_before_counts_backwards() -> None:
    # Before 2026年10月12日（一）: 10日（六，上班）, 9日, 8日.
    assert run("before", "2026-10-12", "3")[1] == "2026年10月8日（星期四）\n"


def test_between_prints_the_count() -> None:
    assert run("between", "2024-02-08", "2024-02-19") == (0, "3\n", "")
    assert run("between", "2024-02-19", "2024-02-08")[1] == "-3\n"
    code, out, _ = run("between", "2026-12-01", "2027-01-05")
    assert code == 0 and out.startswith("25（暂定）\n原因：2027年")


def test_is_workday() -> None:
    assert run("is-workday", "2026-10-10")[1] == "2026年10月10日（星期六）：工作日（国庆节调休上班）\n"
    assert run("is-workday", "2026-10-01")[1] == "2026年10月1日（星期四）：休息日（国庆节）\n"
    assert run("is-workday", "2026-11-25")[1] == "2026年11月25日（星期三）：工作日\n"
    out = run("is-workday", "2027-10-01")[1]
    assert out.startswith("2027年10月1日（星期五）：工作日（暂定）\n原因：")


def test_roll() -> None:
    assert run("roll", "2026-01-31")[1] == "2026年2月2日（星期一）\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-13-01", "3"), "起算日期有误"),
        (("add", "明天", "3"), "无法识别的日期"),
        (("add", "2026-11-25", "0"), "必须是正整数"),
        (("add", "2026-11-25", "-3"), "ssj workdays before"),
        (("add", "2026-11-25", "二十"), "必须是正整数"),
        (("before", "2026-11-25", "-1"), "必须是正整数"),
        (("between", "2026-11-25", "2026/2/30"), "结束日期有误"),
        (("is-workday", "x"), "日期有误"),
        (("add", "9999-12-01", "100"), "超出可表示的日期范围"),
    ],
)
def test_bad_input_gives_a_chinese_error_and_non_zero_exit(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("错误：") and message in err


@pytest.mark.django_db
def test_uses_the_application_calendar_from_the_database() -> None:
    """An administrator's correction in the app is what `ssj workdays` counts with (unless --builtin)."""
    import datetime

    from shuangsuiji.deadlines.calendar import clear_cache
    from shuangsuiji.deadlines.models import CalendarDay, CalendarDayKind, CalendarRevision

    CalendarDay.objects.create(date=datetime.date(2026, 12, 21), kind=CalendarDayKind.DAY_OFF, year=2026,
                               name="测试假日")
    CalendarRevision.bump()
    clear_cache()
    assert run("add", "2026-12-18", "1")[1] == "2026年12月22日（星期二）\n"  # 12月21日 is off in the database
    assert run("add", "2026-12-18", "1", "--builtin")[1] == "2026年12月21日（星期一）\n"
