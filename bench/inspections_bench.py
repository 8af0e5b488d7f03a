"""Benchmark of inspections: 一企一表 generation, result entry + review, PDF printing, ledger export.

Runs on a throw-away in-memory SQLite database (migrated at start) unless SSJ_DB_ENGINE says otherwise.
Each figure is printed next to a baseline measured in the same run:
- generation vs. a bare bulk insert of the same rows (the floor of the database work);
- entry + review (with a photo re-encoded) vs. the photo re-encoding alone;
- a printed 一企一表 vs. an OfficialPdf with only its title block (font subsetting cost);
- the ledger export vs. writing the same number of rows of plain text with xlsxwriter.

Run: PYTHONPATH=src python bench/inspections_bench.py [--size small]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = {"small": (100, 10), "full": (1000, 40)}  # drawn targets, records entered/printed


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    if os.environ.get("SSJ_DB_ENGINE", "sqlite") == "sqlite":
        os.environ.setdefault("SSJ_SQLITE_PATH", ":memory:")
    os.environ.setdefault("SSJ_PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="ssj-bench-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _timed(label: str, func: Any, *, per: int = 1, unit: str = "") -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    each = f"  ({elapsed / per * 1000:.2f} ms per {unit})" if per > 1 else ""
    print(f"{label:<58} {elapsed:8.3f} s{each}")
    return elapsed, result


def build(n_targets: int) -> dict[str, Any]:
    from django.utils import timezone

    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User
    from shuangsuiji.core.uscc import complete_uscc
    from shuangsuiji.directory.models import CheckItem, Inspector, ItemStatus, Specialty, Target
    from shuangsuiji.draws.models import (
        Assignment,
        DrawnTarget,
        DrawStatus,
        InspectorMatch,
        MatchStatus,
        TargetDraw,
    )
    from shuangsuiji.planning.models import Task

    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    county = Region.objects.create(code="130606", name="莲池区", level=RegionLevel.COUNTY, parent=province)
    bureau = Organization.objects.create(name="莲池区卫生健康局", code="B", kind=OrganizationKind.HEALTH_BUREAU,
                                         region=county)
    culture = Organization.objects.create(name="莲池区文化广电和旅游局", code="C", kind=OrganizationKind.OTHER_DEPARTMENT,
                                          region=county, system="文化和旅游")
    admin = User.objects.create_user(username="admin", password="x" * 12, organization=bureau, role=Role.PROGRAM_ADMIN)
    staff = User.objects.create_user(username="staff", password="x" * 12, organization=bureau, role=Role.SECTION_STAFF)
    public, medical = Specialty.objects.get(code="public_places"), Specialty.objects.get(code="medical")
    items = []
    for k, (owner, specialty) in enumerate([(bureau, public), (bureau, public), (bureau, medical), (culture, public)]):
        items.append(CheckItem.objects.create(
            owner=owner, code=f"I{k}", specialty=specialty, name=f"抽查事项{k}", sub_items=["小项一", "小项二", "小项三"],
            legal_basis="《公共场所卫生管理条例》第三条", subject=owner.name, status=ItemStatus.PUBLISHED,
        ))
    targets = []
    for k in range(n_targets):
        uscc = complete_uscc(f"92130606MA{k:07d}")
        targets.append(Target(owner=bureau, uscc=uscc, code=uscc, name=f"测试单位{k}", address=f"东风路{k}号",
                              region=county))
    Target.objects.bulk_create(targets)
    targets = list(Target.objects.order_by("pk"))
    Target.specialties.through.objects.bulk_create(
        [Target.specialties.through(target_id=t.pk, specialty_id=(medical if i % 3 == 0 else public).pk)
         for i, t in enumerate(targets)]
    )
    inspectors = []
    for k in range(40):
        inspectors.append(Inspector.objects.create(
            owner=bureau, name=f"执法人员{k}", organization=bureau, region=county, licence_no=f"冀A{k:06d}",
            licence_valid_from=datetime.date(2020, 1, 1), licence_valid_to=datetime.date(2030, 12, 31),
        ))
    task = Task.objects.create(owner=bureau, code="2026-B-01", title="基准任务", year=2026, methods=["on_site"],
                               window_start=datetime.date(2026, 1, 5), window_end=datetime.date(2026, 12, 15))
    task.items.set(items)
    task.participants.set([culture])
    now = timezone.now()
    draw = TargetDraw.objects.create(owner=bureau, task=task, status=DrawStatus.CONFIRMED, pool_digest="0" * 64,
                                     pool_file="x", frozen_by=admin, frozen_at=now, confirmed_by=admin, confirmed_at=now)
    DrawnTarget.objects.bulk_create([DrawnTarget(draw=draw, target=t, stratum="B", rank=i) for i, t in enumerate(targets)])
    match = InspectorMatch.objects.create(owner=bureau, task=task, draw=draw, status=MatchStatus.CONFIRMED, record={},
                                          record_digest="0" * 64, matched_by=admin, matched_at=now)
    Assignment.objects.bulk_create([
        Assignment(match=match, drawn_target=dt, inspector=inspectors[(i * 2 + slot) % 40], slot=slot + 1)
        for i, dt in enumerate(DrawnTarget.objects.filter(draw=draw).order_by("pk")) for slot in range(2)
    ])
    return {"task": task, "admin": admin, "staff": staff, "bureau": bureau, "draw": draw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    args = parser.parse_args()
    n_targets, n_entered = SIZES[args.size]
    _setup_django()
    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from PIL import Image

    from shuangsuiji.common.documents import OfficialPdf
    from shuangsuiji.inspections import documents, exporters, selectors, uploads
    from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord, RecordItem
    from shuangsuiji.inspections.services import (
        ResultEntry,
        record_review,
        record_submit_result,
        records_generate_for_task,
    )

    traveller = time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=True)
    traveller.start()
    print(f"inspections benchmark: {n_targets} drawn targets, {n_entered} records entered and printed")
    world = build(n_targets)
    task, admin, staff = world["task"], world["admin"], world["staff"]

    def baseline_insert() -> None:
        with transaction.atomic():
            rows = [InspectionRecord(owner=world["bureau"], task=task, draw=world["draw"], drawn_target_id=dt.pk,
                                     target_id=dt.target_id, number=f"X{dt.pk}")
                    for dt in world["draw"].selections.all()]
            InspectionRecord.objects.bulk_create(rows)
            made = list(InspectionRecord.objects.filter(task=task))
            RecordItem.objects.bulk_create([RecordItem(record=r, department=world["bureau"], name="x")
                                            for r in made for _ in range(3)])
            transaction.set_rollback(True)

    _timed("baseline: bulk insert of the same records and items", baseline_insert, per=n_targets, unit="record")
    _, result = _timed("records_generate_for_task", lambda: records_generate_for_task(actor=admin, task=task),
                       per=n_targets, unit="record")
    assert len(result.created) == n_targets
    _timed("records_generate_for_task again (idempotent re-run)",
           lambda: records_generate_for_task(actor=admin, task=task), per=n_targets, unit="record")

    photo = io.BytesIO()
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(photo, "JPEG", quality=90)
    photo_bytes = photo.getvalue()
    records = list(InspectionRecord.objects.filter(task=task).order_by("number")[:n_entered])

    _timed("baseline: photo re-encoding alone (1600×1200 JPEG)",
           lambda: [uploads.reencode_image(photo_bytes, keep_location=False) for _ in records], per=n_entered,
           unit="photo")

    def enter_all() -> None:
        for i, record in enumerate(records):
            items = list(record.items.all())
            fail = i % 2 == 1
            findings = {it.pk: ("pass", "") for it in items}
            if fail:
                findings[items[0].pk] = ("fail", "从业人员无健康合格证明")
            entry = ResultEntry(
                methods=["on_site"], inspected_on=datetime.date(2026, 11, 20), findings=findings,
                result_codes=["21"] if fail else ["10"], present_member_ids=[m.pk for m in record.members.all()],
                signature_kind="refused", refusal_reason="拒绝", refusal_witness="见证人", rectify_workdays=10,
            )
            upload = SimpleUploadedFile(f"{i}.jpg", photo_bytes, content_type="image/jpeg")
            submitted = record_submit_result(actor=admin, record=record, entry=entry, evidence_files=[upload])
            record_review(actor=staff, record=submitted, approve=True)

    _timed("entry (with one photo) + review + cases opened", enter_all, per=n_entered, unit="record")
    print(f"{'  follow-up cases opened':<58} {FollowUpCase.objects.count():8d}")

    def bare_pdf() -> None:
        for _ in records:
            OfficialPdf(title=documents.TITLE, serial="X", qr_text="https://example.org/gs/draws/1/verify/").to_bytes()

    _timed("baseline: OfficialPdf title block + QR only", bare_pdf, per=n_entered, unit="PDF")
    printable = [selectors.record_for_print(actor=admin, pk=r.pk) for r in records]
    _, sizes = _timed("record_pdf (一企一表, filled)", lambda: [len(documents.record_pdf(r)) for r in printable],
                      per=n_entered, unit="PDF")
    print(f"{'  mean PDF size':<58} {sum(sizes) / len(sizes) / 1024:8.1f} KB")
    _timed("record_docx (Word, docxtpl)", lambda: [documents.record_docx(r) for r in printable[:10]], per=min(10, n_entered),
           unit="docx")

    rows = selectors.ledger_rows(selectors.case_list(actor=admin, filters={"status": "all"}))

    def baseline_xlsx() -> None:
        import xlsxwriter

        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet()
        for r in range(len(rows)):
            for c in range(len(exporters.LEDGER_COLUMNS)):
                sheet.write(r, c, "x")
        book.close()

    _timed("baseline: plain xlsx of the same size", baseline_xlsx, per=max(1, len(rows)), unit="row")
    _timed("ledger_xlsx export", lambda: exporters.ledger_xlsx(rows), per=max(1, len(rows)), unit="row")
    traveller.stop()


if __name__ == "__main__":
    main()
