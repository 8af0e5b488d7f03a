"""Public portal benchmark (issues 9 and 21): result search over N published results (default 1,000,000).

For SQLite and (when it answers) PostgreSQL, each in a child process with its own fresh database:
  1. generate N published results (Chinese enterprise names, valid USCCs, 20 counties, 6 years, 5 groups),
  2. p50/p95 of the search page /gs/results/ through the Django test client (portal cache off: every query
     rendered): name fragments (2, 3 and 4 characters), exact USCC, region + year filters, 专业 and result filters,
     combined name + filters; baseline in the same run: the obvious ORM query without the search indexes
     (``icontains`` on the name and an exact count), on the same data,
  3. load runs against the portal served by gunicorn (2 processes x 4 threads) on 127.0.0.1, keep-alive client
     threads going through the same mixed URLs (searches, index, task list, results list, open-data API) after one
     warm-up pass: first with the portal cache off (the same-run baseline), then on (Redis when it answers, as in
     production); requests per second, p50/p95 of all requests and of the searches, cache hit share, errors.
Goals: search page p95 ≤ 100 ms on PostgreSQL (issue 9); with the cache ≥ 300 requests/s at p95 ≤ 100 ms and
search p95 ≤ 50 ms on 2 cores (issue 21). The client shares the machine's cores with the server.

Run: PYTHONPATH=src python bench/portal_bench.py [--size 1000000] [--no-postgres] [--no-sqlite]
     [--queries 200] [--load-seconds 15] [--load-threads 8] [--load-rounds 1] [--keep-db | --reuse-db]
     [--skip-pages]
The rate limit of the public search is lifted for the run (SSJ_PUBLIC_SEARCH_PER_MINUTE), since every
request comes from the one loopback address. SSJ_PORTAL_BENCH_DB names the PostgreSQL database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 100.0
GOAL_RPS = 300
GOAL_LOAD_P95_MS = 100.0
GOAL_SEARCH_P95_MS = 50.0
PG_DB = os.environ.get("SSJ_PORTAL_BENCH_DB", "ssj_portal_bench")
SEED = 20261125

SURNAME_CHARS = "华康宁安泰恒昌盛隆兴祥瑞福鑫源达通嘉美佳丰和顺德信诚永新金银宝龙凤鹏腾飞云海天明光辉"
BRAND_CHARS = "悦来君宜如家锦江汉庭百合春秋望月清泉碧水蓝天白云红叶青松翠竹紫荆丁香牡丹玉兰梧桐" \
              "东方西湖南山北海中原长城黄河太行燕赵冀中保定莲池古城钟楼府河一亩泉"
KINDS = [
    ("public_places", ["宾馆", "大酒店", "快捷酒店", "游泳馆", "美容美发店", "理发店", "洗浴中心", "足浴店", "KTV", "健身房"]),
    ("medical", ["诊所", "口腔诊所", "中医诊所", "社区卫生服务站", "门诊部", "医院"]),
    ("drinking_water", ["供水站", "水厂", "纯净水厂", "二次供水"]),
    ("disinfection_products", ["消毒用品有限公司", "卫生用品厂"]),
    ("school", ["小学", "中学", "幼儿园"]),
]
GROUPS = [("no_problem", "未发现问题", 0.78), ("rectified", "发现问题已责令改正", 0.14),
          ("penalty", "行政处罚", 0.03), ("unreachable", "通过登记的住所（经营场所）无法联系", 0.03),
          ("other", "未发现开展本次抽查涉及的经营活动", 0.02)]
YEARS = [2021, 2022, 2023, 2024, 2025, 2026]


# ---------------------------------------------------------------- data


@dataclass
class Enterprise:
    uscc: str
    name: str
    region: int  # index into the county list
    kind: int
    bigrams: str = ""


def make_enterprises(count: int, counties: list[tuple[str, str]], rng: random.Random) -> list[Enterprise]:
    from shuangsuiji.core.uscc import complete_uscc

    made: list[Enterprise] = []
    names: set[str] = set()
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while len(made) < count:
        region = rng.randrange(len(counties))
        kind = rng.randrange(len(KINDS))
        brand = "".join(rng.choice(BRAND_CHARS) for _ in range(rng.choice((2, 2, 3, 4))))
        extra = rng.choice(SURNAME_CHARS) if rng.random() < 0.5 else ""
        suffix = rng.choice(KINDS[kind][1])
        name = f"{counties[region][1]}{extra}{brand}{suffix}"
        if name in names:
            name = f"{name}（{rng.choice('一二三四五六七八九十')}店）"
            if name in names:
                continue
        names.add(name)
        body = "92" + counties[region][0] + "MA" + "".join(rng.choice(alphabet) for _ in range(7))
        made.append(Enterprise(complete_uscc(body), name, region, kind))
    return made


def group_of(rng: random.Random) -> tuple[str, str]:
    x = rng.random()
    for code, label, share in GROUPS:
        if x < share:
            return code, label
        x -= share
    return GROUPS[0][0], GROUPS[0][1]


def setup_world() -> dict[str, Any]:
    """Regions (a province, 2 cities, 20 counties), one bureau per county, a task per county and year."""
    import datetime

    from django.utils import timezone

    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel
    from shuangsuiji.directory.models import Specialty
    from shuangsuiji.disclosure.models import ResultRelease
    from shuangsuiji.planning.models import SchemeStatus, Task, TaskState, WorkScheme

    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    cities = [Region.objects.create(code=f"13{c:02d}00", name=n, level=RegionLevel.CITY, parent=province)
              for c, n in ((6, "保定市"), (1, "石家庄市"))]
    county_names = ["莲池区", "竞秀区", "满城区", "清苑区", "徐水区", "涞水县", "阜平县", "定兴县", "唐县", "高阳县",
                    "长安区", "桥西区", "新华区", "井陉县", "正定县", "行唐县", "灵寿县", "高邑县", "深泽县", "赞皇县"]
    counties: list[Any] = []
    for n, name in enumerate(county_names):
        city = cities[0] if n < 10 else cities[1]
        counties.append(Region.objects.create(code=f"{city.code[:4]}{n + 2:02d}", name=name,
                                              level=RegionLevel.COUNTY, parent=city))
    specialties = {s.code: s for s in Specialty.objects.all()}
    bureaus = [Organization.objects.create(name=f"{c.name}卫生健康局", code=f"B{c.code}",
                                           kind=OrganizationKind.HEALTH_BUREAU, region=c) for c in counties]
    tasks: dict[tuple[int, int], Any] = {}
    for i, bureau in enumerate(bureaus):
        for year in YEARS:
            task = Task.objects.create(
                owner=bureau, code=f"{year}-GG-{i:02d}", title=f"{year}年{counties[i].name}卫生健康双随机抽查",
                year=year, window_start=datetime.date(year, 3, 1), window_end=datetime.date(year, 10, 31),
                state=TaskState.PUBLISHED, completed_at=timezone.make_aware(datetime.datetime(year, 11, 1, 9)),
            )
            WorkScheme.objects.create(task=task, title=f"{task.title}工作方案", body="……",
                                      status=SchemeStatus.PUBLISHED,
                                      published_at=timezone.make_aware(datetime.datetime(year, 2, 20, 9)))
            ResultRelease.objects.create(
                owner=bureau, task=task, title=f"{task.title}抽查结果公示",
                published_at=timezone.make_aware(datetime.datetime(year, 11, 28, 9)),
            )
            tasks[(i, year)] = task
    return {"counties": counties, "bureaus": bureaus, "tasks": tasks,
            "specialties": [specialties.get(code) for code, _ in KINDS]}


def result_rows(size: int, world: dict[str, Any], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Rows (id, columns…) of disclosure_publishedresult plus the specialty id, in id order."""
    import datetime

    from shuangsuiji.disclosure.search import bigrams, normalize_name

    counties = world["counties"]
    enterprises = make_enterprises(max(1, int(size * 0.6)), [(c.code, c.name) for c in counties], rng)
    world["enterprises"] = enterprises
    for e in enterprises:
        e.bigrams = bigrams(normalize_name(e.name))
    tz = datetime.timezone(datetime.timedelta(hours=8))
    for n in range(1, size + 1):
        e = enterprises[rng.randrange(len(enterprises))]
        year = rng.choice(YEARS)
        task = world["tasks"][(e.region, year)]
        inspected = datetime.date(year, rng.randint(3, 10), rng.randint(1, 28))
        published = datetime.datetime(year, 11, rng.randint(2, 28), 9, rng.randint(0, 59), tzinfo=tz)
        group, label = group_of(rng)
        specialty = world["specialties"][e.kind]
        yield (n, e.uscc, e.name, normalize_name(e.name), e.bigrams, counties[e.region].pk, task.pk, task.code, task.title,
               world["bureaus"][e.region].name, world["bureaus"][e.region].pk, year, inspected, group, label,
               published, specialty.pk if specialty else None, specialty.name if specialty else "")


