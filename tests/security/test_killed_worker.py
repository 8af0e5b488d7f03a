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


# The real import path: a job imports a generated targets file; the write transaction is held open (the audit
# entry, written last inside it, waits) until the worker is killed.
IMPORT_JOB = """
import sys, time
from pathlib import Path
from shuangsuiji.accounts.models import User
from shuangsuiji.demo import write_targets_file
from shuangsuiji.directory import import_services
from shuangsuiji.directory.models import ImportJob, ImportKind, ImportStatus
admin = User.objects.get(username="a_admin")
path = write_targets_file(Path(sys.argv[1]) / "targets.csv", 500)
job = ImportJob.objects.create(owner=admin.organization, created_by=admin, kind=ImportKind.TARGETS,
                               file_name="targets.csv", file_path=str(path), status=ImportStatus.PENDING)
real_audit = import_services.audit_record
def audit_then_wait(**kwargs):
    real_audit(**kwargs)
    print("READY", flush=True)
    time.sleep(120)  # 500 targets written, inside the transaction
import_services.audit_record = audit_then_wait
import_services.import_job_run(job_id=job.pk)
"""


def _run_and_kill(env: dict[str, str], code: str, *args: str) -> None:
    """Start ``code`` in a worker process, wait for its READY line, SIGKILL it."""
    from tests.security.dbtools import PRELUDE

    worker = subprocess.Popen(  # nosec B603
        [sys.executable, "-c", PRELUDE + code, *args], env=env, cwd=REPO,
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


@pytest.mark.slow
def test_sigkill_during_a_bulk_write_leaves_the_database_unchanged(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "kill") as env:
        migrate(env)
        run_django(env, SETUP)
        before = run_django(env, ROW_COUNTS)
        _run_and_kill(env, BULK_WRITE)
        after = run_django(env, ROW_COUNTS)
    assert before["counts"]["directory_target"] == 2
    assert after["counts"] == before["counts"]
    assert after["chain_ok"] and after["chain_head"] == before["chain_head"]


EXPIRE = """
import datetime
from django.utils import timezone
from shuangsuiji.directory.import_services import import_jobs_expire_stale
from shuangsuiji.directory.models import ImportJob
job = ImportJob.objects.get()
running = job.status
fresh = import_jobs_expire_stale()  # a job that made progress a moment ago is left alone
marked = import_jobs_expire_stale(now=timezone.now() + datetime.timedelta(minutes=16))
job.refresh_from_db()
print(json.dumps({"running": running, "fresh": fresh, "marked": marked, "status": job.status, "message": job.message}))
"""


@pytest.mark.slow
def test_sigkill_during_a_real_import_job_saves_nothing_and_the_job_is_marked(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "killimport") as env:
        migrate(env)
        run_django(env, SETUP)
        before = run_django(env, ROW_COUNTS)
        _run_and_kill(env, IMPORT_JOB, str(tmp_path))
        after = run_django(env, ROW_COUNTS)
        job = run_django(env, EXPIRE)
    changed = {t for t in before["counts"] if after["counts"][t] != before["counts"][t]}
    assert changed == {"directory_importjob"}, changed  # only the job row itself (created before the import)
    assert after["chain_ok"] and after["chain_head"] == before["chain_head"]
    assert job["running"] == "running"  # the killed worker could not record anything
    assert job["fresh"] == 0 and job["marked"] == 1 and job["status"] == "error" and "未保存任何数据" in job["message"]
