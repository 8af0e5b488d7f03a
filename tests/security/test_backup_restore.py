"""`ssj backup` of the demo data, then `ssj restore` into an empty database: same rows, same audit chain and tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from shuangsuiji.demo.mines import MINES
from tests.security.dbtools import ROW_COUNTS, migrate, on_postgresql, run, run_django, scratch_database

POPULATE = """
import datetime
from shuangsuiji.demo import load_demo
from shuangsuiji.audit.transparency import tree_head_sign
# the demo data (smaller library, every workflow step: plans, draws, records, publication, reports, deadlines)
load_demo(size=400, inspectors=60, today=datetime.date(2026, 11, 25))
tree_head_sign()
print(json.dumps({"ok": True}))
"""


@pytest.mark.slow
def test_backup_and_restore_into_an_empty_database(tmp_path: Path) -> None:
    out = tmp_path / ("backup.dump" if on_postgresql() else "backup.sqlite3")
    with scratch_database(tmp_path, "source") as source:
        migrate(source)
        run_django(source, POPULATE)
        before = run_django(source, ROW_COUNTS)
        result = run(source, "-m", "shuangsuiji.cli", "backup", str(out))
        assert result.returncode == 0, result.stderr
        assert "SHA-256" in result.stdout and out.stat().st_size > 0
        again = run(source, "-m", "shuangsuiji.cli", "backup", str(out))
        assert again.returncode == 2 and "已存在" in again.stderr
    with scratch_database(tmp_path, "target") as target:
        result = run(target, "-m", "shuangsuiji.cli", "restore", str(out))
        assert result.returncode == 0, result.stderr
        assert "哈希链校验通过" in result.stdout
        after = run_django(target, ROW_COUNTS)
        # restoring over a non-empty database is refused unless forced
        refused = run(target, "-m", "shuangsuiji.cli", "restore", str(out))
        assert refused.returncode == 2 and "不是空库" in refused.stderr
    # the demo's 400 generated targets and the city's mines (demo/mines.py, 全覆盖 example)
    assert before["counts"]["directory_target"] == 400 + len(MINES) and before["counts"]["audit_auditentry"] > 100
    assert before["counts"]["draws_targetdraw"] >= 1 and before["counts"]["disclosure_publishedresult"] >= 3
    assert after["counts"] == before["counts"]
    assert after["chain_ok"] and after["tree_ok"] and after["chain_head"] == before["chain_head"]


def test_restore_refuses_a_file_of_the_wrong_kind(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"hello world, not a database")
    with scratch_database(tmp_path, "bogus") as env:
        result = run(env, "-m", "shuangsuiji.cli", "restore", str(bogus))
    assert result.returncode == 2 and "备份" in result.stderr
