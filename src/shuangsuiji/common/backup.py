"""Backup and restore of the application database.

SQLite: the online backup API (consistent while the application keeps running, WAL included).
PostgreSQL: `pg_dump --format=custom` / `pg_restore` when the client programs are installed.
Restore goes into an empty database (or `force=True`), then the audit chain is verified.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# pg_dump/pg_restore run with argument lists, never through a shell (security/bandit-justifications.md)
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.files import file_sha256

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


@dataclass
class BackupInfo:
    path: Path
    engine: str
    size: int
    sha256: str


def _db() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _vendor() -> str:
    return "postgresql" if "postgresql" in _db()["ENGINE"] else "sqlite"


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            f"未找到 PostgreSQL 客户端程序 {name}：请安装与数据库服务器版本一致的 postgresql-client"
            f"（如 apt-get install postgresql-client），或在数据库服务器上执行备份"
        )
    return path


def _pg_env_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or "5432"),
            "-U", str(db.get("USER") or "postgres")]
    return env, args


def database_backup(out: Path) -> BackupInfo:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        raise ApplicationError(f"备份文件 {out} 已存在，请换一个文件名")
    db = _db()
    if _vendor() == "sqlite":
        connections["default"].close()
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(out))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        env, args = _pg_env_args(db)
        cmd = [_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
               "-f", str(out), str(db["NAME"])]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # nosec B603
        if result.returncode != 0:
            out.unlink(missing_ok=True)
            raise ApplicationError(f"pg_dump 执行失败：{result.stderr.strip()[:500]}")
    return BackupInfo(path=out, engine=_vendor(), size=out.stat().st_size, sha256=file_sha256(out))


def _sqlite_is_empty(path: str) -> bool:
    if not Path(path).exists() or Path(path).stat().st_size == 0:
        return True
    conn = sqlite3.connect(path)
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    finally:
        conn.close()
    return tables == 0


def _pg_is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] == 0


def database_restore(source: Path, *, force: bool = False) -> str:
    """Restore `source` into the configured database; returns the engine name."""
    source = source.resolve()
    if not source.is_file():
        raise ApplicationError(f"备份文件 {source} 不存在")
    with source.open("rb") as fh:
        magic = fh.read(16)
    db = _db()
    if _vendor() == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise ApplicationError("备份文件不是 SQLite 数据库备份（PostgreSQL 的备份请在 PostgreSQL 配置下恢复）")
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if ok != "ok":
            raise ApplicationError(f"备份文件已损坏：{ok}")
        connections["default"].close()
        target_path = str(db["NAME"])
        if not force and not _sqlite_is_empty(target_path):
            raise ApplicationError("目标数据库不是空库：为防误覆盖，请恢复到新的空数据库，或加 --force")
        src = sqlite3.connect(str(source))
        dst = sqlite3.connect(target_path)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return "sqlite"
    if not magic.startswith(PG_CUSTOM_MAGIC):
        raise ApplicationError("备份文件不是 pg_dump 自定义格式的 PostgreSQL 备份")
    if not force and not _pg_is_empty():
        raise ApplicationError("目标数据库不是空库：为防误覆盖，请恢复到新建的空数据库，或加 --force")
    connections["default"].close()
    env, args = _pg_env_args(db)
    cmd = [_pg_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
           "-d", str(db["NAME"])]
    if force:
        cmd += ["--clean", "--if-exists"]
    result = subprocess.run([*cmd, str(source)], env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise ApplicationError(f"pg_restore 执行失败：{result.stderr.strip()[:500]}")
    return "postgresql"
