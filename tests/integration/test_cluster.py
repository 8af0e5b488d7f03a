"""Several app servers on one database (scripts/cluster.sh): two gunicorn servers and two huey consumers on
Redis against the test's PostgreSQL database.

- 50 simultaneous 双人确认 of one draw, spread over both servers: exactly one succeeds, 49 are refused in Chinese;
- a login on one server is a valid session on the other (sessions in the shared database, one SECRET_KEY);
- a periodic reminder job enqueued by both consumers' schedulers for the same slot runs once.

Needs PostgreSQL and Redis; skipped with a message otherwise.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.models import PeriodicRun
from shuangsuiji.draws.models import DrawStatus, TargetDraw
from tests.conftest import PASSWORD, World, build_world
from tests.draws.factories import drawn, populated_task

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SSJ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CONFIRMATIONS = 50


def _redis() -> Any:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        return client
    except Exception:
        return None


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.environ.get("SSJ_DB_ENGINE") != "postgresql",
                       reason="多服务器测试需要 PostgreSQL（几台服务器共用一个数据库）"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Cluster:
    def __init__(self, world: World, draw: TargetDraw, env: dict[str, str], ports: list[int]) -> None:
        self.world, self.draw, self.env, self.ports = world, draw, env, ports

    def url(self, n: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[n % len(self.ports)]}{path}"


@pytest.fixture
def cluster(transactional_db: Any, tmp_path: Path) -> Iterator[Cluster]:
    redis_client = _redis()
    if redis_client is None:
        pytest.skip(f"Redis 未在 {REDIS_URL} 应答：跳过多服务器测试")
    world = build_world()
    task = populated_task(world)
    draw = drawn(world, task)  # operator a_admin; a_leader confirms
    leader = world.users["a_leader"]
    # the servers use the production password hashers (the tests' fast MD5 hasher is not among them)
    hasher = PBKDF2PasswordHasher()
    leader.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    leader.save(update_fields=["password"])
    prefix = f"ssj-cluster-test-{os.getpid()}-{secrets.token_hex(4)}-"
    ports = _free_ports(2)
    db = connection.settings_dict
    env = dict(os.environ)
    env.update({
        "SSJ_DB_ENGINE": "postgresql", "SSJ_DB_NAME": str(db["NAME"]), "SSJ_DB_HOST": str(db["HOST"] or "127.0.0.1"),
        "SSJ_DB_PORT": str(db["PORT"] or "5432"), "SSJ_DB_USER": str(db["USER"]),
        "SSJ_DB_PASSWORD": str(db["PASSWORD"] or ""),
        "SSJ_REDIS_URL": REDIS_URL, "SSJ_REDIS_KEY_PREFIX": prefix, "SSJ_SECRET_KEY": secrets.token_urlsafe(40),
        "SSJ_CLUSTER_DIR": str(tmp_path / "cluster"), "SSJ_CLUSTER_PORTS": " ".join(map(str, ports)),
        "SSJ_CLUSTER_CONSUMERS": "2", "SSJ_CLUSTER_WORKERS": "1", "SSJ_CLUSTER_THREADS": "8", "SSJ_CLUSTER_MIGRATE": "0", "SSJ_CLUSTER_BIN": str(Path(sys.executable).parent),
        "SSJ_VAR_DIR": str(tmp_path / "var"), "SSJ_DEBUG": "0", "SSJ_DEMO": "1", "SSJ_REQUIRE_2FA": "0",
        "PYTHONPATH": str(ROOT / "src"),
    })
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = subprocess.run(["bash", "scripts/cluster.sh", "start"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=180, check=False)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield Cluster(world, draw, env, ports)
    finally:
        subprocess.run(["bash", "scripts/cluster.sh", "stop"], cwd=ROOT, env=env, capture_output=True, timeout=60,
                       check=False)
        keys = list(redis_client.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            redis_client.delete(*keys)


def _login(cluster: Cluster, server: int) -> requests.Session:
    session = requests.Session()
    page = session.get(cluster.url(server, "/accounts/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    answer = session.post(cluster.url(server, "/accounts/login/"), timeout=30, allow_redirects=False, data={
        "username": "a_leader", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1),
    })
    assert answer.status_code == 302 and "sessionid" in session.cookies, answer.text[:500]
    return session


def test_two_servers_share_sessions_serialise_confirmations_and_run_periodic_jobs_once(cluster: Cluster) -> None:
    # a login on server 0 is a session on server 1
    session = _login(cluster, 0)
    home = session.get(cluster.url(1, "/"), timeout=30, allow_redirects=False)
    assert home.status_code == 200 and "a_leader" in home.text
    assert requests.get(cluster.url(1, "/"), timeout=30, allow_redirects=False).status_code == 302  # no cookie

    # 50 confirmations of one draw at the same moment, alternating between the servers
    cookies = {name: str(value) for name, value in session.cookies.get_dict().items()}
    headers = {"X-CSRFToken": cookies["csrftoken"], "Content-Type": "application/json"}
    barrier = threading.Barrier(CONFIRMATIONS)
    answers: list[tuple[int, int, dict[str, Any]]] = []
    lock = threading.Lock()

    def confirm(n: int) -> None:
        barrier.wait(timeout=30)
        response = requests.post(cluster.url(n, f"/api/draws/draws/{cluster.draw.pk}/confirm"), cookies=cookies,
                                 headers=headers, data=json.dumps({"comment": f"第{n}次"}), timeout=120)
        with lock:
            answers.append((n % 2, response.status_code, response.json()))

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(CONFIRMATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == CONFIRMATIONS
    accepted = [a for a in answers if a[1] == 200]
    refused = [a for a in answers if a[1] != 200]
    assert len(accepted) == 1 and accepted[0][2]["status"] == DrawStatus.CONFIRMED, answers
    assert {status for _, status, _ in refused} == {400}, refused
    assert all("无需重复确认" in body["detail"] and "确认" in body["detail"] for _, _, body in refused), refused
    assert {server for server, _, _ in refused} == {0, 1}  # both servers refused some
    cluster.draw.refresh_from_db()
    assert cluster.draw.status == DrawStatus.CONFIRMED and cluster.draw.confirmed_by == cluster.world.users["a_leader"]
    assert AuditEntry.objects.filter(event="draw.confirm", object_id=str(cluster.draw.pk)).count() == 1
    session.close()  # no keep-alive connection left for the servers' graceful shutdown to wait for

    # the hourly reminder scan, enqueued twice for one slot (as the schedulers of two consumers do), runs once
    enqueue = (
        "import django; django.setup()\n"
        "from shuangsuiji.deadlines.tasks import deadline_scan_task\n"
        "deadline_scan_task(); deadline_scan_task()\n"
    )
    env = dict(cluster.env, DJANGO_SETTINGS_MODULE="shuangsuiji.settings")
    done = subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = PeriodicRun.objects.filter(task="shuangsuiji.deadlines.tasks.deadline_scan_task")
    deadline = time.time() + 90
    while time.time() < deadline and sum(1 + r.duplicates for r in runs.all()) < 2:
        time.sleep(0.3)
    # one run; the other attempt (and the consumers' own scheduler, if its minute came) found the slot taken
    assert runs.count() == 1 and runs.get().duplicates >= 1, list(runs.values())
