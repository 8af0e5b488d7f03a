"""Helpers for tests that need a real, separate database used by child processes (backup/restore, kill).

`scratch_database(tmp_path, label)` yields the environment of a fresh database of the engine the tests run
on (a SQLite file, or a new PostgreSQL database dropped afterwards); `run_django(env, code)` runs Python
code in a child process with Django set up on it and returns what the code printed as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

REPO = Path(__file__).resolve().parents[2]


def on_postgresql() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSJ_DB_", "SSJ_SQLITE"))}
    env.update({"DJANGO_SETTINGS_MODULE": "shuangsuiji.settings", "SSJ_VAR_DIR": str(tmp_path / "var"),
                "PYTHONPATH": str(REPO)})
    return env


def _pg_admin(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432, user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True,
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextmanager
def scratch_database(tmp_path: Path, label: str) -> Iterator[dict[str, str]]:
    env = base_env(tmp_path)
    if on_postgresql():
        name = f"ssj_scratch_{label}_{os.getpid()}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(f'CREATE DATABASE "{name}"')
        env.update({"SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": name})
        try:
            yield env
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env.update({"SSJ_DB_ENGINE": "sqlite", "SSJ_SQLITE_PATH": str(tmp_path / f"{label}.sqlite3")})
        yield env


def run(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603
        [sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


def migrate(env: dict[str, str]) -> None:
    result = run(env, "-m", "shuangsuiji.manage", "migrate", "--noinput")
    assert result.returncode == 0, result.stderr


PRELUDE = """
import json, django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""


def run_django(env: dict[str, str], code: str) -> Any:
    result = run(env, "-c", PRELUDE + textwrap.dedent(code))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


ROW_COUNTS = """
from django.db import connection
counts = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
from shuangsuiji.audit.services import audit_chain_verify
from shuangsuiji.audit.transparency import transparency_verify
from shuangsuiji.audit.models import AuditEntry
ok, broken, message = audit_chain_verify()
head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
print(json.dumps({"counts": counts, "chain_ok": ok, "chain_head": head, "tree_ok": transparency_verify().ok}))
"""
