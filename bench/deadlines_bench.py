"""Benchmark of deadlines and the reminder chain on a throw-away SQLite database (or SSJ_DB_ENGINE=postgresql).

Measures: the database calendar (cold build vs cached call), opening N deadlines, the counts dashboards use,
the daily scan (first run: reminders, 督办, 问责, emails; second run: idempotent, nothing sent) — and, as the
baseline in the same run, the same N due dates computed with the pure calendar in memory and with a naive
day-by-day loop.

Run: python bench/deadlines_bench.py [--size small|full] [--count N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from typing import Any


def _setup_django(var_dir: str) -> None:
    os.environ.setdefault("SSJ_VAR_DIR", var_dir)
    os.environ.setdefault("SSJ_SQLITE_PATH", os.path.join(var_dir, "bench.sqlite3"))
    os.environ["SSJ_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    if os.environ.get("SSJ_DB_ENGINE") == "postgresql":
        os.environ.setdefault("SSJ_DB_NAME", "ssj_bench_deadlines")
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("SSJ_DB_ENGINE") == "postgresql":
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # locmem mail outbox


def _world(bureaus: int) -> list[tuple[Any, list[Any]]]:
    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User

    province = Region.objects.create(code="980000", name="测试省", level=RegionLevel.PROVINCE)
    result = []
    for k in range(bureaus):
        region = Region.objects.create(code=f"9900{k:02d}", name=f"测试县{k}", level=RegionLevel.COUNTY,
                                       parent=province)
        bureau = Organization.objects.create(name=f"测试县{k}卫生健康局", code=f"BENCH{k}",
                                             kind=OrganizationKind.HEALTH_BUREAU, region=region)
        users = [
            User.objects.create(username=f"b{k}_{role}_{n}", organization=bureau, role=role,
                                email=f"b{k}_{role}_{n}@example.cn")
            for n, role in enumerate([Role.PROGRAM_ADMIN, Role.LEADER, *[Role.INSPECTOR] * 8])
        ]
        result.append((bureau, users[2:]))
    return result


def _naive_add(start: date, count: int, calendar: Any) -> date:
    day, left = start, count
    while left:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            left -= 1
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "full"], default="full")
    parser.add_argument("--count", type=int, default=0, help="number of deadlines (default 300 small, 5000 full)")
    args = parser.parse_args()
    count = args.count or (300 if args.size == "small" else 5000)

    with tempfile.TemporaryDirectory(prefix="ssj-bench-") as var_dir:
        _setup_django(var_dir)
        run(count)


def run(count: int) -> None:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shuangsuiji.deadlines.calendar import build_calendar, clear_cache, get_calendar
    from shuangsuiji.deadlines.models import Deadline, DeadlineKind, Notification
    from shuangsuiji.deadlines.reminders import deadlines_scan
    from shuangsuiji.deadlines.selectors import deadline_counts_for_owners
    from shuangsuiji.deadlines.services import deadline_open
    from shuangsuiji.planning.models import AnnualPlan

    today = timezone.localdate()
    world = _world(5)
    print(f"今天 {today}，期限 {count} 项，5 个单位")

    clear_cache()
    t0 = time.perf_counter()
    build_calendar()
    cold = time.perf_counter() - t0
    get_calendar()
    t0 = time.perf_counter()
    for _ in range(200):
        get_calendar()
    warm = (time.perf_counter() - t0) / 200
    print(f"工作日历：从数据库构建 {cold * 1000:.1f} ms；缓存命中（1 次查询）{warm * 1000:.2f} ms/次")

    plans = []
    for k in range(count):
        bureau, _ = world[k % len(world)]
        plans.append(AnnualPlan(owner=bureau, year=3000 + k // len(world), title=f"基准计划{k}"))
    AnnualPlan.objects.bulk_create(plans, batch_size=1000)
    plans = list(AnnualPlan.objects.order_by("pk"))
    # start dates spread over the last 60 days: some pending, some near, many overdue
    starts = [today - timedelta(days=(k * 7) % 60) for k in range(count)]
    t0 = time.perf_counter()
    for k, (plan, start) in enumerate(zip(plans, starts, strict=True)):
        bureau, inspectors = world[k % len(world)]
        deadline_open(subject=plan, kind=DeadlineKind.RESULT_ENTRY, start_date=start, organization=bureau,
                      responsible=inspectors[k % len(inspectors)])
    opened = time.perf_counter() - t0
    print(f"开启期限：{opened:.2f} s，{opened / count * 1000:.2f} ms/项（含审计日志）")

    calendar = get_calendar()
    t0 = time.perf_counter()
    fast = [calendar.add_workdays(start, 10).date for start in starts]
    core_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = [_naive_add(start, 10, calendar) for start in starts]
    naive_time = time.perf_counter() - t0
    assert fast == naive == list(Deadline.objects.order_by("pk").values_list("due_date", flat=True))
    print(f"基线：同样 {count} 个截止日，内存中二分法 {core_time * 1000:.1f} ms，逐日循环 {naive_time * 1000:.1f} ms"
          "（结果一致）")

    t0 = time.perf_counter()
    counts = deadline_counts_for_owners(owner_ids=[bureau.pk for bureau, _ in world])
    counted = time.perf_counter() - t0
    total = {key: sum(row[key] for row in counts) for key in ("pending", "near", "overdue", "completed")}
    print(f"按单位统计状态：{counted * 1000:.1f} ms（1 次查询）→ {total}")

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        first = deadlines_scan()
        first_time = time.perf_counter() - t0
    print(f"第一次扫描：{first_time:.2f} s，{len(queries)} 次查询 — {first.summary()}")
    notifications, emails = Notification.objects.count(), len(mail.outbox)
    assert emails == notifications  # every recipient has an address: all sent in the same run
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        second = deadlines_scan()
        second_time = time.perf_counter() - t0
    assert (Notification.objects.count(), len(mail.outbox)) == (notifications, emails)
    assert second.reminders == second.supervisions == second.accountabilities == second.emails_sent == 0
    print(f"第二次扫描（幂等）：{second_time:.2f} s，{len(queries)} 次查询 — 新通知 0 条、新邮件 0 封")


if __name__ == "__main__":
    main()
