"""Run by tests/common/test_replica.py in a process whose settings name a primary and a streaming replica.

Checks, against the real pair, that portal and dashboard reads are answered by the replica, that writes, reads
inside a transaction and reads after a write go to the primary, and that other pages never touch the replica.
Prints "PROBE OK" at the end; any failed check raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import django


def _queries(run: Callable[[], Any]) -> tuple[Any, int, int]:
    """``run()``'s result and how many queries the primary and the replica answered meanwhile."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        result = run()
    return result, len(primary.captured_queries), len(replica.captured_queries)


def _wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while not check():
        if time.time() > deadline:
            raise AssertionError(f"副本在 {seconds} 秒内没有回放：{what}")
        time.sleep(0.05)


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.db import connections, transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User
    from shuangsuiji.common.db_router import ReplicaRouter, _state, replica_reads
    from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty

    assert settings.DATABASE_ROUTERS == ["shuangsuiji.common.db_router.ReplicaRouter"]
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True, "the replica must be a hot standby"

    # writes (anywhere) go to the primary: the standby would refuse them
    region = Region.objects.create(code="139900", name="副本测试县", level=RegionLevel.COUNTY)
    bureau = Organization.objects.create(name="副本测试县卫生健康局", code="REPLICA-B", region=region,
                                         kind=OrganizationKind.HEALTH_BUREAU)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        leader = User.objects.create_user(username="replica_leader", password="Replica@2026x", organization=bureau,
                                          role=Role.LEADER, real_name="副本领导")
    item = CheckItem.objects.create(
        owner=bureau, code="FB-01", specialty=Specialty.objects.get(code="public_places"), name="副本测试抽查事项",
        legal_basis="《公共场所卫生管理条例》", subject=bureau.name, methods=["on_site"], status=ItemStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    _wait_for(lambda: CheckItem.objects.using("replica").filter(pk=item.pk).exists(), "新公布的事项")

    # the portal: every query of an anonymous page is answered by the replica
    response, on_primary, on_replica = _queries(lambda: Client().get("/gs/items/"))
    assert response.status_code == 200 and "副本测试抽查事项" in response.content.decode()
    assert on_replica > 0 and on_primary == 0, (on_primary, on_replica)
    response, on_primary, on_replica = _queries(lambda: Client().get("/api/public/items"))
    assert response.status_code == 200 and on_replica > 0 and on_primary == 0, (on_primary, on_replica)

    # a dashboard: its figures from the replica; the session and the user (security state) from the primary
    client = Client()
    client.force_login(leader)
    response, on_primary, on_replica = _queries(lambda: client.get("/oversight/dashboard/"))
    assert response.status_code == 200, response.status_code
    assert on_replica > 0 and on_primary > 0, (on_primary, on_replica)
    # a staff page without @replica_reads: everything on the primary
    _, on_primary, on_replica = _queries(lambda: client.get("/directory/items/"))
    assert on_replica == 0 and on_primary > 0, (on_primary, on_replica)

    # inside a replica-reading view: a transaction reads the primary, and so does everything after a write
    router = ReplicaRouter()

    @replica_reads
    def view(request: Any) -> Any:
        from django.http import HttpResponse

        seen = [router.db_for_read(CheckItem), router.db_for_read(User)]  # users: always the primary
        with transaction.atomic():
            seen.append(router.db_for_read(CheckItem))
            fresh = CheckItem.objects.create(
                owner=bureau, code="FB-02", specialty=item.specialty, name="刚写入的事项", legal_basis="x",
                subject=bureau.name, methods=["on_site"], status=ItemStatus.PUBLISHED,
            )
        seen.append(router.db_for_read(CheckItem))
        # read-your-writes: found at once although the standby may not have replayed it yet
        assert CheckItem.objects.filter(pk=fresh.pk).exists()
        return HttpResponse(",".join(str(s) for s in seen))

    from django.test import RequestFactory

    answer = view(RequestFactory().get("/"))
    assert answer.content.decode() == "replica,None,None,None", answer.content
    assert _state.get() is None  # nothing leaks into the next request
    print("PROBE OK")


if __name__ == "__main__":
    main()
