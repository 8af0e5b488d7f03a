"""Dated risk flags (issue 18 item 4): entered by hand, ended, withdrawn, imported from 经营异常/严重违法失信
lists — through the services, the pages and the API; and how they make a target mandatory by date."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.conftest import World

from shuangsuiji.accounts.services import api_token_create
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory import events, flag_services
from shuangsuiji.directory.models import FlagSource, FlagStatus, Target, TargetFlagRecord
from shuangsuiji.directory.models_flags import FlagListImport

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = datetime.date(TODAY.year - 1, 5, 10)
OUTSIDER = complete_uscc("91130600MA0XYW00Q")  # an enterprise of the list that is not in the 名录库


def _csv(*rows: str, header: str = "统一社会信用代码,企业名称,列入日期,列入原因,作出决定机关") -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def _import(world: World, content: bytes, *, user: str = "a_admin", kind: str = "abnormal_list",
            file_name: str = "名单.csv", list_date: datetime.date | None = None) -> FlagListImport:
    return flag_services.flag_list_import(
        actor=world.users[user], kind=kind, source="国家企业信用信息公示系统（河北）", list_date=list_date or LAST_YEAR,
        batch="2025年第2批", content=content, file_name=file_name,
    )


# ---------------------------------------------------------------- services


def test_complaint_by_hand_is_dated_audited_and_makes_the_target_mandatory(world: World) -> None:
    target = world.targets["a"]
    with pytest.raises(ApplicationError, match="来源文书"):
        flag_services.target_flag_record(actor=world.users["a_admin"], target=target, flag="complaints",
                                         occurred_on=LAST_YEAR, source=FlagSource.COMPLAINT)
    record = flag_services.target_flag_record(
        actor=world.users["a_admin"], target=target, flag="complaints", occurred_on=LAST_YEAR,
        source=FlagSource.COMPLAINT, reference="投诉举报登记 2025-0042", note="群众反映客房毛巾未消毒",
    )
    target.refresh_from_db()
    assert "complaints" in target.risk_flags and record.recorded_by == world.users["a_admin"]
    assert AuditEntry.objects.filter(event=events.TARGET_FLAG_RECORD, object_id=str(target.pk)).exists()
    summary = flag_services.target_flag_summary(target)
    assert summary.mandatory_reasons and "投诉举报登记 2025-0042" in summary.mandatory_reasons[0]
    with pytest.raises(ApplicationError, match="已登记过"):
        flag_services.target_flag_record(actor=world.users["a_admin"], target=target, flag="complaints",
                                         occurred_on=LAST_YEAR, source=FlagSource.COMPLAINT,
                                         reference="投诉举报登记 2025-0042")


def test_another_county_cannot_flag_and_a_list_flag_needs_the_list(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        flag_services.target_flag_record(actor=world.users["b_admin"], target=world.targets["a"], flag="complaints",
                                         occurred_on=LAST_YEAR, source=FlagSource.COMPLAINT, reference="x")
    with pytest.raises(ApplicationError, match="导入"):
        flag_services.target_flag_record(actor=world.users["a_admin"], target=world.targets["a"],
                                         flag="abnormal_list", occurred_on=LAST_YEAR,
                                         source=FlagSource.IMPORTED_LIST, reference="x")
    assert not TargetFlagRecord.objects.exists()


def test_event_flags_count_by_date_withdrawn_never(world: World) -> None:
    target = world.targets["a"]
    admin = world.users["a_admin"]
    old = flag_services.target_flag_record(actor=admin, target=target, flag="penalized", source=FlagSource.PENALTY,
                                           occurred_on=datetime.date(TODAY.year - 3, 2, 1), reference="莲卫罚〔2023〕1号")
    since = datetime.date(TODAY.year - 1, 1, 1)
    flags, _ = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert "penalized" not in flags.get(target.pk, set())  # three years ago is not 上年度
    with pytest.raises(ApplicationError, match="不能解除"):
        flag_services.target_flag_end(actor=admin, record=old, ended_on=TODAY, reason="整改完毕")
    fresh = flag_services.target_flag_record(actor=admin, target=target, flag="penalized", source=FlagSource.PENALTY,
                                             occurred_on=LAST_YEAR, reference="莲卫罚〔2025〕7号")
    flags, reasons = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert flags[target.pk] == {"penalized"} and "莲卫罚〔2025〕7号" in reasons[target.pk][0]
    with pytest.raises(ApplicationError, match="撤销原因"):
        flag_services.target_flag_withdraw(actor=admin, record=fresh, reason=" ")
    flag_services.target_flag_withdraw(actor=admin, record=fresh, reason="行政复议决定撤销该处罚")
    flags, _ = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert "penalized" not in flags.get(target.pk, set())
    target.refresh_from_db()
    assert "penalized" in target.risk_flags  # the 2023 penalty is still an active record of the 名录库
    flag_services.target_flag_withdraw(actor=admin, record=old, reason="录入错误")
    target.refresh_from_db()
    assert "penalized" not in target.risk_flags
    fresh.refresh_from_db()
    assert fresh.status == FlagStatus.WITHDRAWN and fresh.closed_by == admin
    assert AuditEntry.objects.filter(event=events.TARGET_FLAG_WITHDRAW).count() == 2
    with pytest.raises(ApplicationError, match="已撤销"):
        flag_services.target_flag_withdraw(actor=admin, record=fresh, reason="再次")


def test_a_list_flag_counts_while_listed_and_until_removed(world: World) -> None:
    target = world.targets["a"]
    admin = world.users["a_admin"]
    listed = datetime.date(TODAY.year - 4, 3, 1)  # listed long ago, never removed: still on the list
    imported = _import(world, _csv(f"{target.uscc},{target.name},{listed.isoformat()},通过登记的住所无法联系,保定市莲池区市场监督管理局"))
    record = TargetFlagRecord.objects.get(target=target)
    assert record.list_import == imported and record.occurred_on == listed
    assert "国家企业信用信息公示系统（河北）" in record.reference and "2025年第2批" in record.reference
    since = datetime.date(TODAY.year - 1, 1, 1)
    flags, reasons = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert flags[target.pk] == {"abnormal_list"} and "列入" in reasons[target.pk][0]
    with pytest.raises(ApplicationError, match="早于列入日期"):
        flag_services.target_flag_end(actor=admin, record=record, ended_on=listed - datetime.timedelta(days=1),
                                      reason="x")
    # removed before last year began: no longer 上年度
    flag_services.target_flag_end(actor=admin, record=record, ended_on=datetime.date(TODAY.year - 2, 6, 1),
                                  reason="冀莲市监移出〔2024〕15号")
    flags, _ = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert "abnormal_list" not in flags.get(target.pk, set())
    target.refresh_from_db()
    assert "abnormal_list" not in target.risk_flags
    # removed during last year: it was on the list in the window, so it still counts
    record.status, record.ended_on = FlagStatus.ACTIVE, None
    record.save()
    flag_services.target_flag_end(actor=admin, record=record, ended_on=LAST_YEAR, reason="信用修复")
    flags, _ = flag_services.effective_flags([target.pk], since=since, until=TODAY)
    assert flags[target.pk] == {"abnormal_list"}


def test_list_import_matches_by_credit_code_in_scope_and_reports_unmatched(world: World) -> None:
    a, b = world.targets["a"], world.targets["b"]
    content = _csv(
        f"{a.uscc},{a.name},{LAST_YEAR.isoformat()},未按规定报送年度报告,莲池区市场监督管理局",
        f"{b.uscc},{b.name},,未按规定报送年度报告,涞源县市场监督管理局",  # another county's target: not in scope
        f"{OUTSIDER},保定某商贸有限公司,,公示信息隐瞒真实情况,",
    )
    imported = _import(world, content)
    assert (imported.total_rows, imported.matched_count, imported.created_count) == (3, 1, 1)
    assert [u["uscc"] for u in imported.unmatched] == [b.uscc, OUTSIDER]
    assert not TargetFlagRecord.objects.filter(target=b).exists()
    entry = AuditEntry.objects.get(event=events.FLAG_LIST_IMPORT)
    assert entry.changes["matched"] == 1 and entry.changes["unmatched"] == 2
    record = TargetFlagRecord.objects.get(target=a)
    assert "未按规定报送年度报告" in record.note and "莲池区市场监督管理局" in record.note
    with pytest.raises(ApplicationError, match="已导入过"):
        _import(world, content)
    # the same list again as another file (other export): nothing duplicated, counted as 已登记过
    again = _import(world, content + b"\r\n")
    assert (again.created_count, again.existing_count) == (0, 1)
    assert TargetFlagRecord.objects.filter(target=a).count() == 1
    csv_text = flag_services.flag_list_unmatched_csv(imported).decode("utf-8-sig")
    assert OUTSIDER in csv_text and "行号" in csv_text


def test_list_import_is_all_or_nothing_with_row_column_and_reason(world: World) -> None:
    a = world.targets["a"]
    bad_code = a.uscc[:-1] + ("0" if a.uscc[-1] != "0" else "1")
    content = _csv(
        f"{a.uscc},{a.name},{LAST_YEAR.isoformat()},x,",
        f"{bad_code},错误代码,,x,",
        ",没有代码,,x,",
        f"{OUTSIDER},日期错误,2025-13-40,x,",
        f"{a.uscc},{a.name},{LAST_YEAR.isoformat()},重复,",
    )
    with pytest.raises(ApplicationError) as caught:
        _import(world, content)
    errors = caught.value.extra["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "统一社会信用代码"), (4, "统一社会信用代码"), (5, "列入日期"), (6, "统一社会信用代码"),
    ]
    assert "校验位" in errors[0]["message"] and "不能为空" in errors[1]["message"]
    assert "与第2行重复" in errors[3]["message"]
    assert not TargetFlagRecord.objects.exists() and not FlagListImport.objects.exists()
    with pytest.raises(ApplicationError, match="没有找到表头"):
        _import(world, "名称,地址\r\n甲,乙\r\n".encode())
    with pytest.raises(ApplicationError, match="名单日期"):
        _import(world, _csv(f"{a.uscc},x,,,"), list_date=TODAY + datetime.timedelta(days=3))
    with pytest.raises(ApplicationError, match="晚于名单日期"):
        _import(world, _csv(f"{a.uscc},x,{TODAY.isoformat()},,"), list_date=LAST_YEAR)


def test_list_import_from_xlsx_with_removal_dates(world: World) -> None:
    a = world.targets["a"]
    first = _import(world, _csv(f"{a.uscc},{a.name},{LAST_YEAR.isoformat()},x,"))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("移出名单")
    sheet.write_row(0, 0, ["序号", "统一社会信用代码", "企业名称", "列入日期", "移出日期", "移出原因"])
    sheet.write_row(1, 0, [1, a.uscc, a.name, LAST_YEAR.isoformat(), TODAY.isoformat(), "已补报年度报告"])
    book.close()
    second = _import(world, buffer.getvalue(), file_name="移出名单.xlsx", list_date=TODAY)
    assert second.ended_count == 1
    record = TargetFlagRecord.objects.get(list_import=first)
    assert record.status == FlagStatus.ENDED and record.ended_on == TODAY and "已补报年度报告" in record.closed_reason
    a.refresh_from_db()
    assert "abnormal_list" not in a.risk_flags
    with pytest.raises(ApplicationError, match="不是有效的 Excel"):
        _import(world, b"not a workbook", file_name="x.xlsx")


def test_list_import_needs_library_edit(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        _import(world, _csv(f"{world.targets['a'].uscc},x,,,"), user="a_inspector")


# ---------------------------------------------------------------- pages


def test_target_page_shows_flags_with_date_source_and_mandatory_reason(world: World) -> None:
    target = world.targets["a"]
    client = world.client("a_admin")
    page = client.get(f"/directory/targets/{target.pk}/").content.decode()
    assert "风险标记（按日期和来源）" in page and "不因风险标记而必查" in page
    response = client.post(f"/directory/targets/{target.pk}/flags/new/", {
        "flag": "complaints", "source": "complaint", "occurred_on": LAST_YEAR.isoformat(), "reference": "",
    })
    assert response.status_code == 200 and "请填写来源文书或编号" in response.content.decode()
    response = client.post(f"/directory/targets/{target.pk}/flags/new/", {
        "flag": "complaints", "source": "complaint", "occurred_on": LAST_YEAR.isoformat(),
        "reference": "12345 热线 2025-0815", "note": "反映游泳池水浑浊",
    })
    assert response.status_code == 302
    page = client.get(f"/directory/targets/{target.pk}/").content.decode()
    assert "在今天的抽取中为必查对象" in page and "12345 热线 2025-0815" in page
    assert f"{LAST_YEAR.year}年{LAST_YEAR.month}月{LAST_YEAR.day}日" in page
    record = TargetFlagRecord.objects.get(target=target)
    assert "撤销" in page and f"/directory/flags/{record.pk}/withdraw/" in page
    assert f"/directory/flags/{record.pk}/end/" not in page  # an event flag is withdrawn, not ended
    response = client.post(f"/directory/flags/{record.pk}/withdraw/", {"reason": "经核查投诉不属实"})
    assert response.status_code == 302
    page = client.get(f"/directory/targets/{target.pk}/").content.decode()
    assert "已撤销" in page and "经核查投诉不属实" in page and "不因风险标记而必查" in page
    # another county reads nothing of it
    assert world.client("b_admin").get(f"/directory/flags/{record.pk}/withdraw/").status_code == 404


def test_inspector_sees_flags_but_no_entry_buttons(world: World) -> None:
    target = world.targets["a"]
    flag_services.target_flag_record(actor=world.users["a_admin"], target=target, flag="complaints",
                                     occurred_on=LAST_YEAR, source=FlagSource.COMPLAINT, reference="投诉 001")
    page = world.client("a_inspector").get(f"/directory/targets/{target.pk}/").content.decode()
    assert "投诉 001" in page and "登记风险标记" not in page
    response = world.client("a_inspector").post(f"/directory/targets/{target.pk}/flags/new/", {
        "flag": "complaints", "source": "complaint", "occurred_on": LAST_YEAR.isoformat(), "reference": "x",
    })
    assert "无权" in response.content.decode()
    assert TargetFlagRecord.objects.count() == 1


def test_list_pages_import_errors_detail_and_end(world: World) -> None:
    a = world.targets["a"]
    client = world.client("a_admin")
    assert "导入名单" in client.get("/directory/flag-lists/").content.decode()
    assert client.get("/directory/flag-lists/template.csv").content.decode("utf-8-sig").startswith("统一社会信用代码")
    form = {"kind": "abnormal_list", "source": "国家企业信用信息公示系统（河北）", "list_date": LAST_YEAR.isoformat(),
            "batch": "第2批"}
    bad = SimpleUploadedFile("名单.csv", _csv("12345,错误,,x,"), content_type="text/csv")
    page = client.post("/directory/flag-lists/import/", {**form, "file": bad}).content.decode()
    assert "名单中的错误" in page and "第2行" in page and "统一社会信用代码应为18位" in page
    good = SimpleUploadedFile("名单.csv", _csv(f"{a.uscc},{a.name},,未年报,", f"{OUTSIDER},外单位,,未年报,"))
    response = client.post("/directory/flag-lists/import/", {**form, "file": good})
    imported = FlagListImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/directory/flag-lists/{imported.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert a.name in page and OUTSIDER in page and "未匹配的信用代码" in page
    assert OUTSIDER in client.get(f"/directory/flag-lists/{imported.pk}/unmatched.csv").content.decode("utf-8-sig")
    record = TargetFlagRecord.objects.get(target=a)
    target_page = client.get(f"/directory/targets/{a.pk}/").content.decode()
    assert f"/directory/flags/{record.pk}/end/" in target_page and "列入经营异常名录" in target_page
    response = client.post(f"/directory/flags/{record.pk}/end/", {"ended_on": TODAY.isoformat(), "reason": "移出决定 第8号"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == FlagStatus.ENDED
    assert world.client("b_admin").get(f"/directory/flag-lists/{imported.pk}/").status_code == 404


# ---------------------------------------------------------------- API


def _bearer(world: World, user_key: str) -> dict[str, str]:
    _, plain = api_token_create(actor=world.users[user_key], name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_api_flags_of_a_target_create_withdraw_and_list_import(world: World) -> None:
    a = world.targets["a"]
    headers = _bearer(world, "a_admin")
    client = Client()
    response = client.post(f"/api/directory/targets/{a.pk}/flags", data={
        "flag": "complaints", "source": "complaint", "occurred_on": LAST_YEAR.isoformat(), "reference": "投诉 0007",
    }, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    record_id = response.json()["id"]
    body = client.get(f"/api/directory/targets/{a.pk}/flags", **headers).json()
    assert body["mandatory"] is True and body["counting_ids"] == [record_id]
    assert body["records"][0]["source_label"] == "投诉举报"
    response = client.post(f"/api/directory/flags/{record_id}/end", data={"ended_on": TODAY.isoformat(), "reason": "x"},
                           content_type="application/json", **headers)
    assert response.status_code == 400 and "不能解除" in response.json()["detail"]
    response = client.post(f"/api/directory/flags/{record_id}/withdraw", data={"reason": "重复登记"},
                           content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client.get(f"/api/directory/targets/{a.pk}/flags", **_bearer(world, "b_admin")).status_code == 404

    upload = SimpleUploadedFile("名单.csv", _csv(f"{a.uscc},{a.name},,,", "1234,坏,,,"))
    response = client.post("/api/directory/flag-lists/import", data={
        "kind": "blacklist", "source": "信用中国（河北）", "list_date": LAST_YEAR.isoformat(), "file": upload,
    }, **headers)
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 3
    upload = SimpleUploadedFile("名单.csv", _csv(f"{a.uscc},{a.name},,,"))
    response = client.post("/api/directory/flag-lists/import", data={
        "kind": "blacklist", "source": "信用中国（河北）", "list_date": LAST_YEAR.isoformat(), "file": upload,
    }, **headers)
    assert response.status_code == 201 and response.json()["matched_count"] == 1
    listed = client.get("/api/directory/flag-lists", **headers).json()
    assert [row["kind"] for row in listed] == ["blacklist"]
    assert client.get("/api/directory/flag-lists", **_bearer(world, "b_admin")).json() == []
    assert Target.objects.get(pk=a.pk).risk_flags == ["blacklist"]


# ---------------------------------------------------------------- in a draw


def test_an_imported_list_and_a_complaint_make_targets_mandatory_in_the_draw_with_their_reason(world: World) -> None:
    from tests.draws.factories import add_targets, drawn, make_task

    targets = add_targets(world, counts={"B": 30})
    listed, complained, removed_long_ago = targets[3], targets[5], targets[7]
    _import(world, _csv(
        f"{listed.uscc},{listed.name},{datetime.date(TODAY.year - 3, 4, 1).isoformat()},未按规定公示年度报告,",
        f"{removed_long_ago.uscc},{removed_long_ago.name},{datetime.date(TODAY.year - 4, 4, 1).isoformat()},x,",
    ))
    old = TargetFlagRecord.objects.get(target=removed_long_ago)
    flag_services.target_flag_end(actor=world.users["a_admin"], record=old,
                                  ended_on=datetime.date(TODAY.year - 3, 1, 5), reason="已移出")
    flag_services.target_flag_record(actor=world.users["a_admin"], target=complained, flag="complaints",
                                     occurred_on=LAST_YEAR, source=FlagSource.COMPLAINT, reference="投诉举报登记 2025-0101")
    task = make_task(world, ratios={"A": 1, "B": 1, "C": 1, "D": 1}, mandatory_flags=["abnormal_list", "complaints"])
    draw = drawn(world, task)
    reasons = draw.rules["mandatory"]
    assert set(reasons) == {listed.code, complained.code}
    assert "国家企业信用信息公示系统（河北）" in reasons[listed.code][0] and "列入" in reasons[listed.code][0]
    assert "投诉举报登记 2025-0101" in reasons[complained.code][0]
    page = world.client("a_admin").get(draw.get_absolute_url()).content.decode()
    assert "投诉举报登记 2025-0101" in page and "经营异常名录" in page


def test_a_long_list_is_matched_in_chunks(world: World) -> None:
    """A 市场监管 list of 33,000 enterprises, almost none under health supervision: more codes than SQLite allows
    variables in one query (32,766), so they are matched in chunks."""
    a = world.targets["a"]
    rows = [f"{complete_uscc(f'91130600MA0L{n:05d}')},企业{n},," for n in range(33_000)]
    imported = _import(world, _csv(*rows, f"{a.uscc},{a.name},,", header="统一社会信用代码,企业名称,列入日期,列入原因"))
    assert imported.matched_count == 1 and len(imported.unmatched) == 33_000
