"""The set-based write of large target registers (import_bulk) against the row path, on SQLite and PostgreSQL.

Each scenario runs the same files through the row path and through the set-based path (inside a savepoint
that is rolled back between the two) and compares what ends up in the database: the targets, their 专业,
their history rows, the audit entries and the job's counts and errors.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse
from tests.conftest import World
from tests.directory.import_files import TARGET_HEADER, csv_bytes, target_row, upload, uscc, xlsx_bytes

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import import_bulk, import_services, importers
from shuangsuiji.directory.import_services import import_job_create
from shuangsuiji.directory.models import ImportJob, ImportStatus, Target

LEGACY_LICENCE = "冀卫公证字〔2019〕第130606-000777号"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def run(world: World, name: str, data: bytes) -> ImportJob:
    return import_job_create(actor=world.users["a_admin"], kind="targets", uploaded_file=upload(name, data))


def snapshot(world: World, jobs: list[ImportJob]) -> dict[str, Any]:
    """What the imports left, keyed by target code (ids differ between the two runs)."""
    owned = Target.objects.filter(owner=world.orgs["a"])
    code_of = dict(owned.values_list("id", "code"))
    tracked = [f.attname for f in Target._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")]
    targets = {
        t.code: ({name: getattr(t, name) for name in tracked}, t.updated_at > t.created_at,
                 sorted(t.specialties.values_list("code", flat=True)))
        for t in owned.prefetch_related("specialties")
    }
    history_fields = [f.attname for f in Target.history.model._meta.concrete_fields
                      if f.attname not in ("history_id", "history_date", "created_at", "id")]
    history = [
        (code_of.get(h["id"]), *(h[name] for name in history_fields))
        for h in Target.history.filter(owner_id=world.orgs["a"].pk).order_by("history_id").values("id", *history_fields)
    ]
    audit = [(e.event, {k: v for k, v in e.changes.items() if k != "sha256"})
             for e in AuditEntry.objects.filter(event="import.targets").order_by("seq")]
    outcome = [(j.status, j.created_count, j.updated_count, j.unchanged_count, j.total_rows, j.errors) for j in jobs]
    return {"targets": targets, "history": history, "audit": audit, "jobs": outcome}


def both_paths(settings: Any, world: World, scenario: Callable[[], list[ImportJob]]) -> tuple[dict[str, Any], dict[str, Any]]:
    results = []
    for min_rows in (10**9, 0):  # the row path, then the set-based path
        settings.IMPORT_SET_BASED_MIN_ROWS = min_rows
        savepoint = transaction.savepoint()
        jobs = scenario()
        results.append(snapshot(world, jobs))
        transaction.savepoint_rollback(savepoint)
    return results[0], results[1]


def register(numbers: range, **overrides: Any) -> list[list[Any]]:
    return [target_row(i, **overrides) for i in numbers]


# ---------------------------------------------------------------- same result as the row path


def test_first_import_and_reimport_with_changes_match_the_row_path(settings: Any, world: World) -> None:
    first = [
        TARGET_HEADER,
        *register(range(1, 30)),
        target_row(30, specialties="公共场所卫生、生活饮用水卫生", risk="C类", flags="投诉举报多；黑名单", date=45127),
        target_row(31, address="", phone="", status="", risk="", date="", result=""),  # blank cells: defaults
        target_row(32, uscc="", licence=LEGACY_LICENCE),  # legacy unit, keyed by its licence
        target_row(33, phone="0312-5012345"),
    ]
    second = [
        TARGET_HEADER,
        *register(range(1, 10)),  # unchanged
        target_row(10, risk="D"),  # one field
        target_row(11, phone="13900001111"),  # the encrypted phone only
        target_row(12, specialties="公共场所卫生、医疗卫生"),  # the 专业 only
        target_row(13, risk="", phone="", address=""),  # blank cells keep the stored values: unchanged
        target_row(14, flags="受过行政处罚"),  # JSON list
        target_row(15, date="2024-03-01", result="责令改正"),
        target_row(30, specialties="公共场所卫生、生活饮用水卫生", risk="C类", flags="投诉举报多；黑名单", date=45127),
        target_row(31, address="保定市莲池区裕华路1号"),  # a blank stored value gets one
        target_row(32, licence=LEGACY_LICENCE),  # the legacy unit now has a USCC: same target, new code
        *register(range(40, 45)),  # new
    ]

    def scenario() -> list[ImportJob]:
        return [run(world, "a.xlsx", xlsx_bytes(first)), run(world, "b.csv", csv_bytes(second))]

    row_path, set_path = both_paths(settings, world, scenario)
    assert set_path["jobs"] == row_path["jobs"]
    assert [j[:4] for j in set_path["jobs"]] == [("done", 33, 0, 0), ("done", 5, 7, 11)]
    assert set_path["targets"] == row_path["targets"]
    assert set_path["history"] == row_path["history"]
    assert set_path["audit"] == row_path["audit"]
    assert len(set_path["history"]) == 1 + 33 + 5 + 7  # the world's target of county a has one
    upgraded = set_path["targets"][uscc(32)]
    assert upgraded[0]["uscc"] == uscc(32) and f"L:{LEGACY_LICENCE}" not in set_path["targets"]
    phone_changed = set_path["targets"][uscc(11)]
    assert phone_changed[0]["contact_phone"] == "13900001111" and phone_changed[1]
    assert set_path["targets"][uscc(13)][0]["contact_phone"] == "13812345678"


def test_bad_rows_and_two_rows_for_one_target_match_the_row_path(settings: Any, world: World) -> None:
    licence = "冀卫公证字〔2019〕第130606-000888号"
    legacy = [TARGET_HEADER, target_row(50, uscc="", licence=licence)]
    # row 2 upgrades the legacy unit by its licence, row 3 names the same unit by the same licence
    twice = [TARGET_HEADER, target_row(50, licence=licence), target_row(51, uscc="", licence=licence),
             *register(range(60, 70))]
    bad = [TARGET_HEADER, *register(range(70, 80)), target_row(80, phone="12345"), target_row(81, region="火星区")]

    def scenario() -> list[ImportJob]:
        return [run(world, "legacy.csv", csv_bytes(legacy)), run(world, "twice.csv", csv_bytes(twice)),
                run(world, "bad.csv", csv_bytes(bad))]

    row_path, set_path = both_paths(settings, world, scenario)
    assert set_path == row_path
    _, failed_twice, failed_bad = set_path["jobs"]
    assert failed_twice[0] == "failed" and failed_twice[5] == [
        {"row": 3, "column": "许可证号", "value": licence, "reason": "与第2行指向名录库中的同一检查对象"}
    ]
    assert failed_bad[0] == "failed" and {(e["row"], e["column"]) for e in failed_bad[5]} == {(12, "联系电话"), (13, "所属区划")}
    assert f"L:{licence}" in set_path["targets"] and uscc(50) not in set_path["targets"]
    assert len(set_path["audit"]) == 1  # only the first import


# ---------------------------------------------------------------- all or nothing on the set-based path


def test_bad_row_late_in_a_large_file_writes_nothing(settings: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.IMPORT_SET_BASED_MIN_ROWS = 0
    monkeypatch.setattr(import_services, "STAGE_CHUNK", 100)  # rows are staged before the bad one is read
    staged: list[int] = []
    original_add = import_bulk.TargetStage.add
    monkeypatch.setattr(import_bulk.TargetStage, "add", lambda self, rows: (staged.append(len(rows)), original_add(self, rows)))
    before = Target.objects.count(), Target.history.count(), AuditEntry.objects.count()
    rows = [TARGET_HEADER, *register(range(1, 951)), target_row(951, date="2023-02-30"), *register(range(952, 1000))]
    job = run(world, "big.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED and "共 1 处错误" in job.message
    assert job.errors == [{"row": 952, "column": "最近检查日期", "value": "2023-02-30", "reason": job.errors[0]["reason"]}]
    assert sum(staged) == 900  # staging stops at the chunk with the bad row, checking goes on to the end
    assert (Target.objects.count(), Target.history.count(), AuditEntry.objects.count()) == before
    assert not _stage_exists()


def test_crash_during_the_set_based_write_rolls_everything_back(
    settings: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_SET_BASED_MIN_ROWS = 0
    run(world, "a.csv", csv_bytes([TARGET_HEADER, *register(range(1, 11))]))
    before = (sorted(Target.objects.values_list("code", "risk_class")), Target.history.count(),
              AuditEntry.objects.count(), Target.specialties.through.objects.count())

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # the new targets are inserted and the changed ones updated, then writing their history fails
    monkeypatch.setattr(import_bulk.TargetStage, "_history", disk_full)
    job = run(world, "b.csv", csv_bytes([TARGET_HEADER, *register(range(1, 21), risk="D")]))
    assert job.status == ImportStatus.ERROR and "已全部撤销" in job.message
    after = (sorted(Target.objects.values_list("code", "risk_class")), Target.history.count(),
             AuditEntry.objects.count(), Target.specialties.through.objects.count())
    assert after == before
    assert not _stage_exists()


def _stage_exists() -> bool:
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute(f"SELECT 1 FROM {import_bulk.STAGE} LIMIT 1")  # nosec B608 - fixed name
        except Exception:
            return False
    return True


def test_row_limit_counts_the_whole_file(settings: Any, world: World) -> None:
    settings.IMPORT_SET_BASED_MIN_ROWS = 0
    settings.IMPORT_MAX_ROWS = 30
    job = run(world, "a.csv", csv_bytes([TARGET_HEADER, *register(range(1, 41))]))
    assert job.status == ImportStatus.FAILED
    assert job.message == "文件共有 40 行数据，超过单次导入上限 30 行，请拆分后分批导入"
    assert not Target.objects.filter(code=uscc(1)).exists()


# ---------------------------------------------------------------- progress of a background import


def test_background_import_reports_progress_through_every_phase(
    settings: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_SET_BASED_MIN_ROWS = 0
    monkeypatch.setattr(import_services, "STAGE_CHUNK", 50)
    seen: list[tuple[int, int, str]] = []
    original = import_services._JobProgress.__call__

    def record(self: Any, done: int, total: int, message: str) -> None:
        seen.append((done, total, message))
        original(self, done, total, message)

    monkeypatch.setattr(import_services._JobProgress, "__call__", record)
    data = csv_bytes([TARGET_HEADER, *register(range(1, 201))])
    job = ImportJob.objects.create(
        owner=world.orgs["a"], created_by=world.users["a_admin"], kind="targets", file_name="a.csv",
        file_path=str(Path(settings.MEDIA_ROOT) / "a.csv"), status=ImportStatus.PENDING,
    )
    Path(job.file_path).write_bytes(data)
    from shuangsuiji.directory.tasks import import_job_task

    import_job_task.call_local(job.pk)  # what the huey consumer runs
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 200 and job.progress_percent == 100
    checking = [done for done, _, message in seen if message == "正在逐行校验"]
    assert checking == [0, 50, 100, 150, 200]
    assert all(total >= 200 for _, total, _ in seen[1:])  # the estimate (lines in the file), then the count
    messages = [message for _, _, message in seen]
    assert messages.index("校验通过，正在写入数据库") < messages.index("正在写入新增的 200 个检查对象")
    assert "正在写入审计记录并提交" in messages


def test_import_page_shows_a_running_jobs_progress(world: World) -> None:
    job = ImportJob.objects.create(
        owner=world.orgs["a"], created_by=world.users["a_admin"], kind="targets", file_name="省名录.csv",
        file_path="/nonexistent", status=ImportStatus.RUNNING, total_rows=1_000_000, processed_rows=250_000,
        message="正在逐行校验",
    )
    client = world.client("a_admin")
    response = client.get(reverse("directory:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "正在逐行校验" in html and "25%" in html and 'hx-trigger="every 1s"' in html
    assert "共 1000000 行，已处理 250000 行" in html


# ---------------------------------------------------------------- streaming reader


def test_streamed_table_has_the_rows_and_numbers_of_read_table(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "offset.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("说明").write(0, 0, "填表说明")
    sheet = workbook.add_worksheet("检查对象")
    for r, row in enumerate([TARGET_HEADER, target_row(1), [], target_row(2)]):
        for c, value in enumerate(row):
            sheet.write_string(r + 2, c + 1, str(value))  # the table starts at B3
    workbook.close()
    csv_path = tmp_path / "gbk.csv"
    csv_path.write_bytes(csv_bytes([["名录"], TARGET_HEADER, target_row(1), target_row(2, name="多行\n名称")], encoding="gbk"))
    for file in (path, csv_path):
        whole = importers.read_table(file, file_name=file.name, kind="targets", max_rows=100)
        streamed = importers.table_from_stream(importers.open_table(file, file_name=file.name, kind="targets"), max_rows=100)
        assert (streamed.headers, streamed.header_row) == (whole.headers, whole.header_row)
        assert [(n, [c or "" for c in cells]) for n, cells in streamed.rows] == [
            (n, [c or "" for c in cells]) for n, cells in whole.rows
        ]
    assert whole.header_row == 2 and [n for n, _ in whole.rows] == [3, 4]


def test_csv_encoding_is_found_without_reading_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    text = "单位名称,专业类别\n" + "莲池区宾馆,公共场所卫生\n" * 5000
    for encoding, expected in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("utf-16", "utf-16")):
        path.write_bytes(text.encode(encoding))
        assert importers.csv_encoding(path) == expected
    path.write_bytes("单位名称\n".encode() * 5000 + b"abc\xff\xff\xff")
    with pytest.raises(ApplicationError, match="无法识别文件编码"):
        importers.csv_encoding(path)


def test_dates_staged_as_the_database_stores_them(settings: Any, world: World) -> None:
    settings.IMPORT_SET_BASED_MIN_ROWS = 0
    job = run(world, "a.csv", csv_bytes([TARGET_HEADER, target_row(1, date="2023年7月20日"), target_row(2, date="")]))
    assert job.status == ImportStatus.DONE
    assert Target.objects.get(code=uscc(1)).last_inspected_on == datetime.date(2023, 7, 20)
    assert Target.objects.get(code=uscc(2)).last_inspected_on is None
