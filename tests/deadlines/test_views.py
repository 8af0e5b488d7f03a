"""Pages of 期限督办: roles, scope, forms, the bell, query counts."""

from __future__ import annotations

import datetime
from typing import Any

from shuangsuiji.core.workdays import parse_holiday_notice
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import AccountabilityStatus, CalendarYear, Notification, SupervisionStatus
from tests.conftest import World
from tests.deadlines.factories import frozen, oversight_objects, result_entry
from tests.deadlines.test_calendar import NOTICE_2027

D = datetime.date


def test_bell_shows_unread_count_and_opening_marks_read(world: World) -> None:
    objects = oversight_objects(world)
    client = world.client("a_admin")
    unread = Notification.objects.filter(recipient=world.users["a_admin"], read_at__isnull=True).count()
    assert unread >= 1
    assert f'id="unread-count">{unread}<' in client.get("/").content.decode()
    notification = objects["notification"]
    response = client.get(f"/oversight/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.post("/oversight/notifications/read-all/")
    assert 'id="unread-count"' not in client.get("/").content.decode()
    # another user's notification cannot be read or marked
    assert world.client("a_leader").post(f"/oversight/notifications/{notification.pk}/read/").status_code == 404


def test_notification_list_shows_only_own(world: World) -> None:
    oversight_objects(world)
    body = world.client("a_inspector").get("/oversight/notifications/").content.decode()
    assert "督办" in body and "已逾期" in body
    assert "暂无提醒" in world.client("b_admin").get("/oversight/notifications/").content.decode()


def test_deadline_list_filters_and_badges(world: World) -> None:
    objects = oversight_objects(world)
    with frozen(D(2026, 11, 25)):
        result_entry(world, start=D(2026, 11, 25))  # pending
        client = world.client("a_admin")
        body = client.get("/oversight/").content.decode()
        assert "bg-red text-red-fg" in body and "逾期" in body and "bg-blue-lt" in body
        overdue = client.get("/oversight/?status=overdue").content.decode()
        assert objects["deadline"].get_absolute_url() in overdue and "共 1 项" in overdue
        assert "共 2 项" in client.get("/oversight/?kind=result_entry").content.decode()
        assert "共 0 项" in world.client("b_admin").get("/oversight/").content.decode()
        assert "共 2 项" in world.client("city_supervisor").get("/oversight/").content.decode()


def test_deadline_list_query_count_is_constant(world: World, django_assert_max_num_queries: Any) -> None:
    client = world.client("a_admin")
    for _ in range(3):
        result_entry(world, start=D(2026, 11, 2))
    client.get("/oversight/")
    with django_assert_max_num_queries(12):
        client.get("/oversight/")
    for _ in range(20):
        result_entry(world, start=D(2026, 11, 2))
    with django_assert_max_num_queries(12):
        assert "共 23 项" in client.get("/oversight/").content.decode()


def test_deadline_detail_shows_provisional_reason(world: World) -> None:
    deadline = result_entry(world, start=D(2027, 9, 28))
    body = world.client("a_staff").get(deadline.get_absolute_url()).content.decode()
    assert "暂定" in body and "2027年法定节假日安排尚未录入" in body
    assert world.client("b_admin").get(deadline.get_absolute_url()).status_code == 404


def test_supervision_answer_by_responsible_person_only(world: World) -> None:
    supervision = oversight_objects(world)["supervision"]
    url = supervision.get_absolute_url()
    admin_page = world.client("a_admin").get(url).content.decode()
    assert "答复督办" not in admin_page and "a_inspector" in admin_page
    assert world.client("a_staff").get(url).status_code == 404  # neither responsible nor supervisor
    assert "暂无督办" in world.client("a_staff").get("/oversight/supervisions/").content.decode()
    client = world.client("a_inspector")
    assert "答复督办" in client.get(url).content.decode()
    assert supervision.number in client.get("/oversight/supervisions/").content.decode()
    bad = client.post(url, {"reason": "x", "promised_date": "2000-01-01"})
    assert bad.status_code == 200 and "不能早于今天" in bad.content.decode()
    promised = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"reason": "对象停业，待复查", "promised_date": promised})
    assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.ANSWERED and supervision.answer_reason == "对象停业，待复查"
    world.client("a_admin").post(url, {"reason": "代答", "promised_date": promised})
    supervision.refresh_from_db()
    assert supervision.answer_reason == "对象停业，待复查"


