"""The database calendar: seeded table, arithmetic through it, admin overrides, notice import, cache."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.workdays import default_calendar
from shuangsuiji.deadlines import calendar_services
from shuangsuiji.deadlines.calendar import build_calendar, get_calendar
from shuangsuiji.deadlines.models import CalendarDay, CalendarDayKind, CalendarSource, CalendarYear, Deadline
from tests.conftest import World, mark_otp_verified
from tests.deadlines.factories import result_entry

D = datetime.date

NOTICE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（测试用，非真实安排）
日期,类型,名称
元旦,2027-01-01,2027-01-03
春节,2027-02-06,2027-02-13
2027-02-14,班,春节
2027-02-20,班,春节
国庆节,2027-10-01,2027-10-07
2027-09-26,班,国庆节
2027-10-09,班,国庆节
"""


def test_migration_seeds_every_package_year(db: Any) -> None:
    package = default_calendar()
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert years == set(package.known_years)
    assert CalendarDay.objects.count() == len(package.rows())
    # a late-December 元旦 day belongs to the next year's notice
    assert CalendarDay.objects.get(date=D(2018, 12, 30)).year == 2019


def test_db_calendar_equals_package_calendar(db: Any) -> None:
    db_calendar, package = get_calendar(), default_calendar()
    assert db_calendar.known_years == package.known_years
    assert dict(db_calendar.days_off) == dict(package.days_off)
    assert dict(db_calendar.makeup_workdays) == dict(package.makeup_workdays)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2024, 2, 8), 3, D(2024, 2, 19)),  # Spring Festival 2024, with the 调休 Sunday 2月18日
        (D(2026, 9, 30), 10, D(2026, 10, 20)),  # National Day 2026 with 调休 Saturday 10月10日
        (D(2025, 12, 30), 2, D(2026, 1, 4)),  # across New Year: 1月1日–3日 off, Sunday 1月4日 调休上班
        (D(2025, 10, 3), 1, D(2025, 10, 9)),  # start on a holiday: counting starts on the next working day
    ],
)
def test_arithmetic_through_db_calendar(db: Any, start: datetime.date, count: int, expected: datetime.date) -> None:
    result = get_calendar().add_workdays(start, count)
    assert result.date == expected and not result.provisional


def test_year_not_in_table_is_provisional_never_an_error(db: Any) -> None:
    result = get_calendar().add_workdays(D(2027, 9, 28), 5)
    assert result.provisional and "2027年" in (result.reason or "")
    assert result.date == D(2027, 10, 5)  # weekends only: 9/29, 9/30, 10/1, 10/4, 10/5


def test_admin_override_changes_a_result_and_recomputes(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 11, 25))
    assert deadline.due_date == D(2026, 12, 9)
    # a (hypothetical) extra day off on 2026年12月1日 moves the deadline by one working day
    calendar_services.calendar_day_save(
        actor=world.users["a_sysadmin"],
        day=CalendarDay(date=D(2026, 12, 1), kind=CalendarDayKind.DAY_OFF, name="测试放假", note="测试"),
    )
    assert get_calendar().add_workdays(D(2026, 11, 25), 10).date == D(2026, 12, 10)
    deadline.refresh_from_db()
    assert deadline.due_date == D(2026, 12, 10)
    assert AuditEntry.objects.filter(event="calendar.day_save").count() == 1
    assert AuditEntry.objects.filter(event="deadline.recompute").count() == 1