COLUMNS = ("id", "uscc", "enterprise_name", "name_search", "name_bigrams", "region_id", "task_id", "task_code", "task_title",
           "organization_name", "owner_id", "year", "inspected_on", "result_group", "result_label",
           "published_at", "specialty_names", "source_key", "result_detail", "is_public", "withheld_reason",
           "created_at", "updated_at")


def load(size: int, world: dict[str, Any], rng: random.Random) -> float:
    """Insert ``size`` results (+ their 专业 links) as fast as the database allows; returns seconds."""
    import datetime

    from django.db import connection, transaction

    from shuangsuiji.disclosure import search_indexes

    sqlite = connection.vendor == "sqlite"

    def stamp(value: datetime.datetime) -> Any:
        # SQLite keeps naive UTC text (what Django writes); PostgreSQL takes aware datetimes.
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ") if sqlite else value

    now = stamp(datetime.datetime.now(datetime.UTC))
    started = time.perf_counter()

    def full(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[int, int] | None]:
        (n, uscc, name, search, grams, region, task, code, title, org, owner, year, inspected, group, label,
         published, specialty_id, specialty_name) = row
        published = stamp(published)
        values = (n, uscc, name, search, grams, region, task, code, title, org, owner, year, inspected, group, label,
                  published, specialty_name, f"bench:{n}", "", True, "", now, now)
        return values, ((n, specialty_id) if specialty_id else None)

    table = "disclosure_publishedresult"
    link_table = "disclosure_publishedresultspecialty"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in search_indexes.PG_DROP:
                cursor.execute(statement)
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                links: list[tuple[int, int]] = []
                for row in result_rows(size, world, rng):
                    values, link = full(row)
                    copy.write_row(values)
                    if link:
                        links.append(link)
            with raw.copy(f"COPY {link_table} (result_id, specialty_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [size])
            for statement in search_indexes.PG_CREATE:
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {link_table}")
    else:
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in search_indexes.SQLITE_DROP:
                cursor.execute(statement)
            batch: list[tuple[Any, ...]] = []
            link_batch: list[tuple[int, int]] = []
            for row in result_rows(size, world, rng):
                values, link = full(row)
                batch.append(values)
                if link:
                    link_batch.append(link)
                if len(batch) >= 20_000:
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch)
                    cursor.executemany(f"INSERT INTO {link_table} (result_id, specialty_id) VALUES (%s, %s)",
                                       link_batch)
                    batch, link_batch = [], []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch)
                cursor.executemany(f"INSERT INTO {link_table} (result_id, specialty_id) VALUES (%s, %s)", link_batch)
            for statement in search_indexes.SQLITE_CREATE:  # FTS5 tables, triggers, rebuild
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


