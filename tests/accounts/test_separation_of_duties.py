"""三权分立: the system administrator cannot read the audit log, the audit administrator only reads it,
the security administrator manages accounts (lockouts, password resets, 2FA resets, activation)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shuangsuiji.accounts import services
from shuangsuiji.accounts.audit_selectors import audit_entry_list
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import NotFoundError, PermissionDeniedError
from tests.conftest import PASSWORD, World


def test_system_administrator_cannot_read_the_audit_log(world: World) -> None:
    client = world.client("a_sysadmin")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/verify/").status_code == 403
    with pytest.raises(PermissionDeniedError):
        audit_entry_list(actor=world.users["a_sysadmin"])


def test_superuser_flag_does_not_open_the_audit_log(world: World) -> None:
    root: User = world.users["a_sysadmin"]
    root.is_superuser = True
    root.is_staff = True
    root.save()
    assert has_perm(root, Perm.LIBRARY_EDIT) and not has_perm(root, Perm.AUDIT_READ)
    client = world.client("a_sysadmin")
    assert client.get("/audit/").status_code == 403
    assert client.get("/admin/audit/auditentry/").status_code == 403


def test_audit_administrator_reads_with_filters_and_only_reads(world: World) -> None:
    client = world.client("a_auditor")
    world.client("a_admin").post(f"/directory/targets/{world.targets['a'].pk}/retire/", {"reason": "注销"})
    page = client.get("/audit/?event=target.retire")
    body = page.content.decode()
    assert page.status_code == 200 and "target.retire" in body and "注销" in body
    assert "auth.login" not in body.split("<tbody>")[1]  # filtered out
    # county B's entries stay invisible
    world.client("b_admin").post(f"/directory/targets/{world.targets['b'].pk}/retire/", {"reason": "B县注销"})
    assert "B县注销" not in client.get("/audit/").content.decode()
    # nothing to change: the role holds only the read permission
    auditor = world.users["a_auditor"]
    assert [p for p in Perm if has_perm(auditor, p)] == [Perm.AUDIT_READ]
    response = client.post(f"/directory/targets/{world.targets['a'].pk}/retire/", {"reason": "x"})
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(event="target.retire", actor=world.users["a_auditor"]).exists()
    assert client.get("/audit/verify/").status_code == 200


def test_audit_admin_in_django_admin_is_read_only(world: World) -> None:
    auditor: User = world.users["a_auditor"]
    auditor.is_staff = True
    auditor.save()
    client = world.client("a_auditor")
    assert client.get("/admin/audit/auditentry/").status_code == 200
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    assert client.post(f"/admin/audit/auditentry/{entry.seq}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_security_administrator_manages_accounts(world: World) -> None:
    admin = world.client("a_security")
    staff: User = world.users["a_staff"]
    response = admin.post(f"/accounts/security/users/{staff.pk}/reset-password/", follow=True)
    message = next(m.message for m in response.context["messages"])
    temporary = message.split("临时密码：")[1].split("（")[0]
    staff.refresh_from_db()
    assert staff.must_change_password and staff.check_password(temporary)
    login = Client()
    assert login.post("/accounts/login/", {"username": "a_staff", "password": temporary}).status_code == 302
    forced = login.get("/directory/targets/")
    assert forced.status_code == 302 and forced["Location"].startswith("/accounts/password/change/")
    admin.post(f"/accounts/security/users/{staff.pk}/reset-2fa/")
    admin.post(f"/accounts/security/users/{staff.pk}/deactivate/")
    staff.refresh_from_db()
    assert not staff.is_active
    events = set(AuditEntry.objects.filter(actor=world.users["a_security"]).values_list("event", flat=True))
    assert {"account.password_reset", "account.otp_reset", "account.deactivate"} <= events
    assert temporary not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert Client().post("/accounts/login/", {"username": "a_staff", "password": temporary}).status_code == 200


def test_security_administrator_cannot_reach_other_bureaus_or_the_audit_log(world: World) -> None:
    actor: User = world.users["a_security"]
    with pytest.raises(NotFoundError):
        services.account_password_reset(actor=actor, user=world.users["b_admin"])
    with pytest.raises(PermissionDeniedError):
        services.account_unlock(actor=world.users["a_sysadmin"], user=world.users["a_staff"])
    assert world.client("a_security").get("/audit/").status_code == 403
    assert world.client("b_security").get("/accounts/security/users/").content.decode().count("a_staff") == 0


def test_demo_accounts_are_refused_outside_the_demo(world: World, settings: Any) -> None:
    demo: User = world.users["a_leader"]
    demo.is_demo = True
    demo.save()
    settings.SSJ_DEMO = True
    assert Client().post("/accounts/login/", {"username": "a_leader", "password": PASSWORD}).status_code == 302
    logged_in = world.client("a_leader")
    settings.SSJ_DEMO = False
    assert Client().post("/accounts/login/", {"username": "a_leader", "password": PASSWORD}).status_code == 200
    response = logged_in.get("/")  # an open demo session is ended
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    from shuangsuiji.accounts.checks import demo_accounts_check

    errors = demo_accounts_check(databases=["default"])
    assert [e.id for e in errors] == ["ssj.E010"] and "a_leader" in errors[0].msg
