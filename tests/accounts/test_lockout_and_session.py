"""Lockout after 5 failures for 30 minutes keyed on the user name; idle session timeout of 15 minutes."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from tests.conftest import PASSWORD, World


def _login(username: str, password: str, ip: str = "10.0.0.1") -> int:
    response = Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": username, "password": password})
    return response.status_code


def test_five_failures_lock_the_user_name_for_thirty_minutes(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(4):
            assert _login("a_staff", "wrong-password", ip=f"10.0.0.{i + 1}") == 200  # form shown again
        assert _login("a_staff", "wrong-password", ip="10.0.0.5") == 429  # the fifth failure locks
        # keyed on the user name: the right password from yet another address is refused now
        response = Client(REMOTE_ADDR="10.9.9.9").post("/accounts/login/", {"username": "a_staff", "password": PASSWORD})
        assert response.status_code == 429 and "已被锁定 30 分钟" in response.content.decode()
        # another user name is not affected
        assert _login("a_leader", PASSWORD) == 302
    assert AuditEntry.objects.filter(event="auth.login_failed").count() >= 5
    assert AuditEntry.objects.filter(event="auth.locked_out").exists()
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert _login("a_staff", PASSWORD) == 429
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert _login("a_staff", PASSWORD) == 302


def test_security_admin_unlocks(world: World) -> None:
    for _ in range(5):
        _login("a_staff", "wrong-password")
    assert _login("a_staff", PASSWORD) == 429
    admin = world.client("a_security")
    page = admin.get("/accounts/security/users/").content.decode()
    assert "已锁定" in page
    response = admin.post(f"/accounts/security/users/{world.users['a_staff'].pk}/unlock/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(event="account.unlock", object_id=str(world.users["a_staff"].pk)).exists()
    assert _login("a_staff", PASSWORD) == 302


def test_successful_login_is_audited_with_the_address(world: World) -> None:
    assert _login("a_leader", PASSWORD, ip="192.0.2.7") == 302
    entry = AuditEntry.objects.filter(event="auth.login", actor=world.users["a_leader"]).order_by("-seq").first()
    assert entry is not None and entry.ip_address == "192.0.2.7"


def test_idle_session_expires_after_fifteen_minutes(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = world.client("a_staff")
        assert client.get("/").status_code == 200
    # activity every 10 minutes keeps the session alive
    for minutes in (10, 20, 30):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200, minutes
    # 16 idle minutes end it
    with time_machine.travel(start + datetime.timedelta(minutes=46), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_attempts_per_address_are_rate_limited(world: World) -> None:
    # many user names from one address (password spraying): the address is slowed down, not locked
    codes = [_login(f"nobody{i}", "wrong", ip="203.0.113.50") for i in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert _login("a_staff", PASSWORD, ip="203.0.113.51") == 302  # other addresses unaffected