def test_accountability_pages_for_leaders_and_supervisors_only(world: World) -> None:
    record = oversight_objects(world)["accountability"]
    url = record.get_absolute_url()
    for key in ("a_staff", "a_inspector", "a_sysadmin"):
        assert world.client(key).get("/oversight/accountability/").status_code == 403, key
        assert world.client(key).get(url).status_code == 403, key
    assert "问责" not in world.client("a_staff").get("/oversight/").content.decode().split("期限台账")[1][:300]
    for key in ("a_leader", "a_admin", "city_supervisor"):
        assert "a_inspector" in world.client(key).get("/oversight/accountability/").content.decode(), key
    assert world.client("b_admin").get(url).status_code == 404
    assert "暂无问责记录" in world.client("b_admin").get("/oversight/accountability/").content.decode()
    # the upper level reads, the bureau's leader concludes
    assert "保存" not in world.client("city_supervisor").get(url).content.decode().split("处理状态")[1]
    response = world.client("a_leader").post(url, {"conclusion": "已谈话提醒，责令书面说明"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == AccountabilityStatus.CONCLUDED and record.concluded_by == world.users["a_leader"]


def test_calendar_year_page(world: World) -> None:
    client = world.client("a_inspector")
    assert client.get("/oversight/calendar/").status_code == 302
    body = client.get("/oversight/calendar/2026/").content.decode()
    assert "2026年放假安排已录入" in body and "国庆节" in body and "cal-makeup" in body
    assert "导入国务院放假安排" not in body
    future = client.get("/oversight/calendar/2027/").content.decode()
    assert "2027年法定节假日安排尚未录入" in future
    assert world.client("a_admin").get("/oversight/calendar/2099/").status_code == 200
    assert client.get("/oversight/calendar/1066/").status_code == 404


def test_calendar_export_round_trips(world: World) -> None:
    response = world.client("a_staff").get("/oversight/calendar/2026/notice.csv")
    rows = parse_holiday_notice(response.content.decode("utf-8"))
    calendar = get_calendar()
    assert {row.date for row in rows} == {
        day for day in [*calendar.days_off, *calendar.makeup_workdays] if day.year == 2026
    }


def test_notice_import_page_preview_then_confirm(world: World) -> None:
    client = world.client("a_sysadmin")
    preview = client.post("/oversight/calendar/import/", {"text": NOTICE_2027, "notice_title": "测试通知"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "预览：2027年放假安排" in body and "调休上班 4 天" in body
    assert not CalendarYear.objects.filter(year=2027).exists()
    confirm = client.post(
        "/oversight/calendar/import/", {"text": NOTICE_2027, "notice_title": "测试通知", "confirm": "1"}
    )
    assert confirm.status_code == 302 and confirm["Location"] == "/oversight/calendar/2027/"
    assert CalendarYear.objects.get(year=2027).notice_title == "测试通知"
    assert not get_calendar().add_workdays(D(2027, 9, 28), 10).provisional


def test_notice_import_page_shows_errors_with_line_numbers(world: World) -> None:
    response = world.client("a_admin").post("/oversight/calendar/import/", {"text": "2027-02-30,休\n"})
    assert "第1行" in response.content.decode()
    empty = world.client("a_admin").post("/oversight/calendar/import/", {"text": ""})
    assert "请粘贴放假安排或上传文件" in empty.content.decode()


def test_notice_import_page_refuses_other_roles(world: World) -> None:
    client = world.client("a_staff")
    body = client.get("/oversight/calendar/import/").content.decode()
    assert "只有系统管理员和双随机办管理员" in body and 'name="text"' not in body
    client.post("/oversight/calendar/import/", {"text": NOTICE_2027, "confirm": "1"})
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_deadline_list_yes_no_filters(world: World) -> None:
    mine = result_entry(world, start=D(2026, 11, 2), responsible="a_inspector")
    provisional = result_entry(world, start=D(2027, 9, 28), responsible="a_staff")
    client = world.client("a_inspector")
    body = client.get("/oversight/?mine=true").content.decode()
    assert mine.get_absolute_url() in body and provisional.get_absolute_url() not in body
    body = client.get("/oversight/?provisional=true").content.decode()
    assert provisional.get_absolute_url() in body and mine.get_absolute_url() not in body
    assert "共 1 项" in client.get("/oversight/?mine=false").content.decode()
    assert "共 0 项" in client.get("/oversight/?late=true").content.decode()
    assert "Unknown" not in client.get("/oversight/").content.decode()
