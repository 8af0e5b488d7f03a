"""TOTP second factor: required for administrators, for publishing and confirming; relaxed in the demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuangsuiji.accounts.security import (
    current_second_factor,
    ensure_second_factor,
    is_sensitive_event,
    register_sensitive_event,
    require_verified_2fa,
)
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import PermissionDeniedError
from shuangsuiji.directory import item_review
from shuangsuiji.directory.models import ItemStatus
from tests.conftest import PASSWORD, World


def _token(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


def _password_login(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_administrator_must_enrol_then_verify(world: World) -> None:
    client = _password_login("a_admin")
    response = client.get("/directory/targets/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    assert client.get("/api/directory/targets").status_code == 403
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=world.users["a_admin"], confirmed=False)
    assert client.post("/accounts/2fa/setup/", {"token": "000000"}).status_code == 200  # wrong code
    done = client.post("/accounts/2fa/setup/", {"token": _token(device), "next": "/directory/targets/"})
    assert done.status_code == 302 and done["Location"] == "/directory/targets/"
    assert client.get("/directory/targets/").status_code == 200
    assert AuditEntry.objects.filter(event="otp.enroll", actor=world.users["a_admin"]).exists()
    # next login: the enrolled device must be used again
    again = _password_login("a_admin")
    response = again.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    verified = again.post("/accounts/2fa/verify/", {"token": _token(device), "next": "/"})
    assert verified.status_code == 302 and again.get("/").status_code == 200


@pytest.mark.parametrize("role_user", ["a_sysadmin", "a_security", "a_auditor", "a_admin"])
def test_every_administrator_role_needs_the_second_factor(world: World, role_user: str) -> None:
    response = world.client(role_user, verified=False).get("/accounts/password/change/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_staff_without_device_reads_freely_but_cannot_publish(world: World) -> None:
    client = world.client("a_staff", verified=False)
    assert client.get("/directory/items/").status_code == 200
    item = world.items["a"]
    item.status = ItemStatus.DRAFT
    item.save()
    review = item_review.item_review_submit(actor=world.users["a_staff"], items=[item])
    item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=True, opinion="")
    response = client.post(f"/directory/items/{item.pk}/publish/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT  # refused by the audit-level guard, transaction rolled back
    assert not AuditEntry.objects.filter(event="item.publish").exists()
    verified = world.client("a_staff")
    verified.post(f"/directory/items/{item.pk}/publish/")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED


def test_decorator_sends_unverified_users_to_the_second_factor(world: World) -> None:
    @require_verified_2fa
    def confirm(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    factory = RequestFactory()
    request = factory.post("/draws/1/confirm/", HTTP_REFERER="http://testserver/draws/1/")
    request.user = world.users["a_staff"]
    request.user.is_verified = lambda: False  # type: ignore[attr-defined]
    request.session = {}  # type: ignore[assignment]
    response = confirm(request)
    assert response.status_code == 302 and "/accounts/2fa/setup/" in response["Location"]
    assert "next=http%3A%2F%2Ftestserver%2Fdraws%2F1%2F" in response["Location"]
    request.user.is_verified = lambda: True  # type: ignore[attr-defined]
    assert confirm(request).content == b"ok"


def test_sensitive_events_and_service_guard(world: World) -> None:
    assert is_sensitive_event("draw.confirm") and is_sensitive_event("result.publish")
    # the events the publishing services really write (an audit found them unguarded)
    for event in ("disclosure.results_publish", "disclosure.penalty_publish", "disclosure.result_withhold",
                  "scheme.publish", "item.publish", "joint_plan.publish", "match.confirm"):
        assert is_sensitive_event(event), event
    assert not is_sensitive_event("target.update")
    register_sensitive_event("draw.execute")
    assert is_sensitive_event("draw.execute")
    token = current_second_factor.set(lambda: False)
    try:
        with pytest.raises(PermissionDeniedError):
            ensure_second_factor(world.users["a_admin"])
        with pytest.raises(PermissionDeniedError):
            audit_record(actor=world.users["a_admin"], event="draw.confirm")
        audit_record(actor=world.users["a_admin"], event="target.update")  # not sensitive
    finally:
        current_second_factor.reset(token)
    audit_record(actor=world.users["a_admin"], event="draw.confirm")  # CLI / jobs: no web request


def test_demo_setup_relaxes_the_second_factor(world: World, settings: Any) -> None:
    settings.SSJ_REQUIRE_2FA = False
    client = _password_login("a_admin")
    page = client.get("/")
    assert page.status_code == 200 and "双因素认证未强制启用" in page.content.decode()