# ---------------------------------------------------------------- measuring


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50 * 1000, p95 * 1000, ordered[-1] * 1000


def fragment(name: str, county: str, length: int, rng: random.Random) -> str:
    """A fragment of the brand/suffix part of a name (what people type), ``length`` characters."""
    core = name[len(county):]
    if len(core) < length:
        return core
    start = rng.randrange(0, len(core) - length + 1)
    return core[start : start + length]


def scenarios(world: dict[str, Any], rng: random.Random, count: int) -> dict[str, list[str]]:
    counties = world["counties"]
    enterprises: list[Enterprise] = world["enterprises"]
    specialty_ids = [s.pk for s in world["specialties"] if s is not None]

    def pick() -> Enterprise:
        return enterprises[rng.randrange(len(enterprises))]

    def q(**params: Any) -> str:
        return "/gs/results/?" + urllib.parse.urlencode(params)

    out: dict[str, list[str]] = {k: [] for k in (
        "名称片段（2字）", "名称片段（3字）", "名称片段（4字）", "统一社会信用代码", "区划＋年度", "专业＋结果＋年度",
        "名称片段＋区划＋年度", "不带条件（首页列表）")}
    for _ in range(count):
        e = pick()
        county = counties[e.region]
        out["名称片段（2字）"].append(q(q=fragment(e.name, county.name, 2, rng)))
        out["名称片段（3字）"].append(q(q=fragment(e.name, county.name, 3, rng)))
        out["名称片段（4字）"].append(q(q=fragment(e.name, county.name, 4, rng)))
        out["统一社会信用代码"].append(q(q=e.uscc))
        region = counties[rng.randrange(len(counties))] if rng.random() < 0.8 else county.parent
        out["区划＋年度"].append(q(region=region.pk, year=rng.choice(YEARS)))
        out["专业＋结果＋年度"].append(q(specialty=rng.choice(specialty_ids), result=rng.choice(GROUPS)[0],
                                       year=rng.choice(YEARS)))
        out["名称片段＋区划＋年度"].append(q(q=fragment(e.name, county.name, 3, rng), region=county.pk,
                                         year=rng.choice(YEARS)))
        out["不带条件（首页列表）"].append(q(page=rng.randint(1, 5)))
    return out