def test_django_admin_add_day_goes_through_the_service(world: World, admin_client: Client, admin_user: Any) -> None:
    mark_otp_verified(admin_client, admin_user)
    response = admin_client.post(
        "/admin/deadlines/calendarday/add/",
        {"date": "2026-12-01", "kind": "day_off", "year": "2026", "name": "测试放假", "source": "manual", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not get_calendar().is_workday(D(2026, 12, 1))
    assert AuditEntry.objects.filter(event="calendar.day_save").exists()


def test_makeup_day_on_a_weekday_is_refused(world: World) -> None:
    with pytest.raises(ApplicationError, match="本来就是工作日"):
        calendar_services.calendar_day_save(
            actor=world.users["a_sysadmin"],
            day=CalendarDay(date=D(2026, 12, 2), kind=CalendarDayKind.MAKEUP_WORKDAY, name="x"),
        )


def test_only_calendar_managers_change_the_calendar(world: World) -> None:
    for key in ("a_staff", "a_inspector", "a_leader"):
        with pytest.raises(PermissionDeniedError):
            calendar_services.calendar_import_notice(actor=world.users[key], text=NOTICE_2027)
    calendar_services.calendar_import_preview(actor=world.users["a_admin"], text=NOTICE_2027)


def test_notice_import_makes_year_exact_and_recomputes_provisional_deadlines(world: World) -> None:
    deadline = result_entry(world, start=D(2027, 9, 28))
    assert deadline.provisional and deadline.due_date == D(2027, 10, 12)  # weekends only
    preview = calendar_services.calendar_import_preview(actor=world.users["a_admin"], text=NOTICE_2027)
    assert preview.year == 2027 and not preview.year_known and preview.open_deadlines >= 1
    assert preview.makeup_days == 4 and len(preview.changes) == len(preview.rows)
    assert CalendarYear.objects.filter(year=2027).count() == 0  # preview saves nothing

    saved = calendar_services.calendar_import_notice(
        actor=world.users["a_admin"], text=NOTICE_2027, notice_title="测试通知"
    )
    assert saved.year == 2027 and saved.source == CalendarSource.NOTICE
    deadline.refresh_from_db()
    # 9/29, 9/30, 10/8, 10/9 (调休 Saturday), 10/11 … 10/16: ten working days → 10月18日
    assert not deadline.provisional and deadline.provisional_reason == ""
    assert deadline.due_date == get_calendar().add_workdays(D(2027, 9, 28), 10).date == D(2027, 10, 18)
    entry = AuditEntry.objects.get(event="calendar.import")
    assert entry.changes["days"] == len(preview.rows) and entry.changes["recomputed_deadlines"] >= 1


def test_notice_import_replaces_the_whole_year(world: World) -> None:
    actor = world.users["a_admin"]
    calendar_services.calendar_import_notice(actor=actor, text=NOTICE_2027)
    smaller = "元旦,2027-01-01,2027-01-01\n"
    preview = calendar_services.calendar_import_preview(actor=actor, text=smaller)
    assert preview.year_known and any(change.new == "" for change in preview.changes)
    calendar_services.calendar_import_notice(actor=actor, text=smaller)
    assert list(CalendarDay.objects.filter(year=2027).values_list("date", flat=True)) == [D(2027, 1, 1)]
    assert get_calendar().is_workday(D(2027, 10, 4))


def test_notice_import_is_all_or_nothing(world: World) -> None:
    bad = NOTICE_2027 + "2027-13-01,休,坏日期\n2027-03-03,班,周三不能调休\n"
    before = CalendarDay.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        calendar_services.calendar_import_notice(actor=world.users["a_admin"], text=bad)
    assert len(excinfo.value.extra["errors"]) == 2 and "第" in excinfo.value.message
    assert CalendarDay.objects.count() == before and not CalendarYear.objects.filter(year=2027).exists()


def test_notice_with_dates_of_another_year_is_refused(world: World) -> None:
    with pytest.raises(ApplicationError, match="不属于2027年"):
        calendar_services.calendar_import_notice(
            actor=world.users["a_admin"], text="元旦,2027-01-01,2027-01-03\n2026-05-01,休,劳动节\n"
        )


def test_cache_is_reused_and_invalidated(world: World, django_assert_num_queries: Any) -> None:
    first = get_calendar()
    with django_assert_num_queries(1):  # only the revision token
        assert get_calendar() is first
    calendar_services.calendar_day_save(
        actor=world.users["a_sysadmin"], day=CalendarDay(date=D(2026, 12, 1), kind="day_off", name="测试")
    )
    second = get_calendar()
    assert second is not first and not second.is_workday(D(2026, 12, 1))


def test_direct_orm_write_still_invalidates_the_cache(db: Any) -> None:
    get_calendar()
    CalendarDay.objects.create(date=D(2026, 12, 2), kind="day_off", year=2026, name="测试")
    assert not get_calendar().is_workday(D(2026, 12, 2))


def test_withdrawing_a_year_makes_it_provisional(world: World) -> None:
    deadline = result_entry(world, start=D(2026, 9, 30))
    assert deadline.due_date == D(2026, 10, 20) and not deadline.provisional
    calendar_services.calendar_year_delete(
        actor=world.users["a_sysadmin"], calendar_year=CalendarYear.objects.get(year=2026)
    )
    deadline.refresh_from_db()
    assert deadline.provisional and deadline.due_date == D(2026, 10, 14)


def test_seed_is_idempotent_and_keeps_admin_edits(world: World) -> None:
    assert calendar_services.calendar_seed() == []
    calendar_services.calendar_year_delete(
        actor=world.users["a_sysadmin"], calendar_year=CalendarYear.objects.get(year=2025)
    )
    calendar_services.calendar_day_save(
        actor=world.users["a_sysadmin"], day=CalendarDay(date=D(2026, 12, 1), kind="day_off", name="本地修正")
    )
    assert calendar_services.calendar_seed() == [2025]
    assert calendar_services.calendar_seed() == []
    assert CalendarDay.objects.get(date=D(2026, 12, 1)).name == "本地修正"
    assert build_calendar().known_years == default_calendar().known_years


def test_deadline_open_never_raises_for_far_future(world: World) -> None:
    deadline = result_entry(world, start=D(2099, 12, 28))
    assert deadline.provisional and "2099年" in deadline.provisional_reason
    assert Deadline.objects.filter(pk=deadline.pk, provisional=True).exists()
