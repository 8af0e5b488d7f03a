"""The read-replica router (common/db_router.py) against a real streaming replica.

The test makes a throw-away PostgreSQL pair on free ports — a primary (initdb) and a hot standby streaming from
it (pg_basebackup -R) — copies the test database into the primary (the standby replays it), and runs
``tests/common/replica_probe.py`` in a process configured with SSJ_DB_* for the primary and SSJ_DB_REPLICA_* for
the standby. Skipped, with the reason, where PostgreSQL's server programs are missing or cannot be run.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.environ.get("SSJ_DB_ENGINE") != "postgresql", reason="只读副本测试需要 PostgreSQL"),
]


def _bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_basebackup").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Pair:
    def __init__(self, bindir: Path, folder: Path, as_postgres: list[str]) -> None:
        self.bindir, self.folder, self.prefix = bindir, folder, as_postgres
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.started: list[Path] = []

    def run(self, program: str, *args: str, timeout: int = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.prefix, str(self.bindir / program), *args], capture_output=True, text=True,
                              timeout=timeout, check=True, cwd=self.folder)

    def start(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60", "start")
        self.started.append(data)

    def stop(self) -> None:
        for data in reversed(self.started):
            subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=60, check=False)


def _settings(data: Path, port: int, folder: Path) -> None:
    with open(data / "postgresql.auto.conf", "a", encoding="utf-8") as conf:
        conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                   "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n")


@pytest.fixture
def pair() -> Iterator[Pair]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("找不到 PostgreSQL 服务器程序（initdb、pg_basebackup）：跳过只读副本测试")
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the pair as the postgres account
        if shutil.which("runuser") is None:
            pytest.skip("以 root 运行但没有 runuser：无法以 postgres 账户建立测试用数据库集群")
        prefix = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="ssj-replica-"))
    if prefix:
        shutil.chown(folder, "postgres", "postgres")
    pair = Pair(bindir, folder, prefix)
    try:
        primary, replica = folder / "primary", folder / "replica"
        try:
            pair.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync")
        except (subprocess.CalledProcessError, OSError) as error:
            pytest.skip(f"无法建立测试用 PostgreSQL 集群（{getattr(error, 'stderr', error)}）：跳过只读副本测试")
        _settings(primary, pair.primary_port, folder)
        pair.start(primary)
        pair.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
                 "-D", str(replica), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        _settings(replica, pair.replica_port, folder)
        pair.start(replica)
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _copy_test_database(pair: Pair) -> str:
    """The test database (schema, migrations, seeded rows) into the pair's primary, under the same name."""
    db = connection.settings_dict
    name = str(db["NAME"])
    env = dict(os.environ, PGPASSWORD=str(db["PASSWORD"] or ""))
    pg_dump = subprocess.Popen(
        [str(pair.bindir / "pg_dump"), "-h", str(db["HOST"] or "127.0.0.1"), "-p", str(db["PORT"] or 5432),
         "-U", str(db["USER"]), "--no-owner", name],
        stdout=subprocess.PIPE, env=env,
    )
    psql = [str(pair.bindir / "psql"), "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres", "-q",
            "-v", "ON_ERROR_STOP=1"]
    subprocess.run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    loaded = subprocess.run([*psql, "-d", name], stdin=pg_dump.stdout, capture_output=True, text=True, check=False)
    assert pg_dump.stdout is not None
    pg_dump.stdout.close()
    assert pg_dump.wait(timeout=120) == 0 and loaded.returncode == 0, loaded.stderr[-2000:]
    return name


def test_portal_and_dashboard_reads_go_to_the_replica_writes_and_transactions_to_the_primary(
    pair: Pair, db: Any
) -> None:
    name = _copy_test_database(pair)
    env = dict(os.environ)
    env.update({
        "SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": name, "SSJ_DB_HOST": "127.0.0.1",
        "SSJ_DB_PORT": str(pair.primary_port), "SSJ_DB_USER": "postgres", "SSJ_DB_PASSWORD": "",
        "SSJ_DB_REPLICA_HOST": "127.0.0.1", "SSJ_DB_REPLICA_PORT": str(pair.replica_port),
        "DJANGO_SETTINGS_MODULE": "shuangsuiji.settings", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "SSJ_DEBUG": "0",
    })
    env.pop("SSJ_REDIS_URL", None)
    started = time.perf_counter()
    probe = subprocess.run([sys.executable, "-m", "tests.common.replica_probe"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert probe.returncode == 0 and "PROBE OK" in probe.stdout, probe.stdout[-3000:] + probe.stderr[-5000:]
    assert time.perf_counter() - started < 240
