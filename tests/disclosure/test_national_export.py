"""Exports for the national systems (issue 20 item 10): every exported row meets our schema written from the
published field lists, rows that cannot meet it are listed with reasons, scope, audit, page and API."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import jsonschema_rs
import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.disclosure import national_export
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult
from tests.conftest import World
from tests.disclosure.published_task import published_nonrandom_task, published_task

pytestmark = pytest.mark.django_db


def _agency() -> str:
    from shuangsuiji.core.uscc import complete_uscc

    return complete_uscc("11130606MB1234567")


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _validate(layout: str, rows: list[dict[str, str]]) -> None:
    """Independent check with a JSON Schema validator over the files as written (not the builder's objects)."""
    schema = national_export.load_schema(layout)
    validator = jsonschema_rs.validator_for(schema)
    for row in rows:
        document = {k: v for k, v in row.items() if v != "" or k in schema["required"]}
        errors = [e.message for e in validator.iter_errors(document)]
        assert not errors, (row, errors)


def test_schemas_are_valid_and_know_every_national_result() -> None:
    for key in national_export.LAYOUTS:
        schema = national_export.load_schema(key)
        jsonschema_rs.meta.validate(schema)
        assert set(schema["required"]) <= set(schema["properties"])
    validator = jsonschema_rs.validator_for(national_export.load_schema("gsxt_ccjc")["properties"]["JCJG"])
    for name in national_export.NATIONAL_RESULTS:
        assert validator.is_valid(name)
    assert validator.is_valid("发现问题已责令改正；行政处罚")
    assert not validator.is_valid("立案查处") and not validator.is_valid("未发现问题；")


def test_mappings() -> None:
    assert national_export.national_results("立案查处；移送司法机关；行政处罚") == "发现问题待后续处理；行政处罚"
    assert national_export.national_results("新增的自定义结果") == "其他"
    assert national_export.penalty_kinds("警告，并处罚款人民币贰仟元") == "警告；罚款"
    assert national_export.penalty_kinds("没收违法所得，吊销卫生许可证") == "没收违法所得；吊销许可证件"
    assert national_export.penalty_kinds("责令改正") == "其他行政处罚"
    assert national_export.fine_in_10k(None) == ""
    from decimal import Decimal

    assert national_export.fine_in_10k(Decimal("2000")) == "0.200000"


def test_exports_meet_the_schema_and_list_what_is_left_out(world: World) -> None:
    published = published_task(world)
    actor = world.users["a_admin"]
    # without the bureau's own code the penalty rows cannot be filed: left out with the reason
    count, excluded = national_export.national_export_preview(actor=actor, layout_key="gsxt_xzcf")
    assert count == 0 and {e["field"] for e in excluded} >= {"处罚机关统一社会信用代码"}
    with pytest.raises(ApplicationError, match="校验码|不允许|位"):
        national_export.export_profile_save(actor=actor, agency_uscc="12345")
    national_export.export_profile_save(actor=actor, agency_uscc=_agency().lower())
    assert AuditEntry.objects.filter(event="national_export.profile").count() == 1

    ccjc = national_export.national_export_build(actor=actor, layout_key="gsxt_ccjc")
    files = _unzip(ccjc.content)
    assert set(files) == {"gsxt_ccjc.csv", "未导出记录.csv", "manifest.json"}
    rows = _rows(files["gsxt_ccjc.csv"])
    _validate("gsxt_ccjc", rows)
    public = PublishedResult.objects.filter(task=published.task, is_public=True)
    assert len(rows) == public.count() == 2
    by_name = {r["QYMC"]: r for r in rows}
    assert by_name[published.hotel.target.name]["JCJG"] == "未发现问题"
    assert by_name[published.clinic.target.name]["JCJG"] == "发现问题待后续处理；行政处罚"
    assert all(r["JCSSJGDM"] == _agency() and r["JCLX"] == "双随机抽查" for r in rows)
    manifest = json.loads(files["manifest.json"])
    assert manifest["rows_exported"] == 2
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest

    xzcf = _rows(_unzip(national_export.national_export_build(actor=actor, layout_key="gsxt_xzcf").content)["gsxt_xzcf.csv"])
    _validate("gsxt_xzcf", xzcf)
    assert len(xzcf) == PublishedPenalty.objects.count() == 1
    row = xzcf[0]
    assert row["CFJDSWH"] == "莲卫罚〔2026〕8号" and row["CFLB"] == "警告；罚款" and row["FKJE"] == "0.200000"
    assert row["CFJDRQ"] == "2026-11-24" and row["TYSHXYDM"] == published.clinic.target.uscc

    sjjc = _rows(_unzip(national_export.national_export_build(actor=actor, layout_key="hlwjg_sjjc").content)["hlwjg_sjjc.csv"])
    _validate("hlwjg_sjjc", sjjc)
    expected = published.hotel.items.count() + published.clinic.items.count()
    assert len(sjjc) == expected and len({r["XWBM"] for r in sjjc}) == expected
    failing = [r for r in sjjc if r["JCJL"] == "不合格"]
    assert len(failing) == 1 and failing[0]["JCDXMC"] == published.clinic.target.name
    assert all("（" in r["JCRY"] for r in sjjc)  # names with 执法证号
    assert AuditEntry.objects.filter(event="national_export.create").count() == 3


def test_row_without_uscc_is_excluded_with_row_field_reason(world: World) -> None:
    published = published_task(world)
    PublishedResult.objects.filter(target=published.hotel.target).update(uscc="")
    actor = world.users["a_admin"]
    result = national_export.national_export_build(actor=actor, layout_key="gsxt_ccjc")
    files = _unzip(result.content)
    assert len(_rows(files["gsxt_ccjc.csv"])) == 1
    left = _rows(files["未导出记录.csv"])
    assert left and left[0]["字段"] == "统一社会信用代码" and left[0]["原因"] == "必填项为空"
    assert published.hotel.target.name in left[0]["记录"]
    assert json.loads(files["manifest.json"])["rows_excluded"] == 1


def test_scope_and_bad_input(world: World) -> None:
    published_task(world)
    assert national_export.national_export_preview(actor=world.users["b_admin"], layout_key="gsxt_ccjc")[0] == 0
    with pytest.raises(PermissionDeniedError):
        national_export.national_export_build(actor=world.users["b_admin"], layout_key="gsxt_ccjc",
                                              organization=world.orgs["a"])
    city = national_export.national_export_preview(actor=world.users["city_admin"], layout_key="gsxt_ccjc",
                                                   organization=world.orgs["a"])
    assert city[0] == 2  # the upper level may export a subordinate bureau's published data
    with pytest.raises(ApplicationError, match="未知的导出格式"):
        national_export.national_export_build(actor=world.users["a_admin"], layout_key="xml")
    import datetime

    with pytest.raises(ApplicationError, match="起始日期不能晚于截止日期"):
        national_export.national_export_build(actor=world.users["a_admin"], layout_key="gsxt_ccjc",
                                              date_from=datetime.date(2026, 12, 1), date_to=datetime.date(2026, 1, 1))
    with pytest.raises(PermissionDeniedError):
        national_export.export_profile_save(actor=world.users["a_leader"], agency_uscc=_agency())


def test_page_and_api(world: World) -> None:
    published_task(world)
    staff = world.client("a_admin")
    page = staff.get("/disclosure/national-export/").content.decode()
    assert "国家企业信用信息公示系统" in page and "互联网+监管" in page and "不向任何外部系统发送数据" in page
    preview = staff.post("/disclosure/national-export/", {"layout": "gsxt_ccjc", "action": "preview"}).content.decode()
    assert "可导出 <strong>2</strong> 条" in preview
    bad = staff.post("/disclosure/national-export/", {"layout": "gsxt_ccjc", "action": "preview",
                                                      "date_from": "2026-13-01"}).content.decode()
    assert "不是有效日期" in bad
    download = staff.post("/disclosure/national-export/", {"layout": "gsxt_ccjc", "action": "download"})
    assert download["Content-Type"] == "application/zip" and "gsxt_ccjc.csv" in _unzip(download.content)
    staff.post("/disclosure/national-export/", {"action": "profile", "agency_uscc": _agency()})
    assert _agency() in staff.get("/disclosure/national-export/").content.decode()

    layouts = staff.get("/api/disclosure/national-exports/layouts").json()
    assert {layout["key"] for layout in layouts} == set(national_export.LAYOUTS)
    api = staff.post("/api/disclosure/national-exports", json.dumps({"layout": "hlwjg_sjjc"}),
                     content_type="application/json")
    assert api.status_code == 200 and "hlwjg_sjjc.csv" in _unzip(api.content)
    other = world.client("b_admin").post("/api/disclosure/national-exports/preview", json.dumps(
        {"layout": "gsxt_ccjc", "organization_id": world.orgs["a"].pk}), content_type="application/json")
    assert other.status_code == 404
    assert world.client("a_admin").post("/api/disclosure/national-exports", json.dumps({"layout": "x"}),
                                        content_type="application/json").status_code == 400


def test_check_kind_follows_the_task_kind_and_source(world: World) -> None:
    """JCLX / JCLB come from ``Task.kind`` and the non-random task's source, not from a guess."""
    published = published_task(world)
    kinds = {"complaint": "投诉举报核查", "special": "游泳场所专项检查", "assigned": "市局转办核查"}
    for source, title in kinds.items():
        published_nonrandom_task(world, source, title)
    actor = world.users["a_admin"]
    national_export.export_profile_save(actor=actor, agency_uscc=_agency())
    ccjc = _rows(_unzip(national_export.national_export_build(actor=actor, layout_key="gsxt_ccjc").content)["gsxt_ccjc.csv"])
    _validate("gsxt_ccjc", ccjc)
    by_task = {r["CCRWMC"]: r["JCLX"] for r in ccjc}
    assert by_task == {published.task.title: "双随机抽查", "投诉举报核查": "其他检查", "游泳场所专项检查": "专项检查",
                       "市局转办核查": "其他检查"}
    sjjc = _rows(_unzip(national_export.national_export_build(actor=actor, layout_key="hlwjg_sjjc").content)["hlwjg_sjjc.csv"])
    _validate("hlwjg_sjjc", sjjc)
    by_task = {r["JCRWMC"]: r["JCLB"] for r in sjjc}
    assert by_task == {published.task.title: "双随机抽查", "投诉举报核查": "投诉举报检查", "游泳场所专项检查": "专项检查",
                       "市局转办核查": "其他检查"}
