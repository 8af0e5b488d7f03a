"""Import benchmark (issue 3): a 100,000-row target .xlsx read with python-calamine vs openpyxl (read-only),
then imported end to end (read + validate + write, all or nothing) on SQLite and, when it answers, on
PostgreSQL, then re-imported (idempotent: nothing changes). Goal: ≤ 15 s end to end on either database.

Run: PYTHONPATH=src python bench/import_bench.py [--rows 100000] [--no-postgres]
Each database run happens in a child process with its own fresh database (a temp SQLite file, or a
PostgreSQL database created and dropped here).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 15.0


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python()
    workbook.close()
    return len(rows) - 1


def read_openpyxl(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    return count


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


# ---------------------------------------------------------------- child: one database


def child(path: Path) -> None:
    """Migrate a fresh database, create a county bureau and its admin, import the file twice."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from shuangsuiji.accounts.models import User
    from shuangsuiji.demo import DemoContext, step_geography, step_organizations, step_users
    from shuangsuiji.directory.import_services import import_file
    from shuangsuiji.directory.models import Target

    ctx = DemoContext(size=0, inspectors=0, seed=1, today=__import__("datetime").date(2026, 1, 1))
    for step in (step_geography, step_organizations, step_users):
        step(ctx)
    actor = User.objects.get(username="lianchi_admin")
    results: dict[str, Any] = {"vendor": connection.vendor}
    for label in ("first", "again"):
        started, cpu_started = time.perf_counter(), time.process_time()
        timings: dict[str, float] = {}
        outcome = import_file(actor=actor, kind="targets", path=path, file_name=path.name, timings=timings)
        results[label] = {
            "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu_started, "timings": timings, "created": outcome.created, "updated": outcome.updated,
            "unchanged": outcome.unchanged, "errors": outcome.error_count,
            "first_error": outcome.errors[0] if outcome.errors else None,
        }
    results["targets_in_db"] = Target.objects.count()
    print("RESULT " + json.dumps(results, ensure_ascii=False))


def run_child(path: Path, env: dict[str, str]) -> dict[str, Any] | None:
    # Production settings (DEBUG off: no SQL logging), as a deployed server would run the import.
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SSJ_DEBUG": "0", **env}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], env=full_env, capture_output=True, text=True, timeout=1800
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n")
    return None


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def report(label: str, result: dict[str, Any] | None, rows: int) -> None:
    if result is None:
        print(f"{label}: 运行失败（见上方输出）")
        return
    first, again = result["first"], result["again"]
    if first["errors"]:
        print(f"{label}: 校验未通过 {first['errors']} 处，首个：{first['first_error']}")
        return
    verdict = "达标" if first["seconds"] <= GOAL_SECONDS else "未达标"
    phases = "，".join(
        f"{name} {first['timings'].get(key, 0):.1f} s" for key, name in (("read", "读取"), ("validate", "校验"), ("write", "写入"))
    )
    print(
        f"{label}: 首次导入 {first['seconds']:.1f} s（本进程 CPU {first['cpu']:.1f} s，不含数据库服务器进程；{phases}；{rows / first['seconds']:,.0f} 行/秒，新增 {first['created']}，"
        f"目标 ≤ {GOAL_SECONDS:.0f} s：{verdict}）；重复导入 {again['seconds']:.1f} s"
        f"（新增 {again['created']}，更新 {again['updated']}，未变化 {again['unchanged']}）；库中对象 {result['targets_in_db']}"
    )


def load_note() -> str:
    """The machine's load when the run ends: figures on a busy shared machine are inflated."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return ""
    return f"（测量时系统负载 {one:.1f}/{five:.1f}，CPU 核数 {os.cpu_count()}：负载高于核数时以上时间偏大）"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", "--size", type=int, default=100_000, help="行数（冒烟测试可用 200）")
    parser.add_argument("--no-postgres", action="store_true", help="不测 PostgreSQL")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="ssj-import-bench-") as tmp:
        work = Path(tmp)
        os.environ["SSJ_VAR_DIR"] = str(work / "var")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
        import django

        django.setup()  # the generator shares the import template's columns
        from shuangsuiji.demo.files import write_targets_file

        path = work / f"targets-{args.rows}.xlsx"
        seconds, _ = timed(write_targets_file, path, args.rows)
        print(f"生成 {args.rows} 行检查对象 .xlsx（{path.stat().st_size / 1e6:.1f} MB，14 列）：{seconds:.1f} s")

        calamine_s, calamine_rows = timed(read_calamine, path)
        openpyxl_s, openpyxl_rows = timed(read_openpyxl, path)
        assert calamine_rows == openpyxl_rows == args.rows, (calamine_rows, openpyxl_rows)
        print(
            f"读取：python-calamine {calamine_s:.2f} s（{args.rows / calamine_s:,.0f} 行/秒）；"
            f"openpyxl 只读模式（基线）{openpyxl_s:.2f} s（{args.rows / openpyxl_s:,.0f} 行/秒）；"
            f"calamine 快 {openpyxl_s / calamine_s:.1f} 倍"
        )

        sqlite_env = {
            "SSJ_DB_ENGINE": "sqlite", "SSJ_SQLITE_PATH": str(work / "bench.sqlite3"), "SSJ_VAR_DIR": str(work / "var"),
        }
        report("SQLite（临时文件库，WAL）", run_child(path, sqlite_env), args.rows)
        print(load_note())

        if args.no_postgres or not postgres_available():
            print("PostgreSQL：127.0.0.1:5432 无响应，跳过")
            return
        name = f"ssj_import_bench_{os.getpid()}"
        pg_admin(f'CREATE DATABASE "{name}"')
        try:
            pg_env = {"SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": name, "SSJ_VAR_DIR": str(work / "var")}
            report("PostgreSQL", run_child(path, pg_env), args.rows)
            print(load_note())
        finally:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
