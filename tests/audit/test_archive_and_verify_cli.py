"""`ssj audit verify` finds the first edited entry; `ssj audit archive` exports then prunes old entries
while the chain stays verifiable from its anchor; retention is enforced."""

from __future__ import annotations

import datetime
import gzip
import json
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from typer.testing import CliRunner

from shuangsuiji.audit.archive import archive_verify, audit_archive
from shuangsuiji.audit.models import AuditAnchor, AuditEntry
from shuangsuiji.audit.services import audit_chain_verify, audit_record
from shuangsuiji.cli.main import app
from shuangsuiji.common.exceptions import ApplicationError
from tests.conftest import World

runner = CliRunner()


def _entries(n: int, *, days_ago: int) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=False):
        for i in range(n):
            audit_record(actor=None, event="test.old", changes={"i": i, "phone": "13812345678"})


def test_cli_verify_reports_the_first_edited_entry(world: World) -> None:
    _entries(5, days_ago=3)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "哈希链校验通过" in result.output and "透明日志完整" in result.output
    old = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["冒名", old.seq])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and f"第 {old.seq} 条被篡改" in result.output


def test_cli_verify_reports_a_deleted_entry(world: World) -> None:
    _entries(5, days_ago=3)
    victim = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [victim.seq])
    ok, broken, message = audit_chain_verify()
    assert not ok and broken is not None and broken > victim.seq and "删除" in message


def test_archive_exports_prunes_and_keeps_the_chain_verifiable(db: None, tmp_path: Path) -> None:
    _entries(6, days_ago=400)
    _entries(3, days_ago=200)
    _entries(2, days_ago=10)
    before = (timezone.now() - datetime.timedelta(days=300)).date().isoformat()
    result = runner.invoke(app, ["audit", "archive", "--before", before, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = list(tmp_path.glob("audit-*.jsonl.gz"))
    assert len(files) == 1
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        rows = [json.loads(line) for line in fh]
    assert header["format"] == "ssj-audit-archive-v1" and len(rows) == 6
    assert all("entry_hash" in r and "prev_hash" in r for r in rows)
    assert "13812345678" not in files[0].read_bytes().decode("latin-1")
    anchor = AuditAnchor.objects.get()
    assert anchor.entry_count == 6 and anchor.last_hash == rows[-1]["entry_hash"]
    assert not AuditEntry.objects.filter(seq__lte=anchor.last_seq).exists()
    assert AuditEntry.objects.filter(event="test.old").count() == 5
    assert AuditEntry.objects.filter(event="audit.archive").exists()
    ok, _, message = audit_chain_verify()
    assert ok and "归档锚点" in message
    assert archive_verify(files[0]).ok
    assert runner.invoke(app, ["audit", "verify-archive", str(files[0])]).exit_code == 0
    # a second archive continues from the first anchor
    before2 = (timezone.now() - datetime.timedelta(days=190)).date().isoformat()
    assert runner.invoke(app, ["audit", "archive", "--before", before2, "--out", str(tmp_path)]).exit_code == 0
    assert AuditAnchor.objects.count() == 2 and audit_chain_verify()[0]
    second = max(tmp_path.glob("audit-*.jsonl.gz"), key=lambda p: p.stat().st_mtime_ns)
    assert archive_verify(second).ok
    # tampering with the archive file is detected
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    row = json.loads(lines[3])
    row["event"] = "test.forged"
    lines[3] = json.dumps(row, ensure_ascii=False) + "\n"
    with gzip.open(files[0], "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    assert not archive_verify(files[0]).ok


def test_retention_period_is_enforced(db: None, tmp_path: Path) -> None:
    _entries(2, days_ago=100)
    with pytest.raises(ApplicationError, match="180"):
        audit_archive(before=timezone.now() - datetime.timedelta(days=30), out_dir=tmp_path)
    result = runner.invoke(app, ["audit", "archive", "--before", timezone.localdate().isoformat(), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "180" in result.output
    assert AuditEntry.objects.count() == 2


def test_pruning_without_archive_is_detected(db: None) -> None:
    _entries(4, days_ago=1)
    first = AuditEntry.objects.order_by("seq").first()
    assert first is not None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [first.seq])
    ok, _, message = audit_chain_verify()
    assert not ok


def test_tree_head_command(db: None) -> None:
    result = runner.invoke(app, ["audit", "tree-head"])
    assert result.exit_code == 0 and '"tree_size": 0' in result.output


def test_daily_tree_head_task(db: None) -> None:
    from shuangsuiji.audit.models import TreeHead
    from shuangsuiji.audit.tasks import daily_tree_head

    daily_tree_head.call_local()
    assert TreeHead.objects.count() == 1