def measure_pages(urls: list[str], warmup: int = 5) -> tuple[float, float, float]:
    from django.test import Client

    client = Client()
    for url in urls[:warmup]:
        client.get(url)
    samples: list[float] = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return percentiles(samples)


def baseline_query(url: str) -> None:
    """The obvious implementation: icontains on the stored name, filters, an exact count, first page."""
    from shuangsuiji.disclosure.models import PublishedResult

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    qs = PublishedResult.objects.filter(is_public=True)
    if params.get("q"):
        value = params["q"]
        qs = qs.filter(uscc=value) if len(value) == 18 and value.isascii() else qs.filter(
            enterprise_name__icontains=value)
    if params.get("region"):
        qs = qs.filter(region_id=int(params["region"]))
    if params.get("year"):
        qs = qs.filter(year=int(params["year"]))
    if params.get("specialty"):
        qs = qs.filter(specialties__id=int(params["specialty"]))
    if params.get("result"):
        qs = qs.filter(result_group=params["result"])
    qs.count()
    list(qs.order_by("-id")[:20])


def measure_calls(fn: Callable[[str], None], urls: list[str]) -> tuple[float, float, float]:
    samples: list[float] = []
    for url in urls:
        started = time.perf_counter()
        fn(url)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


# ---------------------------------------------------------------- load run against a served portal


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_search(url: str) -> bool:
    """A search request (the kind the search goal is about): result search with conditions, page or API."""
    parts = urllib.parse.urlsplit(url)
    params = {k for k, v in urllib.parse.parse_qsl(parts.query) if v and k != "page"}
    return parts.path in ("/gs/results/", "/api/public/results") and bool(params)


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "shuangsuiji.wsgi", "-w", "2", "--threads", "4", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/gs/", timeout=5).read()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _fetch(conn: Any, url: str) -> tuple[int, str]:
    conn.request("GET", url)
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("X-SSJ-Cache") or ""


