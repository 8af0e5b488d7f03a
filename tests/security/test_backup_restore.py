"""`ssj backup` then `ssj restore` into an empty database gives the same rows and the same audit chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.dbtools import ROW_COUNTS, migrate, on_postgresql, run, run_django, scratch_database

POPULATE = """
from tests.conftest import build_world
from shuangsuiji.audit.transparency import transparency_append, tree_head_sign
from shuangsuiji.directory import services
world = build_world()
admin = world.users["a_admin"]
services.target_retire(actor=admin, target=world.targets["a"], reason="注销")
services.inspector_update(actor=admin, inspector=world.inspectors["a"], data={"phone": "13700001111"})
for i in range(3):
    transparency_append(kind="draw", ref=f"D-{i}", digest=f"{i:064x}")
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
    assert before["counts"]["directory_target"] == 2 and before["counts"]["audit_auditentry"] >= 2
    assert after["counts"] == before["counts"]
    assert after["chain_ok"] and after["tree_ok"] and after["chain_head"] == before["chain_head"]


def test_restore_refuses_a_file_of_the_wrong_kind(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"hello world, not a database")
    with scratch_database(tmp_path, "bogus") as env:
        result = run(env, "-m", "shuangsuiji.cli", "restore", str(bogus))
    assert result.returncode == 2 and "备份" in result.stderr
