"""Export of the filtered lists, templates, and the import pages (upload, progress, error report)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook
from tests.conftest import World
from tests.directory.import_files import TARGET_HEADER, target_row, uscc, xlsx_bytes

from shuangsuiji.directory import exporters
from shuangsuiji.directory.import_services import import_job_create
from shuangsuiji.directory.importers import COLUMNS
from shuangsuiji.directory.models import ImportJob, ImportStatus, Target


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def sheets(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


# ---------------------------------------------------------------- export


def test_export_is_scoped_filtered_and_masks_personal_data(world: World) -> None:
    response = world.client("a_staff").get("/directory/targets/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheets(response.content)["检查对象"]
    assert rows[0][:2] == ["统一社会信用代码", "单位名称*"]
    assert [r[1] for r in rows[1:]] == ["莲池区悦来宾馆"]  # county B's target is not exported
    assert rows[1][8] == "138****5678"  # 科室人员 may not see phones
    admin_rows = sheets(world.client("a_admin").get("/directory/targets/export/").content)["检查对象"]
    assert admin_rows[1][8] == "13812345678"
    city_rows = sheets(world.client("city_admin").get("/directory/targets/export/").content)["检查对象"]
    assert len(city_rows) == 3  # the city reads both counties
    none = sheets(world.client("a_admin").get("/directory/targets/export/?q=不存在的名称").content)["检查对象"]
    assert len(none) == 1


def test_inspector_export_masks_id_numbers(world: World) -> None:
    rows = sheets(world.client("a_staff").get("/directory/inspectors/export/").content)["执法检查人员"]
    header = rows[0]
    assert rows[1][header.index("身份证号")] == "1101**********1234"
    assert rows[1][header.index("执法证状态")] in ("有效", "已过期")
    rows = sheets(world.client("a_admin").get("/directory/inspectors/export/").content)["执法检查人员"]
    assert rows[1][header.index("身份证号")] == "110101199003071234"


def test_item_export(world: World) -> None:
    rows = sheets(world.client("a_admin").get("/directory/items/export/").content)["抽查事项"]
    assert rows[0][0] == "事项编码*" and rows[1][0] == "GG-a" and rows[1][8] == "5"


def test_export_can_be_imported_back_without_changes(world: World, tmp_path: Path) -> None:
    data = xlsx_bytes([TARGET_HEADER, *[target_row(i, flags="投诉举报多" if i == 2 else "") for i in range(1, 4)]])
    import_job_create(actor=world.users["a_admin"], kind="targets", uploaded_file=SimpleUploadedFile("a.xlsx", data))
    exported = world.client("a_admin").get("/directory/targets/export/").content
    job = import_job_create(
        actor=world.users["a_admin"], kind="targets", uploaded_file=SimpleUploadedFile("export.xlsx", exported)
    )
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)


def test_export_of_many_rows(world: World) -> None:
    owner = world.orgs["a"]
    specialty = world.targets["a"].specialties.first()
    objs = Target.objects.bulk_create(
        [Target(owner=owner, code=uscc(i), uscc=uscc(i), name=f"对象{i}", region=world.regions["a"]) for i in range(3000)]
    )
    Target.specialties.through.objects.bulk_create(
        [Target.specialties.through(target_id=t.pk, specialty_id=specialty.pk) for t in objs]  # type: ignore[union-attr]
    )
    content = exporters.export_xlsx("targets", Target.objects.filter(owner=owner).prefetch_related("specialties"))
    rows = sheets(content)["检查对象"]
    assert len(rows) == 3002 and rows[-1][4] == "公共场所卫生"


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("kind", ["targets", "inspectors", "items"])
def test_templates(world: World, kind: str) -> None:
    client = world.client("a_admin")
    content = client.get(f"/directory/{kind}/template.xlsx").content
    book = sheets(content)
    first = next(iter(book.values()))
    assert [h.rstrip("*") for h in first[0]] == [c.header for c in COLUMNS[kind]]
    assert "填写说明" in book and "可选值" in book
    assert "公共场所卫生" in [row[0] for row in book["可选值"]]
    if kind == "targets":
        assert any("莲池区（130606）" in row for row in book["可选值"])
        assert not any("涞源县（130630）" in row for row in book["可选值"])
    csv_content = client.get(f"/directory/{kind}/template.csv").content
    assert csv_content.startswith(b"\xef\xbb\xbf")
    assert csv_content.decode("utf-8-sig").strip().split(",")[0].rstrip("*") == COLUMNS[kind][0].header


def test_empty_template_imports_to_a_clear_message(world: World) -> None:
    content = world.client("a_admin").get("/directory/targets/template.xlsx").content
    job = import_job_create(actor=world.users["a_admin"], kind="targets", uploaded_file=SimpleUploadedFile("t.xlsx", content))
    assert job.status == ImportStatus.FAILED and "没有数据行" in job.message


# ---------------------------------------------------------------- pages


def test_upload_page_runs_the_import_and_shows_the_result(world: World) -> None:
    client = world.client("a_admin")
    assert client.get("/directory/targets/import/").status_code == 200
    data = xlsx_bytes([TARGET_HEADER, target_row(1), target_row(2, uscc="123")])
    response = client.post("/directory/targets/import/", {"file": SimpleUploadedFile("坏.xlsx", data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/directory/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "校验未通过" in page and "统一社会信用代码应为18位" in page and "数据库中的数据没有任何改变" in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="import-progress"') and "hx-get" not in partial.split(">")[0]
    assert "坏.xlsx" in client.get("/directory/imports/").content.decode()


def test_import_detail_is_scoped(world: World) -> None:
    job = import_job_create(
        actor=world.users["a_admin"], kind="targets",
        uploaded_file=SimpleUploadedFile("a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1)])),
    )
    url = f"/directory/imports/{job.pk}/"
    assert Client().get(url).status_code == 302
    assert world.client("b_admin").get(url).status_code == 404
    assert world.client("a_staff").get(url).status_code == 200
    assert world.client("city_supervisor").get(url).status_code == 200  # read-only upper level
    assert job.pk not in [j.pk for j in world.client("b_admin").get("/directory/imports/").context["jobs"]]


def test_pending_job_page_polls_for_progress(world: World, settings: Any) -> None:
    settings.IMPORT_INLINE_MAX_BYTES = 0
    response = world.client("a_admin").post(
        "/directory/targets/import/",
        {"file": SimpleUploadedFile("a.csv", ",".join(TARGET_HEADER).encode() + b"\n")},
    )
    page = world.client("a_admin").get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队中" in page


def test_wrong_files_get_a_form_error_never_a_500(world: World) -> None:
    client = world.client("a_admin")
    response = client.post("/directory/targets/import/", {"file": SimpleUploadedFile("a.xlsx", b"%PDF-1.7 not excel")})
    assert response.status_code == 200 and "不是有效的 Excel 工作簿" in response.content.decode()
    assert not ImportJob.objects.exists()
    response = client.post("/directory/targets/import/", {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")})
    assert "不支持的文件类型" in response.content.decode()


def test_fifty_megabyte_files(world: World, settings: Any) -> None:
    client = world.client("a_admin")
    junk = os.urandom(50 * 1024 * 1024)
    response = client.post("/directory/targets/import/", {"file": SimpleUploadedFile("大文件.xlsx", junk)})
    assert response.status_code == 200 and "不是有效的 Excel 工作簿" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 40 * 1024 * 1024
    response = client.post("/directory/targets/import/", {"file": SimpleUploadedFile("大文件.csv", junk)})
    assert response.status_code == 200 and "文件过大（50.0 MB）" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_roles_without_permission_get_403_on_upload(world: World) -> None:
    response = world.client("a_inspector").post(
        "/directory/targets/import/", {"file": SimpleUploadedFile("a.xlsx", xlsx_bytes([TARGET_HEADER, target_row(1)]))}
    )
    assert response.status_code in (200, 403)
    assert not Target.objects.filter(code=uscc(1)).exists()
