"""A worker killed with SIGKILL in the middle of a long transactional write leaves the database as before."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404
import sys
import time
from pathlib import Path

import pytest

from tests.security.dbtools import REPO, ROW_COUNTS, migrate, run_django, scratch_database

SETUP = """
from tests.conftest import build_world
build_world()
print(json.dumps({"ok": True}))
"""

# A bulk write in one transaction, as an import or a draw does: hundreds of targets, each audited.
BULK_WRITE = """
import sys, time
from django.db import transaction
from shuangsuiji.accounts.models import Region, User
from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Specialty
admin = User.objects.get(username="a_admin")
region = Region.objects.get(code="130606")
specialty = Specialty.objects.get(code="public_places")
with transaction.atomic():
    for i in range(300):
        services.target_create(actor=admin, data={
            "uscc": complete_uscc(f"92130606MA{i:07d}"), "name": f"批量导入单位{i}", "region": region,
            "specialties": [specialty], "contact_phone": "13800000000",
        })
        if i == 250:
            print("READY", flush=True)
    time.sleep(120)  # still inside the transaction when the signal arrives
"""


@pytest.mark.slow
def test_sigkill_during_a_bulk_write_leaves_the_database_unchanged(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "kill") as env:
        migrate(env)
        run_django(env, SETUP)
        before = run_django(env, ROW_COUNTS)
        from tests.security.dbtools import PRELUDE

        worker = subprocess.Popen(  # nosec B603
            [sys.executable, "-c", PRELUDE + BULK_WRITE], env=env, cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert worker.stdout is not None
            deadline = time.monotonic() + 240
            line = ""
            while time.monotonic() < deadline:
                line = worker.stdout.readline()
                if line.strip() == "READY" or not line:
                    break
            assert line.strip() == "READY", worker.stderr.read() if worker.stderr else ""
            os.kill(worker.pid, signal.SIGKILL)
            assert worker.wait(timeout=30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        after = run_django(env, ROW_COUNTS)
    assert before["counts"]["directory_target"] == 2
    assert after["counts"] == before["counts"]
    assert after["chain_ok"] and after["chain_head"] == before["chain_head"]
