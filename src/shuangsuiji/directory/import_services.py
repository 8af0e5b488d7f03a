"""Import of targets, inspectors and items: upload → read → check every row → write all or nothing.

`import_job_create` stores the upload and either runs it at once (small files) or hands it to the huey
consumer (`directory.tasks`), `import_job_run` does the work and records the outcome on the ImportJob,
`import_file` is the same pipeline without a job (CLI, benchmark). Rows are upserted by their key
(USCC or "L:<licence>" for targets, 执法证号 or ID number for inspectors, 事项编码 for items), so
re-importing a file changes nothing. Rows are written with bulk_create/bulk_update in batches inside one
transaction together with their history rows and one audit entry; any error rolls everything back.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import Perm, bureau_for_write, user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.crypto import EncryptedTextField
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import events, import_bulk, importers
from shuangsuiji.directory.importers import Lookups, ValidationResult, iter_chunks, normalize_key
from shuangsuiji.directory.models import (
    CheckItem,
    ImportJob,
    ImportKind,
    ImportStatus,
    Inspector,
    InspectorKind,
    InspectorStatus,
    ItemKind,
    ItemStatus,
    RiskClass,
    Specialty,
    Target,
    TargetStatus,
)

logger = logging.getLogger(__name__)

BATCH = 2000
DEFAULT_MAX_ROWS = 1_100_000
DEFAULT_SET_BASED_MIN_ROWS = 2000
STAGE_CHUNK = 10_000
DEFAULT_INLINE_MAX_BYTES = 512 * 1024
SPECIALTY_ALIASES: dict[str, tuple[str, ...]] = {
    "public_places": ("公共场所", "公共场所卫生监督"),
    "drinking_water": ("生活饮用水", "饮用水", "饮用水卫生", "供水"),
    "water_products": ("涉水产品卫生", "涉及饮用水卫生安全产品"),
    "disinfection_products": ("消毒产品卫生", "消毒"),
    "tableware_disinfection": ("餐饮具集中消毒", "餐饮具消毒", "餐饮具集中消毒服务"),
    "medical": ("医疗机构", "医疗卫生", "医疗", "医疗服务", "医政", "中医", "医师执业", "护士执业"),
    "radiation": ("放射诊疗", "放射卫生", "放射", "放射防护"),
    "infectious_disease": ("传染病", "传染病防治卫生"),
    "blood_safety": ("血液", "采供血", "血站", "临床用血"),
    "occupational": ("职业病防治", "职业健康", "职业病危害"),
    "family_planning": ("计划生育技术服务", "计生", "母婴保健"),
    "school": ("学校", "学校卫生监督"),
    "childcare": ("托育", "托幼", "托育机构", "托育服务"),
}


@dataclass
class ImportOutcome:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 300 * 1024 * 1024))


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# ---------------------------------------------------------------- upload and job


def import_job_create(*, actor: User, kind: str, uploaded_file: UploadedFile) -> ImportJob:
    """Store the upload, check it is a readable kind of file, create the job and run or enqueue it."""
    if kind not in ImportKind.values:
        raise ApplicationError("未知的导入类型")
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    file_name = Path(uploaded_file.name or "upload").name[:200]
    size = uploaded_file.size or 0
    if size == 0:
        raise ApplicationError("上传的文件是空的")
    if size > max_bytes():
        raise ApplicationError(
            f"文件过大（{_size_text(size)}）：单个导入文件不能超过 {_size_text(max_bytes())}，请拆分后分批导入"
        )
    suffix = Path(file_name).suffix.lower()[:10]
    path = _import_dir() / f"{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    head = b""
    with open(path, "wb") as out:
        for chunk in uploaded_file.chunks():
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            out.write(chunk)
    try:
        importers.sniff_format(head, file_name)
    except ApplicationError:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        owner=bureau, created_by=actor, kind=kind, file_name=file_name, file_path=str(path),
        file_sha256=digest.hexdigest(), status=ImportStatus.PENDING, message="等待处理",
    )
    inline_limit = int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX_BYTES))
    if size <= inline_limit:
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        from shuangsuiji.directory.tasks import import_job_task

        job_id = job.pk
        transaction.on_commit(lambda: import_job_task(job_id))
    return job


def _job_update(job_id: int, **values: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


def import_job_run(*, job_id: int) -> ImportJob:
    """Run one job to its end; never raises (the outcome and any error are recorded on the job)."""
    job = ImportJob.objects.select_related("created_by", "owner").get(pk=job_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return job
    _job_update(job_id, status=ImportStatus.RUNNING, message="正在读取文件")
    progress = _JobProgress(job_id)
    try:
        outcome = import_file(
            actor=job.created_by, kind=job.kind, path=Path(job.file_path), file_name=job.file_name, job=job,
            progress=progress,
        )
    except ApplicationError as exc:
        _job_update(job_id, status=ImportStatus.FAILED, message=exc.message[:255], finished_at=timezone.now())
    except Exception:
        logger.exception("import job %s crashed", job_id)
        _job_update(
            job_id, status=ImportStatus.ERROR, finished_at=timezone.now(),
            message="导入过程中发生系统错误，已全部撤销，未保存任何数据。请稍后重试或联系管理员。",
        )
    else:
        if outcome.ok:
            _job_update(
                job_id, status=ImportStatus.DONE, total_rows=outcome.total_rows, processed_rows=outcome.total_rows,
                created_count=outcome.created, updated_count=outcome.updated, unchanged_count=outcome.unchanged,
                errors=[], finished_at=timezone.now(),
                message=f"导入完成：新增 {outcome.created} 条，更新 {outcome.updated} 条，未变化 {outcome.unchanged} 条",
            )
        else:
            shown = "" if outcome.error_count <= len(outcome.errors) else f"（仅列出前 {len(outcome.errors)} 处）"
            _job_update(
                job_id, status=ImportStatus.FAILED, errors=outcome.errors, total_rows=outcome.total_rows,
                finished_at=timezone.now(),
                message=f"校验未通过：共 {outcome.error_count} 处错误{shown}，未导入任何数据",
            )
    finally:
        progress.close()
    job.refresh_from_db()
    return job


class _JobProgress:
    """Writes a job's progress where the import page can see it.

    Outside a transaction through the default connection. Inside the import's write transaction on
    PostgreSQL through a second connection of its own (autocommit), so the page follows the set-based write
    of a large register too; on SQLite (one writer at a time) the write phase shows at its start and end."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side: Any = None

    def __call__(self, done: int, total: int, message: str) -> None:
        if not (connection.in_atomic_block and connection.vendor == "postgresql"):
            _job_update(self.job_id, processed_rows=done, total_rows=total, message=message)
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET processed_rows = %s, total_rows = %s, message = %s, updated_at = %s "  # nosec B608
                "WHERE id = %s",
                [done, total, message[:255], timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


# A running job writes its progress at least every few seconds; one silent for this long lost its worker
# (killed, machine restarted). Its transaction was rolled back by the database, so nothing of it was saved.
STALE_JOB_MINUTES = 15


def import_jobs_expire_stale(*, now: Any = None) -> int:
    """Mark jobs whose worker died as 系统错误 (their data were never committed); the number marked.

    Run by the huey job every 5 minutes and when the import pages are opened, so a job never shows "导入中"
    forever. System bookkeeping of a job's own status row, not a user's change: no audit entry."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=STALE_JOB_MINUTES)
    return ImportJob.objects.filter(status=ImportStatus.RUNNING, updated_at__lt=cutoff).update(
        status=ImportStatus.ERROR, finished_at=now, updated_at=now,
        message=f"导入进程中断（超过 {STALE_JOB_MINUTES} 分钟没有进展），已全部撤销，未保存任何数据。请重新导入。",
    )


ProgressFn = Callable[[int, int, str], None]


def set_based_min_rows() -> int:
    """Target files of about this many rows or more are written set-based (`import_bulk`)."""
    return int(getattr(settings, "IMPORT_SET_BASED_MIN_ROWS", DEFAULT_SET_BASED_MIN_ROWS))


def import_file(
    *, actor: User, kind: str, path: Path, file_name: str, job: ImportJob | None = None,
    progress: ProgressFn | None = None, today: date | None = None, timings: dict[str, float] | None = None,
) -> ImportOutcome:
    """Read, check and write one file for `actor`'s bureau. ApplicationError for file-level problems.

    Large target registers take the set-based path (`import_bulk`: staged while read, then a few set-based
    statements); other files are read whole, checked, and written row-wise. `timings`, when given, receives
    the seconds spent reading, validating (and staging) and writing (benchmark)."""
    clock = time.perf_counter()
    timings = timings if timings is not None else {}
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    if job is not None and job.owner_id != bureau.pk:
        raise ApplicationError("导入任务不属于您的单位")
    if kind == ImportKind.TARGETS and import_bulk.supported():
        stream = importers.open_table(path, file_name=file_name, kind=kind)
        if stream.estimated_rows >= set_based_min_rows():
            return _import_targets_staged(
                actor=actor, bureau=bureau, stream=stream, job=job, file_name=file_name, progress=progress,
                today=today, timings=timings, clock=clock,
            )
        table = importers.table_from_stream(stream, max_rows=max_rows())
    else:
        table = importers.read_table(path, file_name=file_name, kind=kind, max_rows=max_rows())
    timings["read"] = time.perf_counter() - clock
    total = len(table.rows)
    if progress:
        progress(0, total, "正在逐行校验")
    lookups = build_lookups(bureau=bureau, kind=kind, today=today or timezone.localdate())
    result = importers.validate_rows(
        table, kind=kind, lookups=lookups,
        progress=(lambda done: progress(done, total, "正在逐行校验")) if progress else None,
    )
    timings["validate"] = time.perf_counter() - clock - timings["read"]
    if result.total_rows == 0:
        raise ApplicationError("文件中没有数据行（表头下面是空的）")
    outcome = ImportOutcome(
        total_rows=result.total_rows, errors=result.errors, error_count=result.error_count
    )
    if not outcome.ok:
        return outcome
    if progress:
        progress(total, total, "校验通过，正在写入数据库")
    writer = WRITERS[kind]

    def write() -> list[dict[str, Any]]:
        return writer(actor=actor, bureau=bureau, result=result, outcome=outcome, file_name=file_name)

    _write_with_audit(actor=actor, kind=kind, job=job, file_name=file_name, outcome=outcome, write=write)
    timings["write"] = time.perf_counter() - clock - timings["read"] - timings["validate"]
    return outcome


def _write_with_audit(
    *, actor: User, kind: str, job: ImportJob | None, file_name: str, outcome: ImportOutcome,
    write: Callable[[], list[dict[str, Any]]],
) -> None:
    """Run `write` and the audit entry in one transaction; errors it returns roll everything back."""
    try:
        with transaction.atomic():
            db_errors = write()
            if db_errors:
                raise _RollBack(db_errors)
            audit_record(
                actor=actor, event=events.import_event(kind), target=job,
                changes={
                    "file": file_name, "rows": outcome.total_rows, "created": outcome.created,
                    "updated": outcome.updated, "unchanged": outcome.unchanged,
                    "sha256": job.file_sha256 if job else "",
                },
            )
    except _RollBack as exc:
        outcome.errors = exc.errors[: importers.MAX_ERRORS]
        outcome.error_count = len(exc.errors)
        outcome.created = outcome.updated = outcome.unchanged = 0


def _import_targets_staged(
    *, actor: User, bureau: Organization, stream: importers.TableStream, job: ImportJob | None, file_name: str,
    progress: ProgressFn | None, today: date | None, timings: dict[str, float], clock: float,
) -> ImportOutcome:
    """Check the rows chunk by chunk while they are read, stage the good ones, then merge set-based.

    The staging happens outside the import's transaction (nothing of the register is touched, progress is
    visible); after the first bad row only checking goes on. All or nothing as the row path: a bad row, a
    row limit exceeded or a crash leaves the register as it was."""
    timings["read"] = time.perf_counter() - clock
    timings["stage"] = 0.0
    estimate = stream.estimated_rows
    report = progress or (lambda done, total, message: None)
    report(0, estimate, "正在逐行校验")
    lookups = build_lookups(bureau=bureau, kind=ImportKind.TARGETS, today=today or timezone.localdate())
    checker = importers.RowChecker(
        headers=stream.headers, header_row=stream.header_row, kind=ImportKind.TARGETS, lookups=lookups
    )
    stage = import_bulk.TargetStage(owner_id=bureau.pk)
    limit = max_rows()
    seen = 0
    try:
        stage.create()
        while chunk := list(itertools.islice(stream.rows, STAGE_CHUNK)):
            good = checker.check(chunk)
            seen += len(chunk)
            if checker.total > limit:
                rest = sum(1 for _, cells in stream.rows if not importers._is_empty(cells))
                raise ApplicationError(
                    f"文件共有 {checker.total + rest} 行数据，超过单次导入上限 {limit} 行，请拆分后分批导入"
                )
            if checker.errors.count == 0:
                started = time.perf_counter()
                stage.add(good)
                timings["stage"] += time.perf_counter() - started
            report(seen, max(estimate, seen), "正在逐行校验" if checker.errors.count == 0 else "正在逐行校验（已发现错误）")
        timings["validate"] = time.perf_counter() - clock - timings["read"] - timings["stage"]
        if checker.total == 0:
            raise ApplicationError("文件中没有数据行（表头下面是空的）")
        outcome = ImportOutcome(
            total_rows=checker.total, errors=checker.errors.items, error_count=checker.errors.count
        )
        if not outcome.ok:
            return outcome
        report(seen, seen, "校验通过，正在写入数据库")
        written = time.perf_counter()

        def write() -> list[dict[str, Any]]:
            counts = stage.merge(
                actor_id=actor.pk, now=timezone.now(), reason=f"批量导入：{file_name}"[:100],
                phase=lambda message: report(seen, seen, message),
            )
            if counts["errors"]:
                return list(counts["errors"])
            outcome.created, outcome.updated, outcome.unchanged = counts["created"], counts["updated"], counts["unchanged"]
            report(seen, seen, "正在写入审计记录并提交")
            return []

        _write_with_audit(actor=actor, kind=ImportKind.TARGETS, job=job, file_name=file_name, outcome=outcome, write=write)
        timings["write"] = time.perf_counter() - written
        return outcome
    finally:
        stage.drop()


class _RollBack(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("import rolled back")
        self.errors = errors


# ---------------------------------------------------------------- lookups


def build_lookups(*, bureau: Organization, kind: str, today: date) -> Lookups:
    """Names rows may use: 专业, regions and organizations within the bureau's scope."""
    specialties: dict[str, int] = {}
    for specialty in Specialty.objects.filter(is_active=True):
        names = {specialty.name, specialty.code, *specialty.name.split("/"), *SPECIALTY_ALIASES.get(specialty.code, ())}
        for name in names:
            specialties.setdefault(normalize_key(name), specialty.pk)
    in_scope: dict[str, int] = {}
    out_of_scope: set[str] = set()
    scope_path = bureau.region.path
    regions = list(Region.objects.select_related("parent", "parent__parent"))
    for region in regions:
        keys = {region.code, region.name, region.full_name}
        if region.parent is not None:
            keys.add(region.parent.name + region.name)
        if region.path.startswith(scope_path):
            for key in keys:
                in_scope.setdefault(normalize_key(key), region.pk)
        else:
            out_of_scope.update(normalize_key(k) for k in keys)
    has_children = any(r.path.startswith(scope_path) and r.pk != bureau.region_id for r in regions)
    organizations: dict[str, int] = {}
    orgs = Organization.objects.filter(Q(pk=bureau.pk) | Q(parent=bureau) | Q(parent__parent=bureau))
    for org in orgs:
        for key in (org.name, org.short_name, org.code):
            if key:
                organizations.setdefault(normalize_key(key), org.pk)
    return Lookups(
        specialties=specialties, regions_in_scope=in_scope, regions_out_of_scope=out_of_scope - set(in_scope),
        default_region_id=None if has_children else bureau.region_id, organizations=organizations,
        default_organization_id=bureau.pk, today=today,
    )


