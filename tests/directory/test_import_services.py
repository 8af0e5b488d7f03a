"""Import services: good files, every bad input of issue 3, idempotence, all-or-nothing, scope, background."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY
from tests.conftest import World
from tests.directory.import_files import (
    INSPECTOR_HEADER,
    ITEM_HEADER,
    TARGET_HEADER,
    csv_bytes,
    id_number,
    inspector_row,
    item_row,
    target_row,
    upload,
    uscc,
    xlsx_bytes,
)

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory import import_services
from shuangsuiji.directory.import_services import import_job_create
from shuangsuiji.directory.models import CheckItem, ImportJob, ImportStatus, Inspector, ItemStatus, Target


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def run(world: World, user: str, name: str, data: bytes, kind: str = "targets") -> ImportJob:
    return import_job_create(actor=world.users[user], kind=kind, uploaded_file=upload(name, data))


def a_targets(world: World) -> Any:
    return Target.objects.filter(owner=world.orgs["a"])


def error_reasons(job: ImportJob) -> dict[tuple[int, str], str]:
    return {(e["row"], e["column"]): e["reason"] for e in job.errors}


# ---------------------------------------------------------------- good files and idempotence


def test_xlsx_import_creates_targets_with_history_and_one_audit_entry(world: World) -> None:
    before = a_targets(world).count()
    audits = AuditEntry.objects.count()
    rows = [TARGET_HEADER, target_row(1), target_row(2, specialties="公共场所卫生、生活饮用水卫生", risk="C类"),
            target_row(3, flags="投诉举报多；黑名单", date=45127)]
    job = run(world, "a_admin", "对象.xlsx", xlsx_bytes(rows))
    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.total_rows) == (3, 0, 0, 3)
    assert a_targets(world).count() == before + 3
    t1 = Target.objects.get(owner=world.orgs["a"], code=uscc(1))
    assert t1.last_inspected_on == datetime.date(2023, 7, 20)
    assert t1.contact_phone == "13812345678"
    assert t1.region == world.regions["a"]
    assert t1.history.count() == 1
    t2 = Target.objects.get(code=uscc(2))
    assert t2.risk_class == "C" and sorted(s.code for s in t2.specialties.all()) == ["drinking_water", "public_places"]
    t3 = Target.objects.get(code=uscc(3))
    assert t3.risk_flags == ["complaints", "blacklist"]
    assert t3.last_inspected_on == datetime.date(2023, 7, 20)  # Excel serial 45127
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.event == "import.targets" and entry.changes["created"] == 3


def test_reimport_is_idempotent_and_updates_only_changed_rows(world: World) -> None:
    data = xlsx_bytes([TARGET_HEADER, *[target_row(i) for i in range(1, 6)]])
    first = run(world, "a_admin", "a.xlsx", data)
    assert first.created_count == 5
    count = a_targets(world).count()
    history = Target.history.count()
    second = run(world, "a_admin", "a.xlsx", data)
    assert second.status == ImportStatus.DONE
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 5)
    assert a_targets(world).count() == count and Target.history.count() == history
    changed = xlsx_bytes([TARGET_HEADER, *[target_row(i, risk="D" if i == 2 else "B") for i in range(1, 6)]])
    third = run(world, "a_admin", "b.xlsx", changed)
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 4)
    assert Target.objects.get(code=uscc(2)).risk_class == "D"
    assert Target.history.count() == history + 1


def test_blank_cells_keep_existing_values(world: World) -> None:
    run(world, "a_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1, risk="C")]))
    job = run(world, "a_admin", "b.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1, risk="", phone="")]))
    assert job.unchanged_count == 1
    target = Target.objects.get(code=uscc(1))
    assert target.risk_class == "C" and target.contact_phone == "13812345678"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(world: World, encoding: str) -> None:
    data = csv_bytes([TARGET_HEADER, target_row(1), target_row(2, name="莲池区鑫源洗浴中心")], encoding=encoding)
    job = run(world, "a_admin", "对象.csv", data)
    assert job.status == ImportStatus.DONE, job.errors
    assert Target.objects.get(code=uscc(2)).name == "莲池区鑫源洗浴中心"


def test_legacy_unit_without_uscc_is_keyed_by_licence_and_later_gets_its_code(world: World) -> None:
    licence = "冀卫公证字〔2019〕第130606-000777号"
    legacy = xlsx_bytes([TARGET_HEADER, target_row(7, uscc="", licence=licence)])
    job = run(world, "a_admin", "a.xlsx", legacy)
    assert job.created_count == 1
    target = Target.objects.get(code=f"L:{licence}")
    assert run(world, "a_admin", "a.xlsx", legacy).unchanged_count == 1
    upgraded = run(world, "a_admin", "b.xlsx", xlsx_bytes([TARGET_HEADER, target_row(7, licence=licence)]))
    assert (upgraded.created_count, upgraded.updated_count) == (0, 1)
    target.refresh_from_db()
    assert target.code == uscc(7) and target.uscc == uscc(7)


def test_batches_are_used_for_larger_files(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_services, "BATCH", 50)
    data = csv_bytes([TARGET_HEADER, *[target_row(i) for i in range(1, 1201)]])
    job = run(world, "a_admin", "big.csv", data)
    assert job.status == ImportStatus.DONE and job.created_count == 1200
    assert job.processed_rows == job.total_rows == 1200
    assert Target.specialties.through.objects.filter(target__owner=world.orgs["a"]).count() == 1201


# ---------------------------------------------------------------- bad input


def test_every_bad_row_is_reported_and_nothing_is_saved(world: World) -> None:
    before = a_targets(world).count()
    bad_check = uscc(2)[:-1] + ("0" if uscc(2)[-1] != "0" else "1")
    rows = [
        TARGET_HEADER,
        target_row(1),
        target_row(2, uscc=bad_check),  # row 3
        target_row(3, name=""),  # row 4
        target_row(4, date="2023-02-30"),  # row 5
        target_row(5, specialties="美容美发"),  # row 6
        target_row(6, status="营业中啦"),  # row 7
        target_row(1),  # row 8: duplicate of row 2
        target_row(8, region="涞源县"),  # row 9: another county
        target_row(9, phone="12345"),  # row 10
        target_row(10, region="火星区"),  # row 11
        target_row(11, uscc="", licence=""),  # row 12
        target_row(12, date="2023.7.20"),  # fine
    ]
    job = run(world, "a_admin", "bad.xlsx", xlsx_bytes(rows))
    assert job.status == ImportStatus.FAILED
    reasons = error_reasons(job)
    assert "校验位错误" in reasons[(3, "统一社会信用代码")]
    assert reasons[(4, "单位名称")] == "必填项不能为空"
    assert "不存在" in reasons[(5, "最近检查日期")]
    assert "未知的专业" in reasons[(6, "专业类别")]
    assert "不是可选值" in reasons[(7, "经营状态")]
    assert reasons[(8, "统一社会信用代码")] == "与第2行的统一社会信用代码重复"
    assert "不在本单位管辖范围内" in reasons[(9, "所属区划")]
    assert "电话号码格式不正确" in reasons[(10, "联系电话")]
    assert "未知的区划" in reasons[(11, "所属区划")]
    assert "至少填写一项" in reasons[(12, "统一社会信用代码")]
    assert len(job.errors) == 10
    assert "共 10 处错误" in job.message
    assert a_targets(world).count() == before


def test_cannot_import_into_another_countys_region(world: World) -> None:
    job = run(world, "b_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1, region="莲池区")]))
    assert job.status == ImportStatus.FAILED
    assert "不在本单位管辖范围内" in job.errors[0]["reason"]
    assert not Target.objects.filter(code=uscc(1)).exists()
    job = run(world, "b_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1, region="130606")]))
    assert "不在本单位管辖范围内" in job.errors[0]["reason"]


def test_roles_without_edit_permission_cannot_import(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        run(world, "a_inspector", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1)]))
    with pytest.raises(PermissionDeniedError):
        run(world, "a_leader", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1)]))


def test_city_bureau_must_name_the_region_and_may_use_any_county(world: World) -> None:
    rows = [TARGET_HEADER, target_row(1, region=""), target_row(2, region="涞源县"), target_row(3, region="保定市莲池区")]
    job = run(world, "city_admin", "a.xlsx", xlsx_bytes(rows))
    assert "请填写所属区划" in error_reasons(job)[(2, "所属区划")]
    job = run(world, "city_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, *rows[2:]]))
    assert job.status == ImportStatus.DONE and job.created_count == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xlsx", b"%PDF-1.4 this is a pdf" * 10, "不是有效的 Excel 工作簿"),
        ("a.xls", b"just some text", "不是有效的 Excel 工作簿"),
        ("a.docx", b"PK\x03\x04whatever", "不支持的文件类型"),
        ("a.csv", b"PK\x03\x04" + b"\x00" * 100, "内容是 Excel 或压缩文件"),
        ("a.csv", b"\x00\x01\x02binary\x00", "不是文本格式的 CSV 文件"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_at_upload(world: World, name: str, data: bytes, message: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        run(world, "a_admin", name, data)
    assert message in exc.value.message
    assert not ImportJob.objects.exists()


def test_empty_and_oversized_files(world: World, settings: Any) -> None:
    with pytest.raises(ApplicationError, match="空的"):
        run(world, "a_admin", "a.csv", b"")
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ApplicationError, match="文件过大"):
        run(world, "a_admin", "a.csv", b"x" * 2048)


def test_broken_zip_named_xlsx_fails_cleanly(world: World) -> None:
    job = run(world, "a_admin", "a.xlsx", b"PK\x03\x04" + b"broken zip content" * 50)
    assert job.status == ImportStatus.FAILED
    assert "无法读取该 Excel 文件" in job.message


def test_undecodable_csv(world: World) -> None:
    job = run(world, "a_admin", "a.csv", "单位名称,专业类别\n".encode() + b"\x80\x80\xff\xfe\x80\n")
    assert job.status == ImportStatus.FAILED and "无法识别文件编码" in job.message


def test_missing_required_column_and_missing_header(world: World) -> None:
    header = [h for h in TARGET_HEADER if h != "专业类别*"]
    row = target_row(1)
    del row[4]
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes([header, row]))
    assert job.status == ImportStatus.FAILED and "缺少必填列：专业类别" in job.message
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes([["甲", "乙"], ["1", "2"]]))
    assert "没有找到表头" in job.message
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER]))
    assert "没有数据行" in job.message


def test_too_many_rows(world: World, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    job = run(world, "a_admin", "a.csv", csv_bytes([TARGET_HEADER, *[target_row(i) for i in range(5)]]))
    assert job.status == ImportStatus.FAILED and "超过单次导入上限 3 行" in job.message


# ---------------------------------------------------------------- all-or-nothing


def test_crash_in_the_middle_of_writing_rolls_everything_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # the target rows are written, then the disk fills up while their history rows are written
    original = import_services._execute_many
    calls = {"n": 0}

    def crashing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(*args, **kwargs)

    monkeypatch.setattr(import_services, "_execute_many", crashing)
    before = a_targets(world).count()
    history = Target.history.count()
    audits = AuditEntry.objects.count()
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, *[target_row(i) for i in range(1, 6)]]))
    assert calls["n"] == 2
    assert job.status == ImportStatus.ERROR
    assert "已全部撤销" in job.message
    assert a_targets(world).count() == before
    assert Target.history.count() == history
    assert AuditEntry.objects.count() == audits


# ---------------------------------------------------------------- background job


def test_large_files_run_in_the_background(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IMPORT_INLINE_MAX_BYTES = 10
    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = run(world, "a_admin", "a.csv", csv_bytes([TARGET_HEADER, target_row(1), target_row(2)]))
            assert job.status == ImportStatus.PENDING
    finally:
        HUEY.immediate = False
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 2
    assert job.progress_percent == 100


def test_job_of_another_bureau_is_not_run_for_it(world: World) -> None:
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1)]))
    with pytest.raises(ApplicationError):
        import_services.import_file(
            actor=world.users["b_admin"], kind="targets", path=Path(job.file_path), file_name="a.xlsx", job=job
        )


# ---------------------------------------------------------------- inspectors


def test_inspector_import_upserts_by_licence_number(world: World) -> None:
    rows = [INSPECTOR_HEADER, inspector_row(1), inspector_row(2, org="莲池区卫生监督所", quals="放射卫生"),
            inspector_row(3, kind="专家", licence="", id=id_number(3), **{"from": "", "to": ""})]
    job = run(world, "a_admin", "人员.xlsx", xlsx_bytes(rows), kind="inspectors")
    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_count == 3
    inspector = Inspector.objects.get(owner=world.orgs["a"], licence_no="13060620002")
    assert inspector.organization == world.orgs["a_institute"]
    assert inspector.licence_valid_to == datetime.date(2027, 12, 31)
    assert [s.code for s in inspector.qualifications.all()] == ["radiation"]
    assert inspector.id_number == id_number(2)
    again = run(world, "a_admin", "人员.xlsx", xlsx_bytes(rows), kind="inspectors")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    moved = run(world, "a_admin", "b.xlsx", xlsx_bytes([INSPECTOR_HEADER, inspector_row(1, status="调离")]),
                kind="inspectors")
    assert moved.updated_count == 1
    assert Inspector.objects.get(licence_no="13060620001").status == "transferred"


def test_inspector_bad_rows(world: World) -> None:
    run(world, "a_admin", "a.xlsx", xlsx_bytes([INSPECTOR_HEADER, inspector_row(1)]), kind="inspectors")
    bad_id = id_number(5)[:-1] + ("1" if id_number(5)[-1] != "1" else "2")
    rows = [
        INSPECTOR_HEADER,
        inspector_row(5, id=bad_id),  # row 2
        inspector_row(6, licence=""),  # row 3: officer without licence
        inspector_row(7, **{"from": "2025-01-01", "to": "2024-01-01"}),  # row 4
        inspector_row(8, org="涞源县卫生健康局"),  # row 5
        inspector_row(9, id=id_number(1)),  # row 6: same person as the existing licence 13060620001
        inspector_row(10, quals="美容"),  # row 7
        inspector_row(11, kind="专家", licence="", id=""),  # row 8
        inspector_row(12, id=45127.0 * 10**13),  # row 9: ID number stored as a number by Excel
    ]
    job = run(world, "a_admin", "b.xlsx", xlsx_bytes(rows), kind="inspectors")
    assert job.status == ImportStatus.FAILED
    reasons = error_reasons(job)
    assert "校验位错误" in reasons[(2, "身份证号")]
    assert "须填写行政执法证号" in reasons[(3, "行政执法证号")]
    assert "不能早于" in reasons[(4, "执法证有效期止")]
    assert "不是本单位或其下属单位" in reasons[(5, "工作单位")]
    assert "未知的专业" in reasons[(7, "可检查专业")]
    assert "须填写身份证号" in reasons[(8, "身份证号")]
    assert "丢失精度" in reasons[(9, "身份证号")]
    assert (6, "身份证号") not in reasons  # checked against the database only once the file itself is clean
    fine = run(world, "a_admin", "c.xlsx", xlsx_bytes([INSPECTOR_HEADER, inspector_row(9, id=id_number(1))]),
               kind="inspectors")
    assert fine.status == ImportStatus.FAILED
    assert "同一人不能登记两次" in fine.errors[0]["reason"]
    assert Inspector.objects.filter(owner=world.orgs["a"]).count() == 2


# ---------------------------------------------------------------- items


def test_item_import_versions_published_items(world: World) -> None:
    published = world.items["a"]  # code GG-a, published
    rows = [ITEM_HEADER, item_row("GGCS-001"), item_row("GG-a", name="对公共场所卫生的监督检查（修订）"),
            item_row("FS-001", specialty="放射诊疗", kind="重点", ratio="100%", methods="现场检查、检验检测")]
    job = run(world, "a_admin", "事项.xlsx", xlsx_bytes(rows), kind="items")
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (2, 1)
    published.refresh_from_db()
    assert not published.is_current and published.status == ItemStatus.PUBLISHED
    current = CheckItem.objects.get(owner=world.orgs["a"], code="GG-a", is_current=True)
    assert current.version == 2 and current.status == ItemStatus.DRAFT and "修订" in current.name
    radiation = CheckItem.objects.get(code="FS-001")
    assert radiation.kind == "key" and radiation.methods == ["on_site", "testing"]
    assert str(radiation.ratio_percent) == "100.00" and radiation.subject == world.orgs["a"].name
    assert CheckItem.objects.get(code="GGCS-001").sub_items == ["卫生许可证情况", "从业人员健康合格证明"]
    again = run(world, "a_admin", "事项.xlsx", xlsx_bytes(rows), kind="items")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    draft_edit = run(world, "a_admin", "b.xlsx", xlsx_bytes([ITEM_HEADER, item_row("GGCS-001", ratio="8")]),
                     kind="items")
    assert draft_edit.updated_count == 1
    assert CheckItem.objects.filter(code="GGCS-001").count() == 1


def test_item_bad_rows_and_retired_items(world: World) -> None:
    rows = [ITEM_HEADER, item_row("X1", ratio="150"), item_row("X2", specialty="公共场所卫生、放射卫生"),
            item_row("X3", basis=""), item_row("X1"), item_row("X4", methods="飞行检查")]
    job = run(world, "a_admin", "a.xlsx", xlsx_bytes(rows), kind="items")
    reasons = error_reasons(job)
    assert "不超过100" in reasons[(2, "抽查比例（%）")]
    assert "只能属于一个专业" in reasons[(3, "专业")]
    assert reasons[(4, "抽查依据")] == "必填项不能为空"
    assert "未知的抽查方式" in reasons[(6, "抽查方式")]
    item = world.items["a"]
    item.status = ItemStatus.RETIRED
    item.save()
    job = run(world, "a_admin", "b.xlsx", xlsx_bytes([ITEM_HEADER, item_row("GG-a", name="新名称")]), kind="items")
    assert job.status == ImportStatus.FAILED and "已停用" in job.errors[0]["reason"]
