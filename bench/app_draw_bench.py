"""The application's draw at province scale (issue 21): a task over 1,000,000 targets on PostgreSQL, through
the real services, step by step, with peak memory and the same-run baseline PostgreSQL ORDER BY random().

Data: the demo generator's targets (`shuangsuiji.demo.generator.iter_targets`, the data set of
`ssj demo load --targets N`) written with COPY into a PostgreSQL database created and dropped here; the city
卫生健康委 owns them all (a city-wide task over the seven counties), and the 莲池区 bureau keeps a library of its
own. Steps, each one call of the service the web page calls (permission, scope, one transaction, audit):

1. freeze (draws.services.draw_freeze_pool): the pool read from the database by the task's scope, canonical
   pool stored (content-addressed CSV), its digest (Merkle root), the parameters checked by a trial draw;
   meanwhile another bureau (莲池区) edits one of its targets through directory.services.target_update in
   another connection: the edit must complete while the freeze is still running (no table lock);
2. draw (draw_execute): the stored pool read back and checked against the digest, the draw, the drawn
   targets written, the record stored, the confirmation deadline opened;
3. 双人确认 (draw_confirm) by a second person: the transparency-log leaf is the public record's digest;
4. publish: the public record and the public pool (CSV the portal serves) as the portal computes them.

Goals: freeze ≤ 5 s, draw ≤ 2 s, confirm ≤ 1 s, peak memory ≤ 1 GB. Baseline in the same run: PostgreSQL
`ORDER BY random() LIMIT k` per risk class over the same targets (not verifiable, nothing stored).

Run: PYTHONPATH=src python bench/app_draw_bench.py [--size 1000000] [--keep-db NAME] [--profile DIR] (needs
PostgreSQL on 127.0.0.1:5432). With --keep-db the database is generated on first use and reused afterwards (a
million targets take minutes to generate; each run adds one task). Each step prints wall time, CPU of this process
(and its forked children), CPU of the PostgreSQL backend serving it, and the step's peak memory (the kernel's
high-water mark reset before each step).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
GOALS = {"freeze": 5.0, "draw": 2.0, "confirm": 1.0}
RATIOS = {"A": 1, "B": 2, "C": 10, "D": 30}
OWN_TARGETS = 2_000  # the 莲池区 bureau's own library (the other bureau editing during the freeze)


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux: clear_refs 5), so each step's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of another process on this machine (the PostgreSQL backend), -1 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return -1.0


@dataclass
class Step:
    wall: float
    cpu: float
    peak_mb: float  # this process's peak RSS during the step (since the previous reset), -1 when unknown
    start_mb: float
    db_cpu: float  # the PostgreSQL backend serving this process's connection, -1 when unknown


def measure(name: str, action: Callable[[], Any], profile_dir: str = "", db_pid: int = 0) -> tuple[Any, Step]:
    """Run one step: wall and CPU time (this process and its forked children), peak memory of the step;
    with ``profile_dir`` also a cProfile of the step (``<dir>/<name>.prof``)."""
    import cProfile
    import gc

    gc.collect()
    resettable = reset_peak_rss()
    start_mb = rss_mb()
    profiler = cProfile.Profile() if profile_dir else None
    db0 = process_cpu(db_pid) if db_pid else -1.0
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    try:
        result = action()
    finally:
        if profiler is not None:
            profiler.disable()
    db1 = process_cpu(db_pid) if db_pid else -1.0
    step = Step(
        time.perf_counter() - wall0, cpu_seconds() - cpu0, peak_rss_mb() if resettable else -1.0, start_mb,
        db1 - db0 if db0 >= 0 and db1 >= 0 else -1.0,
    )  # fmt: skip
    if profiler is not None:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(Path(profile_dir) / f"{name}.prof"))
    return result, step


# ---------------------------------------------------------------------------------------- child


def copy_targets(cursor: Any, size: int, owner_id: int, region_ids: dict[str, int], specialty_ids: dict[str, int],
                 today: datetime.date, first_id: int, seed: int) -> int:  # fmt: skip
    """COPY `size` generated targets (and their 专业) owned by `owner_id`; returns the next free id."""
    from django.utils import timezone

    from shuangsuiji.demo.generator import iter_targets

    now = timezone.now()
    links: list[tuple[int, int]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for offset, record in enumerate(iter_targets(size, seed, today)):
            pk = first_id + offset
            links.extend((pk, specialty_ids[s]) for s in record.specialties)
            # contact_phone is an encrypted field: left empty here (it plays no part in a draw).
            yield (
                pk, now, now, owner_id, record.uscc, record.code, record.name, record.address,
                region_ids[record.region_code], record.licence_numbers, record.legal_representative,
                record.contact_person, "", record.status, record.risk_class, json.dumps(list(record.risk_flags)),
                record.last_inspected_on, record.last_result, False,
            )  # fmt: skip

    columns = (
        "id, created_at, updated_at, owner_id, uscc, code, name, address, region_id, licence_numbers, "
        "legal_representative, contact_person, contact_phone, status, risk_class, risk_flags, last_inspected_on, "
        "last_result, is_retired"
    )
    with cursor.copy(f"COPY directory_target ({columns}) FROM STDIN") as copy:
        for row in rows():
            copy.write_row(row)
    with cursor.copy("COPY directory_target_specialties (target_id, specialty_id) FROM STDIN") as copy:
        for link in links:
            copy.write_row(link)
    cursor.execute("SELECT setval(pg_get_serial_sequence('directory_target', 'id'), (SELECT max(id) FROM directory_target))")
    return first_id + size


def child(size: int, *, prepare_only: bool = False, profile_dir: str = "") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from shuangsuiji.accounts.models import User
    from shuangsuiji.demo import DemoContext, step_geography, step_organizations, step_users
    from shuangsuiji.directory.models import Target, TargetStatus
    from shuangsuiji.directory.services import target_update
    from shuangsuiji.draws import services
    from shuangsuiji.draws.commitments import draw_public_pool, draw_public_record
    from shuangsuiji.draws.models import TargetDraw
    from shuangsuiji.planning.models import Task, TaskState

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    today = timezone.localdate()
    ctx = DemoContext(size=0, inspectors=0, seed=20260101, today=today)
    for step in (step_geography, step_organizations, step_users):
        step(ctx)
    city, lianchi = ctx.bureaus["city"], ctx.bureaus["lianchi"]
    region_ids = {r.code: r.pk for r in ctx.regions.values()}
    specialty_ids = {code: s.pk for code, s in ctx.specialties.items()}
    present = Target.objects.filter(owner=city).count()
    if present == 0:
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg cursor (COPY)
            next_id = copy_targets(cursor, size, city.pk, region_ids, specialty_ids, today, 1, 20260101)
            copy_targets(cursor, OWN_TARGETS, lianchi.pk, region_ids, specialty_ids, today, next_id, 7)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE directory_target")
            cursor.execute("VACUUM ANALYZE directory_target_specialties")
        print(f"准备数据库（迁移、组织、{size:,} + {OWN_TARGETS:,} 个检查对象 COPY）{time.perf_counter() - started:.0f} s")
    elif present != size:
        raise SystemExit(f"数据库 {connection.settings_dict['NAME']} 已有 {present:,} 个市卫健委检查对象，不是 {size:,}")
    else:
        print(f"沿用数据库 {connection.settings_dict['NAME']}：{present:,} + {OWN_TARGETS:,} 个检查对象（已生成）")
    if prepare_only:
        return

    number = Task.objects.filter(owner=city, code__startswith="BENCH-").count() + 1
    task = Task.objects.create(
        owner=city, code=f"BENCH-2026-{number:03d}", title="全市公共卫生双随机抽查（基准）", year=today.year,
        ratios=RATIOS, min_per_stratum=1, mandatory_flags=["complaints", "penalized"], exclusion_months=6,
        methods=["现场检查"], window_start=today, window_end=today + datetime.timedelta(days=60),
        state=TaskState.SCHEME_PUBLISHED,
    )  # fmt: skip
    task.regions.set([city.region])
    operator = User.objects.get(username="city_admin")
    confirmer = User.objects.get(username="city_leader")
    editor = User.objects.get(username="lianchi_admin")
    edited = Target.objects.filter(owner=lianchi).order_by("pk").first()
    assert edited is not None
    in_pool = Target.objects.filter(owner=city, status=TargetStatus.OPERATING, is_retired=False).count()
    print(f"任务：{city.name}，抽查区域 {city.region.name}全域，对象池 {in_pool:,} 户（在营），比例 A 1% / B 2% / C 10% / D 30%")

    figures: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        db_pid = int(cursor.fetchone()[0])  # the server process of this connection: its CPU time per step

    # --- 1. freeze, with another bureau's edit in another connection while it runs
    freeze_started = threading.Event()
    edit: dict[str, Any] = {}
    original_collect = services.collect_pool

    def collect_and_signal(task_: Task, **options: Any) -> Any:
        freeze_started.set()
        return original_collect(task_, **options)

    def edit_elsewhere() -> None:
        try:
            if not freeze_started.wait(timeout=120):
                edit["error"] = "冻结未开始"
                return
            time.sleep(0.2)  # well inside the freeze: the pool query is running
            began = time.perf_counter()
            target = Target.objects.get(pk=edited.pk)
            target_update(actor=editor, target=target, data={"address": f"{target.address}（基准测试修改）"})
            edit["seconds"] = time.perf_counter() - began
            edit["done_at"] = time.perf_counter()
        except Exception as error:  # reported below
            edit["error"] = repr(error)
        finally:
            connections.close_all()

    services.collect_pool = collect_and_signal  # type: ignore[assignment]
    editor_thread = threading.Thread(target=edit_elsewhere)
    editor_thread.start()
    draw, figures["freeze"] = measure(
        "freeze",
        lambda: services.draw_freeze_pool(
            actor=operator, task=task, randomness_source="基准测试：2026年12月7日 福彩3D 开奖号码"
        ),
        profile_dir, db_pid,
    )
    freeze_end = time.perf_counter()
    services.collect_pool = original_collect  # type: ignore[assignment]
    editor_thread.join(timeout=120)
    figures["edit"] = edit
    figures["edit_during_freeze"] = "done_at" in edit and edit["done_at"] < freeze_end

    # --- 2. draw
    draw, figures["draw"] = measure(
        "draw",
        lambda: services.draw_execute(actor=operator, draw=draw, randomness=["2026年12月7日 福彩3D 4 1 8"]),
        profile_dir, db_pid,
    )
    selected = draw.record["summary"]["selected"] if draw.record else 0

    # --- 3. 双人确认 (the draw row as the confirmation page reads it)
    draw = TargetDraw.objects.get(pk=draw.pk)
    _, figures["confirm"] = measure(
        "confirm", lambda: services.draw_confirm(actor=confirmer, draw=draw, comment="基准测试确认"), profile_dir, db_pid
    )

    # --- 4. publish: the public record and the public pool as the portal serves them
    draw = TargetDraw.objects.get(pk=draw.pk)
    (public, public_csv), figures["publish"] = measure(
        "publish", lambda: (draw_public_record(draw), draw_public_pool(draw).csv_bytes), profile_dir, db_pid
    )

    # --- baseline: ORDER BY random() per risk class over the same targets
    counts = dict(
        Target.objects.filter(owner=city, status=TargetStatus.OPERATING, is_retired=False)
        .values_list("risk_class")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk"))
    )

    def baseline() -> int:
        total = 0
        with connection.cursor() as cursor:
            for risk, share in RATIOS.items():
                k = -(-counts.get(risk, 0) * share // 100)
                cursor.execute(
                    "SELECT id FROM directory_target WHERE owner_id = %s AND status = 'operating' AND NOT is_retired "
                    "AND risk_class = %s ORDER BY random() LIMIT %s",
                    [city.pk, risk, k],
                )
                total += len(cursor.fetchall())
        return total

    baseline()  # warm the cache, as the services had it warm
    wall0 = time.perf_counter()
    baseline_rows = baseline()
    figures["baseline"] = time.perf_counter() - wall0

    labels = {"freeze": "冻结对象池", "draw": "抽取", "confirm": "双人确认", "publish": "公开记录与公开对象池"}
    for key, label in labels.items():
        figure: Step = figures[key]
        goal = GOALS.get(key)
        verdict = f"（目标 ≤ {goal:.0f} s：{'达到' if figure.wall <= goal else '未达到'}）" if goal else ""
        memory = f"峰值内存 {figure.peak_mb:.0f} MB（步骤开始时 {figure.start_mb:.0f} MB）" if figure.peak_mb >= 0 else ""
        server = f"，数据库服务进程 CPU {figure.db_cpu:.2f} s" if figure.db_cpu >= 0 else ""
        print(f"{label:<12s}{figure.wall:7.2f} s  [CPU：本进程及其子进程 {figure.cpu:.2f} s{server}] {memory}{verdict}")
    print(f"抽中 {selected:,} 户；记录摘要 {draw.record_digest[:16]}…；公开记录摘要 {public['public_record_digest'][:16]}…；"
          f"公开对象池 CSV {len(public_csv) / 1e6:.1f} MB")  # fmt: skip
    if "error" in edit:
        print(f"冻结期间其他单位修改对象：失败 {edit['error']}")
    else:
        print(f"冻结期间莲池区卫健局在另一连接修改本局检查对象：{edit['seconds'] * 1000:.0f} ms 完成，"
              f"{'在冻结结束之前（没有阻塞他人的表锁）' if figures['edit_during_freeze'] else '在冻结结束之后（被阻塞！）'}")  # fmt: skip
    print(f"基线 PostgreSQL ORDER BY random()（4 层，每层 LIMIT k，共 {baseline_rows:,} 户）{figures['baseline']:.2f} s；"
          f"比值：冻结 {figures['freeze'].wall / figures['baseline']:.1f}×，抽取 {figures['draw'].wall / figures['baseline']:.1f}×，"
          f"冻结+抽取+确认 {(figures['freeze'].wall + figures['draw'].wall + figures['confirm'].wall) / figures['baseline']:.1f}×")  # fmt: skip
    steps: list[Step] = [figures[key] for key in labels]
    peak = max(s.peak_mb for s in steps) if all(s.peak_mb >= 0 for s in steps) else peak_rss_mb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"峰值内存（四个步骤中最大，不含生成数据）：本进程 {peak:.0f} MB（目标 ≤ 1024 MB：{'达到' if peak <= 1024 else '未达到'}），"
          f"派生子进程最大 {kids:.0f} MB（与本进程共享写时复制页面）")  # fmt: skip
    print(f"负载 {os.getloadavg()[0]:.2f}（{os.cpu_count()} 核；负载高于核数时墙钟时间偏大）")


# ---------------------------------------------------------------------------------------- parent


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG, connect_timeout=3):
            return True
    except Exception:
        return False


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def run(
    size: int,
    runner: Callable[..., Any] = subprocess.run,
    *,
    keep: str = "",
    prepare_only: bool = False,
    profile: str = "",
) -> int:
    """Run the child against a database created here and dropped afterwards, or against ``keep`` (created and
    filled on first use, kept: generating a million targets takes minutes, the steps measured take seconds)."""
    if not postgres_available():
        print("PostgreSQL：127.0.0.1:5432 无响应，跳过")
        return 0
    name = keep or f"ssj_app_draw_bench_{os.getpid()}"
    if not (keep and database_exists(name)):
        pg_admin(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="ssj-app-draw-bench-") as folder:
            env = {
                **os.environ, "PYTHONPATH": str(ROOT / "src"), "SSJ_DEBUG": "0", "SSJ_DB_ENGINE": "postgresql",
                "SSJ_DB_NAME": name, "SSJ_VAR_DIR": str(Path(folder) / "var"),
            }  # fmt: skip
            command = [sys.executable, __file__, "--child", "--size", str(size)]
            command += ["--prepare-only"] if prepare_only else []
            command += ["--profile", str(Path(profile).resolve())] if profile else []
            result = runner(command, env=env, timeout=3600)
            return int(result.returncode)
    finally:
        if not keep:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="检查对象数（冒烟测试可用 3000）")
    parser.add_argument(
        "--keep-db", default="", metavar="NAME",
        help="使用并保留该数据库（首次运行时生成数据，之后沿用；默认每次新建并删除）",
    )  # fmt: skip
    parser.add_argument("--prepare-only", action="store_true", help="只生成数据（与 --keep-db 一起使用）")
    parser.add_argument("--profile", default="", metavar="DIR", help="每个步骤的 cProfile 写入 DIR/<步骤>.prof")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.size, prepare_only=args.prepare_only, profile_dir=args.profile)
        return
    print(f"应用内随机抽取基准测试（PostgreSQL）：{args.size:,} 个检查对象；开始时负载 {os.getloadavg()[0]:.2f}")
    raise SystemExit(run(args.size, keep=args.keep_db, prepare_only=args.prepare_only, profile=args.profile))


if __name__ == "__main__":
    main()