# ---------------------------------------------------------------- writers


def _error(row: int, column: str, value: Any, reason: str) -> dict[str, Any]:
    return {"row": row, "column": column, "value": str(value)[:100], "reason": reason}


TARGET_VALUE_FIELDS = [
    "uscc", "name", "address", "region_id", "licence_numbers", "legal_representative", "contact_person",
    "contact_phone", "status", "risk_class", "risk_flags", "last_inspected_on", "last_result",
]
TARGET_DEFAULTS: dict[str, Any] = {
    "uscc": "", "address": "", "licence_numbers": "", "legal_representative": "", "contact_person": "",
    "contact_phone": "", "status": TargetStatus.OPERATING, "risk_class": RiskClass.B, "risk_flags": [],
    "last_inspected_on": None, "last_result": "",
}
ROW_TO_FIELD = {"region": "region_id", "organization": "organization_id", "specialty": "specialty_id"}


@functools.lru_cache(maxsize=64)
def _field_names(keys: tuple[str, ...], skip: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(row key, model attname) pairs; rows of one file share their keys, so this runs once per file."""
    return tuple((key, ROW_TO_FIELD.get(key, key)) for key in keys if not key.startswith("_") and key not in skip)


def _row_values(row: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: row[key] for key, name in _field_names(tuple(row), skip)}


# ---- fast batched writes
# Django's bulk_create on SQLite is capped at 999 parameters per statement (~50 targets) and spends most of
# its time compiling SQL; executemany with values prepared once per field is ~10x faster on both databases
# and still goes through the fields' own get_db_prep_save (encryption, JSON, dates).
_PLAIN_TYPES = {
    "CharField", "TextField", "IntegerField", "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SmallIntegerField", "BooleanField", "ForeignKey", "AutoField", "BigAutoField",
}


class _Prep:
    """get_db_prep_save of one field; values repeated across rows (timestamps, dates, empty lists) are
    converted once. Encrypted fields are never cached: each value gets its own nonce."""

    def __init__(self, field: Any, db: Any) -> None:
        self.field = field
        self.db = db
        self.cache: dict[Any, Any] | None = None if isinstance(field, EncryptedTextField) else {}

    def __call__(self, value: Any) -> Any:
        if self.cache is None:
            return self.field.get_db_prep_save(value, connection=self.db)
        key = tuple(value) if isinstance(value, list) else value
        try:
            return self.cache[key]
        except KeyError:
            converted = self.field.get_db_prep_save(value, connection=self.db)
            if len(self.cache) < 50_000:
                self.cache[key] = converted
            return converted


def _converters(model: type[models.Model], attnames: list[str]) -> list[Callable[[Any], Any] | None]:
    db = connections[DEFAULT_DB_ALIAS]
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out: list[Callable[[Any], Any] | None] = []
    for name in attnames:
        field = fields[name]
        if field.get_internal_type() in _PLAIN_TYPES and not isinstance(field, EncryptedTextField):
            out.append(None)
        else:
            out.append(_Prep(field, db))
    return out


def _execute_many(model: type[models.Model], attnames: list[str], rows: list[tuple[Any, ...]], *, update: bool = False) -> None:
    """INSERT rows (or, with update=True, UPDATE … WHERE id = last value) in chunks of 5000."""
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    table = qn(model._meta.db_table)
    if update:
        names = attnames[:-1]
        sql = f"UPDATE {table} SET {', '.join(f'{qn(columns[n])} = %s' for n in names)} WHERE {qn(columns[attnames[-1]])} = %s"  # nosec B608
    else:
        cols = ", ".join(qn(columns[n]) for n in attnames)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(attnames))})"  # nosec B608
    converters = _converters(model, attnames)
    with connection.cursor() as cursor:
        for chunk in iter_chunks(rows, 5000):
            # Column-wise: zip/map run in C, ~4x faster than a generator per row for 100,000 rows.
            converted = [col if c is None else list(map(c, col)) for col, c in zip(zip(*chunk, strict=True), converters, strict=True)]
            prepared = list(zip(*converted, strict=True))
            if connection.vendor == "postgresql" and not update:
                # COPY is several times faster than executemany on PostgreSQL (values dumped in C).
                cols = ", ".join(qn(columns[n]) for n in attnames)
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(sql, prepared)


def _history_rows(
    model: type[models.Model], records: list[dict[str, Any]], *, kind: str, actor: User, now: Any, reason: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows of the simple-history table for `records` (attname → value dicts of the tracked model)."""
    history_model = model.history.model  # type: ignore[attr-defined]
    meta = {"history_date": now, "history_change_reason": reason, "history_type": kind, "history_user_id": actor.pk}
    names = [f.attname for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    return names, [tuple(meta[n] if n in meta else r[n] for n in names) for r in records]


def _create_targets(
    *, bureau: Organization, actor: User, rows: list[dict[str, Any]], now: Any, reason: str
) -> None:
    if not rows:
        return
    records = []
    for row in rows:
        record = {
            **TARGET_DEFAULTS, **_row_values(row, skip=("specialties",)), "owner_id": bureau.pk, "code": row["_key"],
            "created_at": now, "updated_at": now, "is_retired": False,
        }
        records.append(record)
    names = [f.attname for f in Target._meta.concrete_fields if f.attname != "id"]
    _execute_many(Target, names, [tuple(r[n] for n in names) for r in records])
    ids = _target_ids(bureau, [r["code"] for r in records])
    for record in records:
        record["id"] = ids[record["code"]]
    _execute_many(Target.history.model, *_history_rows(Target, records, kind="+", actor=actor, now=now, reason=reason))
    _execute_many(
        Target.specialties.through, ["target_id", "specialty_id"],
        [(record["id"], sid) for record, row in zip(records, rows, strict=True) for sid in row["specialties"]],
    )


def _scan_bureau(bureau: Organization, wanted: int) -> bool:
    """Whether reading all of the bureau's targets once beats looking `wanted` codes up in chunks of BATCH."""
    return wanted > BATCH and wanted * 4 >= Target.objects.filter(owner_id=bureau.pk).count()


def _target_ids(bureau: Organization, codes: list[str]) -> dict[str, int]:
    """code → id of `bureau`'s targets among `codes`: one query over the bureau when the file is a large part of
    it (compiling 100 queries of 1,000 parameters each costs more than reading the bureau's codes once)."""
    owned = Target.objects.filter(owner_id=bureau.pk)
    if _scan_bureau(bureau, len(codes)):
        wanted = set(codes)
        return {code: pk for code, pk in owned.values_list("code", "id").iterator(chunk_size=10_000) if code in wanted}
    return dict(owned.filter(code__in=codes).values_list("code", "id"))


def _write_targets(
    *, actor: User, bureau: Organization, result: ValidationResult, outcome: ImportOutcome, file_name: str
) -> list[dict[str, Any]]:
    now = timezone.now()
    reason = f"批量导入：{file_name}"[:100]
    rows = result.rows
    wanted: set[str] = set()
    for row in rows:
        wanted.add(row["_key"])
        if row.get("uscc") and row.get("licence_numbers"):
            wanted.add("L:" + row["licence_numbers"].split(";")[0])
    existing: dict[str, dict[str, Any]] = {}
    owned = Target.objects.filter(owner=bureau).values("id", "code", *TARGET_VALUE_FIELDS)
    through = Target.specialties.through
    current_specs: dict[int, list[int]] = {}
    if _scan_bureau(bureau, len(wanted)):
        existing = {rec["code"]: rec for rec in owned.iterator(chunk_size=10_000) if rec["code"] in wanted}
        known = {rec["id"] for rec in existing.values()}
        pairs = through.objects.filter(target__owner=bureau).values_list("target_id", "specialty_id")
        for target_id, specialty_id in pairs.iterator(chunk_size=20_000):
            if target_id in known:
                current_specs.setdefault(target_id, []).append(specialty_id)
    else:
        for chunk in iter_chunks(sorted(wanted), BATCH):
            existing.update((rec["code"], rec) for rec in owned.filter(code__in=chunk))
        ids = [rec["id"] for rec in existing.values()]
        for chunk in iter_chunks(ids, BATCH):
            for target_id, specialty_id in through.objects.filter(target_id__in=chunk).values_list("target_id", "specialty_id"):
                current_specs.setdefault(target_id, []).append(specialty_id)

    to_create: list[dict[str, Any]] = []
    changes: dict[int, dict[str, Any]] = {}
    spec_changes: dict[int, list[int]] = {}
    claimed: dict[int, int] = {}
    errors: list[dict[str, Any]] = []
    for row in rows:
        rec = existing.get(row["_key"])
        new_code = None
        if rec is None and row.get("uscc") and row.get("licence_numbers"):
            # A legacy unit (kept by licence no.) now has a USCC: the same target gets its proper code.
            rec = existing.get("L:" + row["licence_numbers"].split(";")[0])
            new_code = row["_key"] if rec is not None else None
        if rec is None:
            to_create.append(row)
            continue
        if rec["id"] in claimed:
            errors.append(_error(row["_row"], "许可证号", row.get("licence_numbers", ""),
                                 f"与第{claimed[rec['id']]}行指向名录库中的同一检查对象"))
            continue
        claimed[rec["id"]] = row["_row"]
        diff = {k: v for k, v in _row_values(row, skip=("specialties",)).items() if rec[k] != v}
        if new_code:
            diff["code"] = new_code
        if diff:
            changes[rec["id"]] = diff
        specs = sorted(current_specs.get(rec["id"], []))
        if row["specialties"] != specs:
            spec_changes[rec["id"]] = row["specialties"]
        if not diff and row["specialties"] == specs:
            outcome.unchanged += 1
    if errors:
        return errors

    _create_targets(bureau=bureau, actor=actor, rows=to_create, now=now, reason=reason)
    outcome.created = len(to_create)

    touched = sorted(set(changes) | set(spec_changes))
    all_names = [f.attname for f in Target._meta.concrete_fields]
    for chunk in iter_chunks(touched, BATCH):
        records = list(Target.objects.filter(pk__in=chunk).values(*all_names))
        fields: set[str] = {"updated_at"}
        for record in records:
            diff = changes.get(record["id"], {})
            record.update(diff, updated_at=now)
            fields.update(diff)
        names = [*sorted(fields), "id"]
        _execute_many(Target, names, [tuple(r[n] for n in names) for r in records], update=True)
        _execute_many(Target.history.model, *_history_rows(Target, records, kind="~", actor=actor, now=now, reason=reason))
    spec_ids = sorted(spec_changes)
    for chunk in iter_chunks(spec_ids, BATCH):
        through.objects.filter(target_id__in=chunk).delete()
        through.objects.bulk_create(
            [through(target_id=tid, specialty_id=sid) for tid in chunk for sid in spec_changes[tid]], batch_size=BATCH * 2
        )
    outcome.updated = len(touched)
    return []


INSPECTOR_VALUE_FIELDS = [
    "name", "organization_id", "region_id", "kind", "licence_no", "licence_valid_from", "licence_valid_to",
    "expertise", "tags", "status", "id_number", "phone",
]
INSPECTOR_DEFAULTS: dict[str, Any] = {
    "kind": InspectorKind.OFFICER, "licence_no": "", "licence_valid_from": None, "licence_valid_to": None,
    "expertise": "", "tags": [], "status": InspectorStatus.ON_DUTY, "id_number": "", "phone": "",
}


def _write_inspectors(
    *, actor: User, bureau: Organization, result: ValidationResult, outcome: ImportOutcome, file_name: str
) -> list[dict[str, Any]]:
    now = timezone.now()
    reason = f"批量导入：{file_name}"[:100]
    # A bureau has hundreds or a few thousand inspectors: load them all (ID numbers are encrypted, so the
    # match by ID number happens here, not in SQL).
    records = list(Inspector.objects.filter(owner=bureau).values("id", *INSPECTOR_VALUE_FIELDS))
    by_licence = {r["licence_no"]: r for r in records if r["licence_no"]}
    by_id_number = {r["id_number"]: r for r in records if r["id_number"]}
    through = Inspector.qualifications.through
    current_quals: dict[int, list[int]] = {}
    for inspector_id, specialty_id in through.objects.filter(inspector__owner=bureau).values_list(
        "inspector_id", "specialty_id"
    ):
        current_quals.setdefault(inspector_id, []).append(specialty_id)

    errors: list[dict[str, Any]] = []
    to_create: list[dict[str, Any]] = []
    changes: dict[int, dict[str, Any]] = {}
    qual_changes: dict[int, list[int]] = {}
    for row in result.rows:
        rec = by_licence.get(row["licence_no"]) if row.get("licence_no") else by_id_number.get(row.get("id_number", ""))
        id_number = row.get("id_number")
        if id_number:
            other = by_id_number.get(id_number)
            if other is not None and (rec is None or other["id"] != rec["id"]):
                errors.append(_error(
                    row["_row"], "身份证号", id_number,
                    f"该身份证号已登记为名录库中的“{other['name']}”（执法证号 {other['licence_no'] or '无'}），同一人不能登记两次",
                ))
                continue
        if rec is None:
            to_create.append(row)
            continue
        diff = {k: v for k, v in _row_values(row, skip=("qualifications",)).items() if rec[k] != v}
        if diff:
            changes[rec["id"]] = diff
        quals = sorted(current_quals.get(rec["id"], []))
        if "qualifications" in row and row["qualifications"] != quals:
            qual_changes[rec["id"]] = row["qualifications"]
        if rec["id"] not in changes and rec["id"] not in qual_changes:
            outcome.unchanged += 1
    if errors:
        return errors

    for batch in iter_chunks(to_create, BATCH):
        objs = [
            Inspector(
                owner_id=bureau.pk, created_at=now, updated_at=now,
                **{"organization_id": bureau.pk, **INSPECTOR_DEFAULTS, **_row_values(row, skip=("qualifications",))},
            )
            for row in batch
        ]
        Inspector.objects.bulk_create(objs, batch_size=BATCH)
        Inspector.history.bulk_history_create(objs, default_user=actor, default_change_reason=reason, default_date=now)
        through.objects.bulk_create(
            [through(inspector_id=o.pk, specialty_id=s) for o, r in zip(objs, batch, strict=True) for s in r.get("qualifications", [])]
        )
    outcome.created = len(to_create)
    touched = sorted(set(changes) | set(qual_changes))
    for chunk in iter_chunks(touched, BATCH):
        objs_by_id = Inspector.objects.in_bulk(chunk)
        fields: set[str] = set()
        for inspector_id in chunk:
            for name, value in changes.get(inspector_id, {}).items():
                setattr(objs_by_id[inspector_id], name, value)
                fields.add(name)
            objs_by_id[inspector_id].updated_at = now
        batch_objs = [objs_by_id[i] for i in chunk]
        Inspector.objects.bulk_update(batch_objs, sorted(fields | {"updated_at"}), batch_size=500)
        Inspector.history.bulk_history_create(
            batch_objs, update=True, default_user=actor, default_change_reason=reason, default_date=now
        )
    for chunk in iter_chunks(sorted(qual_changes), BATCH):
        through.objects.filter(inspector_id__in=chunk).delete()
        through.objects.bulk_create([through(inspector_id=i, specialty_id=s) for i in chunk for s in qual_changes[i]])
    outcome.updated = len(touched)
    return []


ITEM_VALUE_FIELDS = [
    "specialty_id", "name", "sub_items", "legal_basis", "subject", "target_type", "methods", "ratio_percent",
    "frequency", "kind",
]


def _write_items(
    *, actor: User, bureau: Organization, result: ValidationResult, outcome: ImportOutcome, file_name: str
) -> list[dict[str, Any]]:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "sub_items": [], "subject": bureau.name, "target_type": "", "methods": ["on_site"],
        "ratio_percent": 5, "frequency": "每年不少于1次", "kind": ItemKind.GENERAL,
    }
    codes = [row["_key"] for row in result.rows]
    current: dict[str, CheckItem] = {}
    for chunk in iter_chunks(codes, BATCH):
        for item in CheckItem.objects.filter(owner=bureau, is_current=True, code__in=chunk):
            current[item.code] = item
    errors: list[dict[str, Any]] = []
    to_create: list[CheckItem] = []
    to_update: list[CheckItem] = []
    superseded: list[CheckItem] = []
    update_fields: set[str] = set()
    for row in result.rows:
        values = _row_values(row, skip=("code",))
        found = current.get(row["_key"])
        if found is None:
            to_create.append(CheckItem(
                owner_id=bureau.pk, code=row["_key"], version=1, is_current=True, status=ItemStatus.DRAFT,
                created_at=now, updated_at=now, **{**defaults, **values},
            ))
            continue
        item = found
        diff = {k: v for k, v in values.items() if getattr(item, k) != v}
        if not diff:
            outcome.unchanged += 1
            continue
        if item.status == ItemStatus.RETIRED:
            errors.append(_error(row["_row"], "事项编码", row["_key"], "该事项已停用，不能通过导入修改"))
            continue
        if item.status == ItemStatus.DRAFT:
            for name, value in diff.items():
                setattr(item, name, value)
            item.updated_at = now
            update_fields.update(diff)
            to_update.append(item)
            continue
        # Published (or withdrawn) items are never rewritten: a new draft version is created.
        superseded.append(item)
        new_values = {name: getattr(item, name) for name in ITEM_VALUE_FIELDS}
        new_values.update(diff)
        to_create.append(CheckItem(
            owner_id=bureau.pk, code=item.code, version=item.version + 1, is_current=True,
            status=ItemStatus.DRAFT, change_note=f"批量导入修订：{file_name}"[:255], created_at=now,
            updated_at=now, **new_values,
        ))
    if errors:
        return errors
    if superseded:
        CheckItem.objects.filter(pk__in=[i.pk for i in superseded]).update(is_current=False, updated_at=now)
    CheckItem.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        CheckItem.objects.bulk_update(to_update, sorted(update_fields | {"updated_at"}), batch_size=500)
    outcome.created = len(to_create) - len(superseded)
    outcome.updated = len(to_update) + len(superseded)
    return []


WRITERS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    ImportKind.TARGETS: _write_targets,
    ImportKind.INSPECTORS: _write_inspectors,
    ImportKind.ITEMS: _write_items,
}


def import_reference(*, actor: User) -> dict[str, list[str]]:
    """Region and organization names the actor's files may use (listed in the Excel template)."""

    bureau = user_bureau(actor)
    specialties = list(Specialty.objects.filter(is_active=True).values_list("name", flat=True))
    if bureau is None:
        return {"regions": [], "organizations": [], "specialties": specialties}
    regions = Region.objects.filter(path__startswith=bureau.region.path).order_by("code")
    orgs = Organization.objects.filter(Q(pk=bureau.pk) | Q(parent=bureau) | Q(parent__parent=bureau))
    return {
        "regions": [f"{r.name}（{r.code}）" for r in regions],
        "organizations": [o.name for o in orgs],
        "specialties": specialties,
    }
