"""Retention: export old audit entries (gzip JSON Lines with their hashes) and prune them.

The archive's first line is a header with the chain anchor (the `prev_hash` of its first entry); each
further line is one entry with its payload, `prev_hash` and `entry_hash`. After the file is written
and re-read, an `AuditAnchor` row records the last archived hash and the file's SHA-256, then the
entries are deleted. `audit_chain_verify` resumes from the anchor; `archive_verify(path)` checks a
file on its own and against the anchor.
"""

from __future__ import annotations

import datetime
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shuangsuiji.audit import events
from shuangsuiji.audit.models import AuditAnchor, AuditEntry
from shuangsuiji.audit.services import (
    _PG_AUDIT_LOCK_KEY,
    GENESIS_HASH,
    audit_record,
    entry_digest,
    entry_payload,
)
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.files import file_sha256

ARCHIVE_FORMAT = "ssj-audit-archive-v1"


@dataclass
class ArchiveResult:
    path: Path
    count: int
    first_seq: int
    last_seq: int
    sha256: str


def _entry_line(entry: AuditEntry) -> dict[str, Any]:
    return {"seq": entry.seq, **entry_payload(entry), "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash}


@transaction.atomic
def audit_archive(*, before: datetime.datetime, out_dir: Path, actor: Any = None) -> ArchiveResult | None:
    """Archive and prune entries older than `before` (which must respect the retention period)."""
    limit = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    if before > limit:
        raise ApplicationError(
            f"审计日志至少保留 {settings.AUDIT_RETENTION_DAYS} 天：只能归档 {timezone.localdate(limit):%Y年%-m月%-d日} 之前的记录"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_AUDIT_LOCK_KEY])
    from shuangsuiji.audit.services import audit_chain_verify

    ok, _, message = audit_chain_verify()
    if not ok:
        raise ApplicationError(f"审计日志校验未通过，不能归档：{message}")
    entries = AuditEntry.objects.filter(created_at__lt=before).order_by("seq")
    first = entries.first()
    if first is None:
        return None
    last = entries.last()
    assert last is not None
    # Archive a contiguous prefix of the chain: stop before the first younger entry.
    younger = AuditEntry.objects.filter(created_at__gte=before, seq__lt=last.seq).order_by("seq").first()
    if younger is not None:
        entries = entries.filter(seq__lt=younger.seq)
        last = entries.last()
        assert last is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    path = out_dir / f"audit-{first.seq}-{last.seq}-{stamp}.jsonl.gz"
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        header = {
            "format": ARCHIVE_FORMAT, "first_seq": first.seq, "last_seq": last.seq,
            "anchor_prev_hash": first.prev_hash, "last_hash": last.entry_hash,
            "archived_before": before.isoformat(), "created_at": timezone.now().isoformat(),
        }
        fh.write(json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n")
        for entry in entries.iterator(chunk_size=2000):
            fh.write(json.dumps(_entry_line(entry), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    check = archive_verify(path)
    if not check.ok:
        path.unlink(missing_ok=True)
        raise ApplicationError(f"归档文件复核失败：{check.message}")
    sha = file_sha256(path)
    AuditAnchor.objects.create(
        first_seq=first.seq, last_seq=last.seq, first_prev_hash=first.prev_hash, last_hash=last.entry_hash,
        entry_count=count, archived_before=before, archive_name=path.name, archive_sha256=sha,
    )
    # The one sanctioned deletion of audit rows: bypasses the append-only queryset on purpose.
    deleted = entries.model._base_manager.filter(seq__gte=first.seq, seq__lte=last.seq)._raw_delete(  # type: ignore[attr-defined]
        entries.db
    )
    if deleted != count:
        raise ApplicationError("归档条数与删除条数不一致，已撤销")
    audit_record(
        actor=actor, event=events.AUDIT_ARCHIVE,
        changes={"first_seq": first.seq, "last_seq": last.seq, "count": count, "file": path.name, "sha256": sha},
    )
    return ArchiveResult(path=path, count=count, first_seq=first.seq, last_seq=last.seq, sha256=sha)


@dataclass
class ArchiveCheck:
    ok: bool
    message: str
    count: int = 0


def archive_verify(path: Path) -> ArchiveCheck:
    """Recompute the chain inside an archive file; compare with its anchor row when there is one."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("format") != ARCHIVE_FORMAT:
            return ArchiveCheck(False, "不是审计日志归档文件")
        prev = header["anchor_prev_hash"]
        count = 0
        for line in fh:
            row = json.loads(line)
            payload = {k: row[k] for k in row if k not in ("seq", "prev_hash", "entry_hash")}
            if row["prev_hash"] != prev or entry_digest(prev, payload) != row["entry_hash"]:
                return ArchiveCheck(False, f"归档文件中第 {row['seq']} 条校验失败", count)
            prev = row["entry_hash"]
            count += 1
    if prev != header["last_hash"]:
        return ArchiveCheck(False, "归档文件末条哈希与文件头不符", count)
    anchor = AuditAnchor.objects.filter(last_seq=header["last_seq"]).first()
    if anchor is not None:
        if anchor.last_hash != header["last_hash"] or anchor.archive_sha256 != file_sha256(path):
            return ArchiveCheck(False, "归档文件与库中的归档锚点不符", count)
    if header["anchor_prev_hash"] != GENESIS_HASH:
        earlier = AuditAnchor.objects.filter(last_seq__lt=header["first_seq"]).order_by("-last_seq").first()
        if earlier is not None and earlier.last_hash != header["anchor_prev_hash"]:
            return ArchiveCheck(False, "归档文件与上一个归档不衔接", count)
    return ArchiveCheck(True, f"归档文件校验通过：{count} 条，第 {header['first_seq']}–{header['last_seq']} 条", count)