def load_run(urls: list[str], seconds: float, threads: int, env: dict[str, str],
             fresh: list[str] | None = None, fresh_every: int = 0) -> dict[str, Any]:
    """gunicorn (2 processes x 4 threads) on loopback; ``threads`` clients with keep-alive connections go through
    ``urls`` (after one warm-up pass over the distinct URLs, the same in every run) for ``seconds``. With
    ``fresh``, every ``fresh_every``-th request of a client is instead a search never asked before (the long tail
    that no cache holds)."""
    import http.client

    server, port = _serve(env)
    try:
        distinct = list(dict.fromkeys(urls))
        cursor = iter(distinct)
        lock = threading.Lock()

        def warm() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    url = next(cursor, None)
                if url is None:
                    break
                _fetch(conn, url)
            conn.close()

        warmers = [threading.Thread(target=warm) for _ in range(threads)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()

        latencies: list[float] = []
        searches: list[float] = []
        errors: list[str] = []
        hits = [0]
        stop = time.time() + seconds
        unseen = iter(fresh or [])

        def worker(offset: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            n = offset
            mine: list[float] = []
            mine_search: list[float] = []
            my_hits = 0
            count = 0
            while time.time() < stop:
                url = urls[n % len(urls)]
                n += threads
                count += 1
                if fresh_every and count % fresh_every == 0:
                    with lock:
                        url = next(unseen, url)
                started = time.perf_counter()
                try:
                    status, cache_state = _fetch(conn, url)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    with lock:
                        errors.append(f"{url}: {error}")
                    continue
                elapsed = time.perf_counter() - started
                if status != 200:
                    with lock:
                        errors.append(f"{url}: HTTP {status}")
                    continue
                mine.append(elapsed)
                my_hits += cache_state == "hit"
                if is_search(url):
                    mine_search.append(elapsed)
            conn.close()
            with lock:
                latencies.extend(mine)
                searches.extend(mine_search)
                hits[0] += my_hits

        started = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        wall = time.perf_counter() - started
        p50, p95, worst = percentiles(latencies) if latencies else (0.0, 0.0, 0.0)
        s50, s95, _ = percentiles(searches) if searches else (0.0, 0.0, 0.0)
        return {"requests": len(latencies) + len(errors), "ok": len(latencies), "errors": len(errors),
                "rps": len(latencies) / wall, "p50": p50, "p95": p95, "max": worst,
                "search_requests": len(searches), "search_p50": s50, "search_p95": s95,
                "hit_share": hits[0] / max(1, len(latencies)), "distinct_urls": len(distinct),
                "first_error": errors[0] if errors else ""}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def load_runs(urls: list[str], args: argparse.Namespace, fresh: list[str] | None = None) -> dict[str, Any]:
    """The same load without and with the portal cache (Redis when it answers, as in production)."""
    base = dict(os.environ)
    backend = "本进程内存"
    if redis_available():
        base.update({"SSJ_REDIS_URL": REDIS_URL, "SSJ_REDIS_KEY_PREFIX": f"ssj-portal-bench-{os.getpid()}-"})
        backend = "Redis"
    out: dict[str, Any] = {"backend": backend, "runs": [], "tail": []}
    for round_no in range(args.load_rounds):
        for label, seconds in (("不缓存", "0"), ("缓存", "300")):
            env = dict(base, SSJ_PORTAL_CACHE_SECONDS=seconds)
            if "SSJ_REDIS_KEY_PREFIX" in env:
                env["SSJ_REDIS_KEY_PREFIX"] += f"{round_no}-{seconds}-"
            run = load_run(urls, args.load_seconds, args.load_threads, env)
            run.update(label=label, round=round_no + 1, load=os.getloadavg()[0])
            out["runs"].append(run)
    if args.fresh_every and fresh:
        for label, seconds in (("不缓存", "0"), ("缓存", "300")):
            env = dict(base, SSJ_PORTAL_CACHE_SECONDS=seconds)
            if "SSJ_REDIS_KEY_PREFIX" in env:
                env["SSJ_REDIS_KEY_PREFIX"] += f"tail-{seconds}-"
            run = load_run(urls, args.load_seconds, args.load_threads, env, list(fresh), args.fresh_every)
            run.update(label=label, round=1, load=os.getloadavg()[0], fresh_every=args.fresh_every)
            out["tail"].append(run)
    if "SSJ_REDIS_KEY_PREFIX" in base:  # leave nothing behind in the shared Redis
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{base['SSJ_REDIS_KEY_PREFIX']}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    return out


REDIS_URL = os.environ.get("SSJ_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


# ---------------------------------------------------------------- child: one database


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shuangsuiji.disclosure.models import PublishedResult

    rng = random.Random(SEED)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    reused = args.reuse_db and PublishedResult.objects.count() == args.size
    if reused:
        world = existing_world()
        world["enterprises"] = make_enterprises(max(1, int(args.size * 0.6)),
                                                [(c.code, c.name) for c in world["counties"]], rng)
        seconds = 0.0
    else:
        world = setup_world()
        seconds = load(args.size, world, rng)
    report: dict[str, Any] = {"vendor": connection.vendor, "size": args.size, "reused": reused,
                              "load_seconds": round(time.perf_counter() - started, 1),
                              "insert_seconds": round(seconds, 1)}
    sets = scenarios(world, random.Random(SEED + 1), args.queries)
    report["pages"] = {}
    report["baseline"] = {}
    if not args.skip_pages:
        for label, urls in sets.items():
            report["pages"][label] = measure_pages(urls)
            if label != "不带条件（首页列表）":
                base_urls = urls[: max(5, args.queries // 4)]
                report["baseline"][label] = measure_calls(baseline_query, base_urls)
    if args.load_seconds > 0:
        mixed = [u for urls in sets.values() for u in urls[:40]]
        random.Random(SEED + 2).shuffle(mixed)
        mixed += ["/gs/", "/gs/tasks/", f"/api/public/results?year={YEARS[-1]}", "/gs/results/"]
        tail = scenarios(world, random.Random(SEED + 3), 400)
        fresh = [u for label, urls in tail.items() if label != "不带条件（首页列表）" for u in urls]
        random.Random(SEED + 4).shuffle(fresh)
        report["load"] = load_runs(mixed, args, fresh)
    print("RESULT " + json.dumps(report, ensure_ascii=False))


def existing_world() -> dict[str, Any]:
    """The world of a database kept from an earlier run (--keep-db), as setup_world made it."""
    from shuangsuiji.accounts.models import Organization, Region, RegionLevel
    from shuangsuiji.directory.models import Specialty
    from shuangsuiji.planning.models import Task

    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent").order_by("pk"))
    bureaus = [Organization.objects.get(code=f"B{c.code}") for c in counties]
    specialties = {s.code: s for s in Specialty.objects.all()}
    tasks = {(i, t.year): t for i, b in enumerate(bureaus) for t in Task.objects.filter(owner=b)}
    return {"counties": counties, "bureaus": bureaus, "tasks": tasks,
            "specialties": [specialties.get(code) for code, _ in KINDS]}


def run_child(engine: str, args: argparse.Namespace, folder: Path) -> dict[str, Any] | None:
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(ROOT / "src"), "SSJ_VAR_DIR": str(folder / engine), "SSJ_PORTAL_CACHE_SECONDS": "0",
                "SSJ_PUBLIC_SEARCH_PER_MINUTE": str(10**9), "SSJ_DEBUG": "0", "PYTHONHASHSEED": "0"})
    if engine == "postgresql":
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
            if not (args.reuse_db and exists):
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
        env.update({"SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": PG_DB})
    else:
        env.update({"SSJ_DB_ENGINE": "sqlite", "SSJ_SQLITE_PATH": str(folder / "portal_bench.sqlite3")})
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--size", str(args.size),
               "--queries", str(args.queries), "--load-seconds", str(args.load_seconds),
               "--load-threads", str(args.load_threads), "--load-rounds", str(args.load_rounds),
               "--fresh-every", str(args.fresh_every)]
    command += ["--reuse-db"] if args.reuse_db else []
    command += ["--skip-pages"] if args.skip_pages else []
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        if engine == "postgresql" and not (args.keep_db or args.reuse_db):
            import psycopg

            with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT "):])
            return result
    sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
    return None


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def args_fresh_every(load: dict[str, Any]) -> int:
    return int(load["tail"][0].get("fresh_every", 0)) if load.get("tail") else 0


def print_report(report: dict[str, Any]) -> None:
    out = io.StringIO()
    vendor = "PostgreSQL（pg_trgm GIN）" if report["vendor"] == "postgresql" else "SQLite（FTS5 trigram）"
    out.write(f"\n== {vendor}：{report['size']:,} 条已公示结果，生成并建索引 {report['load_seconds']} s ==\n")
    out.write(f"{'查询（Django 测试客户端，整页渲染）':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
              f"{'   基线 p50/p95 ms（icontains + 精确计数）':>10}\n")
    if report.get("reused"):
        out.write("（沿用已生成的数据库）\n")
    for label, (p50, p95, worst) in report["pages"].items():
        base = report["baseline"].get(label)
        base_text = f"   {base[0]:8.1f} / {base[1]:8.1f}" if base else ""
        out.write(f"{label:<28}{p50:9.1f}{p95:9.1f}{worst:9.1f}{base_text}\n")
    worst_p95 = max((p95 for _, p95, _ in report["pages"].values()), default=0.0)
    if report["vendor"] == "postgresql" and report["pages"]:
        verdict = "达到" if worst_p95 <= GOAL_P95_MS else "未达到"
        out.write(f"目标 p95 ≤ {GOAL_P95_MS:.0f} ms：各类查询最差 p95 {worst_p95:.1f} ms，{verdict}\n")
    load = report.get("load")
    if load:
        runs = load["runs"]
        out.write(f"负载：gunicorn 2 进程×4 线程，回环地址，保持连接的客户端线程，{runs[0]['distinct_urls']} 个不同地址"
                  f"（各类检索＋首页、任务、结果列表、公开接口），先各请求一遍预热；缓存后端 {load['backend']}\n")
        out.write(f"{'轮次':<4}{'方式':<6}{'请求/秒':>9}{'p50 ms':>9}{'p95 ms':>9}{'检索p95':>9}{'命中率':>8}"
                  f"{'错误':>6}{'负载':>7}\n")
        for run in runs:
            out.write(f"{run['round']:<5}{run['label']:<6}{run['rps']:9.1f}{run['p50']:9.1f}{run['p95']:9.1f}"
                      f"{run['search_p95']:9.1f}{run['hit_share']:8.0%}{run['errors']:6d}{run['load']:7.2f}"
                      + (f"（首个错误：{run['first_error']}）" if run["errors"] else "") + "\n")
        for run in load.get("tail", []):
            out.write(f"{'长尾':<5}{run['label']:<6}{run['rps']:9.1f}{run['p50']:9.1f}{run['p95']:9.1f}"
                      f"{run['search_p95']:9.1f}{run['hit_share']:8.0%}{run['errors']:6d}{run['load']:7.2f}\n")
        if load.get("tail"):
            out.write(f"（长尾：每个客户端每 {args_fresh_every(load)} 个请求中有 1 个是从未出现过的检索，缓存无法命中）\n")
        cached = max((r for r in runs if r["label"] == "缓存"), key=lambda r: r["rps"])
        plain = next(r for r in runs if r["label"] == "不缓存" and r["round"] == cached["round"])
        verdict = "达到" if cached["rps"] >= GOAL_RPS and cached["p95"] <= GOAL_LOAD_P95_MS and \
            cached["search_p95"] <= GOAL_SEARCH_P95_MS else "未达到"
        out.write(f"最好一轮（第 {cached['round']} 轮）：缓存 {cached['rps']:.1f} 请求/秒（p95 {cached['p95']:.1f} ms，检索 p95 "
                  f"{cached['search_p95']:.1f} ms），同次不缓存 {plain['rps']:.1f} 请求/秒（p95 {plain['p95']:.1f} ms）："
                  f"{cached['rps'] / max(plain['rps'], 0.1):.1f} 倍；目标 ≥ {GOAL_RPS} 请求/秒、p95 ≤ "
                  f"{GOAL_LOAD_P95_MS:.0f} ms、检索 p95 ≤ {GOAL_SEARCH_P95_MS:.0f} ms：{verdict}\n")
    print(out.getvalue(), end="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="已公示结果条数（默认 1,000,000）")
    parser.add_argument("--queries", type=int, default=200, help="每类查询的次数")
    parser.add_argument("--load-seconds", type=float, default=15.0, help="负载测试秒数（0 为不做）")
    parser.add_argument("--load-threads", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--fresh-every", type=int, default=10,
                        help="另测一组长尾负载：每个客户端每 N 个请求中有 1 个从未出现过的检索（0 为不测）")
    parser.add_argument("--load-rounds", type=int, default=1, help="不缓存/缓存两种负载各测几轮（机器嘈杂时取多轮）")
    parser.add_argument("--keep-db", action="store_true", help=f"保留 PostgreSQL 数据库 {PG_DB} 以便分析")
    parser.add_argument("--reuse-db", action="store_true",
                        help="沿用 --keep-db 保留的同样规模的 PostgreSQL 数据库（不重新生成），并保留它")
    parser.add_argument("--skip-pages", action="store_true", help="只做负载测试，不测各类查询的页面耗时")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    engines = [] if args.no_sqlite else ["sqlite"]
    if not args.no_postgres:
        if pg_available():
            engines.append("postgresql")
        else:
            print("PostgreSQL 未在 127.0.0.1:5432 应答，跳过 PostgreSQL")
    print(f"公开平台检索基准：{args.size:,} 条已公示结果，每类查询 {args.queries} 次")
    with tempfile.TemporaryDirectory(prefix="ssj-portal-bench-") as tmp:
        for engine in engines:
            report = run_child(engine, args, Path(tmp))
            if report is None:
                raise SystemExit(f"{engine} 基准运行失败")
            print_report(report)


if __name__ == "__main__":
    main()
