"""Dashboard benchmark (issue 10): the main 统计看板 page for a county, a city and a province on a province-sized
data set in PostgreSQL. Goal: ≤ 500 ms per page.

Data (generated straight into the tables with COPY, in a database created and dropped here): a province with
11 cities × 15 counties (each with its 卫生健康局), 1,000,000 targets with 1–2 专业 each, 100,000 inspection
results a year for two years (tasks, confirmed draws with 10% re-draws, drawn targets, 一企一表 with result
codes, follow-up cases and penalties for problems, a result-entry deadline per record with reminders, 督办
and 问责). Then the maintained summary of the library is counted once (timed) and each page is requested
through the Django test client (middleware, view, template; DEBUG off): the first (cold) request and the
median of ``--repeat`` more. Baselines measured in the same run: ``count(*)`` of the targets table and the
per-专业 count straight from the targets (the join the summary table replaces).

Run: PYTHONPATH=src python bench/dashboard_bench.py [--size 1000000] [--results 100000] [--repeat 5]
Smoke: --size 3000 (scales regions, tasks and results down). Needs PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 500.0
PG = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


# ---------------------------------------------------------------------------------------- parent


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG, connect_timeout=3):
            return True
    except Exception:
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="检查对象数（冒烟测试可用 3000）")
    parser.add_argument("--results", type=int, default=0, help="每年检查结果数（默认 size/10）")
    parser.add_argument("--repeat", type=int, default=5, help="每个页面计时的重复次数")
    parser.add_argument("--keep", action="store_true", help="保留基准数据库（调试用）")
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not postgres_available():
        print("PostgreSQL：127.0.0.1:5432 无响应，跳过统计看板基准测试")
        return
    name = args.db or f"ssj_dashboard_bench_{os.getpid()}"
    pg_admin(f'CREATE DATABASE "{name}"')
    (Path("/tmp") / f"{name}-var" / "static").mkdir(parents=True, exist_ok=True)
    try:
        env = {
            **os.environ, "PYTHONPATH": str(ROOT / "src"), "SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": name,
            "SSJ_DEBUG": "0", "SSJ_REQUIRE_2FA": "0", "SSJ_VAR_DIR": str(Path("/tmp") / f"{name}-var"),
        }
        command = [sys.executable, __file__, "--child", "--size", str(args.size), "--results", str(args.results),
                   "--repeat", str(args.repeat)]
        proc = subprocess.run(command, env=env, timeout=7200)
        if proc.returncode:
            raise SystemExit(proc.returncode)
    finally:
        if args.keep:
            print(f"保留数据库 {name}")
        else:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------- child: data


def _timed(label: str, fn: Any, *args: Any) -> Any:
    started = time.perf_counter()
    result = fn(*args)
    print(f"  {label}：{time.perf_counter() - started:.1f} s")
    return result


class Copier:
    """COPY rows into a table; NOT NULL columns the caller leaves out get a neutral value of their type."""

    FILLERS: dict[str, Any] = {"character varying": "", "text": "", "integer": 0, "smallint": 0, "bigint": 0, "boolean": False,
               "jsonb": "[]", "numeric": 0}

    def __init__(self, cursor: Any, now: datetime.datetime, today: datetime.date) -> None:
        self.cursor = cursor
        self.now, self.today = now, today

    def _fillers(self, table: str, columns: Sequence[str]) -> tuple[list[str], list[Any]]:
        self.cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL ORDER BY ordinal_position", [table])
        names: list[str] = []
        values: list[Any] = []
        for name, data_type in self.cursor.fetchall():
            if name in columns or name == "id":
                continue
            names.append(name)
            if data_type.startswith("timestamp"):
                values.append(self.now)
            elif data_type == "date":
                values.append(self.today)
            else:
                values.append(self.FILLERS[data_type])
        return names, values

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        extra_names, extra_values = self._fillers(table, columns)
        names = [*columns, *extra_names]
        count = 0
        with self.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra_values))
                count += 1
        if "id" in columns:
            self.cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        return count


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    size = args.size
    results = args.results or max(size // 10, 50)
    today = timezone.localdate()
    now = timezone.now()
    print(f"统计看板基准测试（PostgreSQL）：{size:,} 个检查对象，每年 {results:,} 条检查结果，两个年度")
    started = time.perf_counter()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor (COPY)
        world = build_world(size, today)
        copier = Copier(cursor, now, today)
        generate(copier, world, size, results, today, now)
    cursor_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  生成数据共 {cursor_seconds:.0f} s（含 VACUUM ANALYZE 前）")
    measure(world, today, args.repeat)


def build_world(size: int, today: datetime.date) -> dict[str, Any]:
    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User

    cities = 11 if size >= 200_000 else 2
    counties = 15 if size >= 200_000 else 3
    province = Region.objects.create(code="410000", name="基准省", level=RegionLevel.PROVINCE)
    bureau = Organization.objects.create(name="基准省卫生健康委员会", code="B410000", kind=OrganizationKind.HEALTH_BUREAU,
                                         region=province)
    world: dict[str, Any] = {"province": bureau, "cities": [], "counties": []}
    for i in range(1, cities + 1):
        city = Region.objects.create(code=f"41{i:02d}00", name=f"第{i}市", level=RegionLevel.CITY, parent=province)
        world["cities"].append(Organization.objects.create(
            name=f"第{i}市卫生健康委员会", code=f"B41{i:02d}00", kind=OrganizationKind.HEALTH_BUREAU, region=city))
        for j in range(1, counties + 1):
            county = Region.objects.create(code=f"41{i:02d}{j:02d}", name=f"第{i}市第{j}县", level=RegionLevel.COUNTY,
                                           parent=city)
            world["counties"].append(Organization.objects.create(
                name=f"第{i}市第{j}县卫生健康局", code=f"B41{i:02d}{j:02d}", kind=OrganizationKind.HEALTH_BUREAU,
                region=county))
    world["users"] = {
        "province": User.objects.create(username="bench_province", role=Role.SUPERVISOR, organization=bureau),
        "city": User.objects.create(username="bench_city", role=Role.SUPERVISOR, organization=world["cities"][0]),
        "county": User.objects.create(username="bench_county", role=Role.PROGRAM_ADMIN,
                                      organization=world["counties"][0]),
    }
    return world


def generate(copier: Copier, world: dict[str, Any], size: int, results: int, today: datetime.date,
             now: datetime.datetime) -> None:
    from django.contrib.contenttypes.models import ContentType

    from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty
    from shuangsuiji.inspections.models import InspectionRecord, ResultCode

    rng = random.Random(20261125)
    specialties = list(Specialty.objects.values_list("pk", flat=True))
    counties = world["counties"]
    codes = dict(ResultCode.objects.values_list("code", "pk"))
    admin_id = world["users"]["county"].pk
    CheckItem.objects.bulk_create([
        CheckItem(owner=org, code=f"SX-{org.pk}-{n}", specialty_id=specialties[n % len(specialties)],
                  name=f"抽查事项{n}", legal_basis="《条例》", subject=org.name, status=ItemStatus.PUBLISHED)
        for org in counties for n in range(3)
    ])

    # targets and their 专业
    per_county = [size // len(counties) + (1 if i < size % len(counties) else 0) for i in range(len(counties))]
    ranges: list[range] = []
    start = 1
    for n in per_county:
        ranges.append(range(start, start + n))
        start += n
    statuses = ["operating"] * 92 + ["suspended"] * 5 + ["cancelled"] * 3

    def target_rows() -> Iterator[tuple[Any, ...]]:
        for org, ids in zip(counties, ranges, strict=True):
            for pk in ids:
                last = today - datetime.timedelta(days=rng.randrange(5 * 365)) if rng.random() < 0.6 else None
                yield (pk, now, now, f"T{pk}", f"基准单位{pk}", rng.choice(statuses), rng.choice("AABBBBBCCD"), last,
                       False, org.pk, org.region_id)

    _timed(f"检查对象 {size:,} 行", copier.copy, "directory_target",
           ["id", "created_at", "updated_at", "code", "name", "status", "risk_class", "last_inspected_on",
            "is_retired", "owner_id", "region_id"], target_rows())

    def specialty_rows() -> Iterator[tuple[int, int, int]]:
        pk = 0
        for target in range(1, size + 1):
            chosen = rng.sample(specialties, 2 if rng.random() < 0.3 else 1)
            for specialty in chosen:
                pk += 1
                yield (pk, target, specialty)

    _timed("检查对象—专业", copier.copy, "directory_target_specialties", ["id", "target_id", "specialty_id"],
           specialty_rows())

    # tasks, draws, drawn targets, records, result codes, cases, deadlines … for two years
    years = [today.year - 1, today.year]
    per_task = 30
    tasks_per_county = max(1, results // len(counties) // per_task)
    record_type = ContentType.objects.get_for_model(InspectionRecord).pk
    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in (
        "task", "task_spec", "draw", "drawn", "record", "codes", "case", "deadline", "note", "sup", "acc")}
    ids = dict.fromkeys(rows, 0)

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for year in years:
        last_day = today if year == today.year else datetime.date(year, 12, 31)
        span = (last_day - datetime.date(year, 1, 1)).days
        for org, target_ids in zip(counties, ranges, strict=True):
            for n in range(tasks_per_county):
                task_id = next_id("task")
                begin = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(max(span - 30, 1)))
                end = begin + datetime.timedelta(days=60)
                if year < today.year:
                    state = rng.choice(["completed", "published", "published", "published"])
                else:
                    state = rng.choice(["scheme_published", "inspecting", "inspecting", "completed", "published"])
                rows["task"].append((task_id, now, now, f"RW{year}-{org.pk}-{n}", f"{year}年双随机抽查{n}", year, begin,
                                     end, state, org.pk))
                rows["task_spec"].append((task_id, task_id, rng.choice(specialties)))
                if state == "scheme_published":
                    continue
                confirmed_at = datetime.datetime.combine(begin, datetime.time(10), tzinfo=now.tzinfo)
                previous = None
                if rng.random() < 0.1:  # a re-draw: the superseded draw and its targets never count
                    previous = next_id("draw")
                    rows["draw"].append((previous, now, now, 1, "superseded", 300, "0" * 64, "", confirmed_at,
                                         confirmed_at, admin_id, org.pk, None, task_id))
                    for rank, target in enumerate(rng.sample(target_ids, 5), start=1):
                        rows["drawn"].append((next_id("drawn"), "B", rank, "drawn", target, previous))
                draw_id = next_id("draw")
                rows["draw"].append((draw_id, now, now, 2 if previous else 1, "confirmed", 300 + rng.randrange(300),
                                     "0" * 64, "", confirmed_at, confirmed_at, admin_id, org.pk, previous, task_id))
                for rank, target in enumerate(rng.sample(target_ids, min(per_task, len(target_ids))), start=1):
                    drawn_id = next_id("drawn")
                    rows["drawn"].append((drawn_id, "B", rank, "drawn", target, draw_id))
                    add_record(rows, next_id, rng, codes, record_type, year, today, now, org, task_id, draw_id,
                               drawn_id, target, begin, admin_id)

    _timed(f"抽查任务 {len(rows['task']):,} 项", copier.copy, "planning_task",
           ["id", "created_at", "updated_at", "code", "title", "year", "window_start", "window_end", "state",
            "owner_id"], rows["task"])
    copier.copy("planning_task_specialties", ["id", "task_id", "specialty_id"], rows["task_spec"])
    _timed(f"抽取 {len(rows['draw']):,} 次", copier.copy, "draws_targetdraw",
           ["id", "created_at", "updated_at", "sequence", "status", "pool_size", "pool_digest", "pool_file",
            "frozen_at", "confirmed_at", "frozen_by_id", "owner_id", "previous_id", "task_id"], rows["draw"])
    _timed(f"抽中对象 {len(rows['drawn']):,} 户", copier.copy, "draws_drawntarget",
           ["id", "stratum", "rank", "reason", "target_id", "draw_id"], rows["drawn"])
    _timed(f"一企一表 {len(rows['record']):,} 份", copier.copy, "inspections_inspectionrecord",
           ["id", "created_at", "updated_at", "number", "status", "inspected_on", "submitted_at", "reviewed_at",
            "entered_late", "draw_id", "drawn_target_id", "owner_id", "target_id", "task_id"], rows["record"])
    copier.copy("inspections_inspectionrecord_result_codes", ["id", "inspectionrecord_id", "resultcode_id"],
                rows["codes"])
    _timed(f"后续处置 {len(rows['case']):,} 件", copier.copy, "inspections_followupcase",
           ["id", "created_at", "updated_at", "number", "problem", "status", "opened_on", "closed_on",
            "penalty_decided_on", "penalty_amount", "owner_id", "region_id", "target_id", "record_id"], rows["case"])
    _timed(f"期限 {len(rows['deadline']):,} 条", copier.copy, "oversight_deadline",
           ["id", "created_at", "updated_at", "object_id", "subject_repr", "kind", "due_date", "remind_on",
            "completed_at", "completed_on", "completed_late", "content_type_id", "organization_id", "owner_id"],
           rows["deadline"])
    copier.copy("oversight_notification", ["id", "kind", "title", "key", "created_at", "deadline_id", "recipient_id"],
                rows["note"])
    copier.copy("oversight_supervision", ["id", "status", "created_at", "deadline_id", "owner_id"], rows["sup"])
    copier.copy("oversight_accountability", ["id", "what", "due_date", "late_workdays", "trigger", "status",
                                             "created_at", "updated_at", "organization_id", "owner_id", "deadline_id"],
                rows["acc"])


def add_record(rows: dict[str, list[tuple[Any, ...]]], next_id: Any, rng: random.Random, codes: dict[str, int],
               record_type: int, year: int, today: datetime.date, now: datetime.datetime, org: Any, task_id: int,
               draw_id: int, drawn_id: int, target: int, begin: datetime.date, admin_id: int) -> None:
    record_id = next_id("record")
    inspected = min(begin + datetime.timedelta(days=rng.randrange(50)), today)
    roll = rng.random()
    status = "approved" if roll < 0.8 else "submitted" if roll < 0.9 else "pending" if roll < 0.98 else "returned"
    at = datetime.datetime.combine(inspected, datetime.time(16), tzinfo=now.tzinfo)
    entered = status != "pending"
    rows["record"].append((record_id, now, now, f"R{record_id}", status, inspected if entered else None,
                           at if entered else None, at if status == "approved" else None, rng.random() < 0.05,
                           draw_id, drawn_id, org.pk, target, task_id))
    if entered:
        code = rng.choices(["10", "21", "23", "30", "221"], weights=[70, 20, 3, 2, 5])[0]
        rows["codes"].append((next_id("codes"), record_id, codes[code]))
        if code in ("21", "23", "221"):
            closed = inspected + datetime.timedelta(days=rng.randrange(200)) if rng.random() < 0.7 else None
            closed = closed if closed and closed <= today else None
            penalty = inspected + datetime.timedelta(days=10) if code == "23" else None
            rows["case"].append((next_id("case"), now, now, f"TZ{record_id}", "问题", "closed" if closed else "open",
                                 inspected, closed, penalty, 5000 if penalty else None, org.pk, org.region_id, target,
                                 record_id))
    due = inspected + datetime.timedelta(days=14)
    done = entered and rng.random() < 0.97
    deadline_id = next_id("deadline")
    rows["deadline"].append((deadline_id, now, now, record_id, f"R{record_id}", "result_entry", due,
                             due - datetime.timedelta(days=3), at if done else None, inspected if done else None,
                             rng.random() < 0.05, record_type, org.pk, org.pk))
    if rng.random() < 0.1:
        rows["note"].append((next_id("note"), "reminder", "提醒", f"bench-r-{deadline_id}",
                             datetime.datetime.combine(due, datetime.time(8), tzinfo=now.tzinfo), deadline_id, admin_id))
    if not done and due < today and rng.random() < 0.5:
        rows["sup"].append((next_id("sup"), "awaiting", now, deadline_id, org.pk))
        if rng.random() < 0.3:
            rows["acc"].append((next_id("acc"), f"R{record_id}", due, 6, "overdue", "open", now, now, org.pk, org.pk,
                                deadline_id))


# ---------------------------------------------------------------------------------------- child: timings


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _backend_ticks(pid: int) -> int:
    """CPU clock ticks (user + system) the PostgreSQL backend serving this process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _page(client: Any, url: str, repeat: int) -> tuple[float, float, float, int]:
    """Cold time, median wall time, mean CPU time (this process + its PostgreSQL backend) and SQL count.

    On a shared, busy machine the wall time is inflated by waiting for a CPU; the CPU time is what the page
    costs, i.e. about its wall time on an idle machine (parallel query is off in this session)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    times = []
    cpu_started, ticks_started = time.process_time(), _backend_ticks(pid)
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started + (_backend_ticks(pid) - ticks_started) / tick) / repeat
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return cold, statistics.median(times), cpu, len(queries)


def measure(world: dict[str, Any], today: datetime.date, repeat: int) -> None:
    from django.db import connection, connections
    from django.test import Client

    from shuangsuiji.directory.models import Target
    from shuangsuiji.oversight.summary import mark_dirty, target_stats_refresh

    connections["default"].close()
    connections["default"].settings_dict["CONN_MAX_AGE"] = None  # one backend for all requests (CPU accounting)
    started = time.perf_counter()
    rows = target_stats_refresh()
    print(f"名录库汇总表全量统计（全部 {len(world['counties']) + len(world['cities']) + 1} 个单位）："
          f"{time.perf_counter() - started:.1f} s，{rows:,} 行（后台任务每 10 分钟只统计有变化的单位）")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM directory_target")
        cursor.fetchone()
        count_s = time.perf_counter() - started
        through = Target.specialties.through._meta.db_table
        started = time.perf_counter()
        cursor.execute(
            f"SELECT s.specialty_id, count(*) FROM {through} s JOIN directory_target t ON t.id = s.target_id "
            "WHERE NOT t.is_retired AND t.status = 'operating' GROUP BY s.specialty_id")
        cursor.fetchall()
        join_s = time.perf_counter() - started
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    print(f"基线：count(*) 检查对象表 {_ms(count_s)}；直接按专业统计全省在营对象（汇总表所替代的连接查询）{_ms(join_s)}")
    from shuangsuiji.oversight.snapshots import refresh_stale

    started = time.perf_counter()
    refresh_stale(today=today)
    print(f"全部单位的统计快照（后台任务每 10 分钟重算过期或有变化的单位）：{time.perf_counter() - started:.1f} s")
    pages = [
        ("县（区）卫生健康局", "county"),
        ("市卫生健康委（含15个县区）" if len(world["cities"]) > 2 else "市卫生健康委（含下辖县区）", "city"),
        ("省卫生健康委（全省）", "province"),
    ]
    for label, key in pages:
        client = Client()
        client.force_login(world["users"][key])
        cold, median, cpu, queries = _page(client, f"/oversight/dashboard/?year={today.year}", repeat)
        verdict = "达标" if min(median, cpu) * 1000 <= GOAL_MS else "未达标"
        print(f"统计看板 · {label}：首次 {_ms(cold)}，之后中位数 {_ms(median)}（{repeat} 次），CPU 时间 {_ms(cpu)}"
              f"（Python + PostgreSQL 后端，约等于空闲机器上的耗时），{queries} 条 SQL；目标 ≤ {GOAL_MS:.0f} ms：{verdict}")
    from shuangsuiji.oversight.snapshots import mark_dirty as mark_work_dirty

    client = Client()
    client.force_login(world["users"]["city"])
    client.get(f"/oversight/dashboard/?year={today.year}")
    mark_dirty(world["counties"][0].pk)
    mark_work_dirty(world["counties"][0].pk)
    started = time.perf_counter()
    client.get(f"/oversight/dashboard/?year={today.year}")
    print(f"统计看板 · 市级，其中一个县刚有变化（页面内先重新统计该县的名录库和快照）：{_ms(time.perf_counter() - started)}")
    for table in ("specialty", "region"):
        client = Client()
        client.force_login(world["users"]["province"])
        cold, median, cpu, queries = _page(client, f"/oversight/statistics/?table={table}&year={today.year}", 1)
        print(f"统计报表（{table}）· 全省：首次 {_ms(cold)}，再次 {_ms(median)}（CPU {_ms(cpu)}），{queries} 条 SQL")
    try:
        one, five, _ = os.getloadavg()
        print(f"（测量时系统负载 {one:.1f}/{five:.1f}，CPU 核数 {os.cpu_count()}）")
    except OSError:
        pass


if __name__ == "__main__":
    main()
