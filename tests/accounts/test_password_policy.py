"""Password policy: length, character classes, no reuse of the last 5, 90-day expiry, forced change."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji.accounts import services
from shuangsuiji.accounts.models import PasswordHistory, User
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError
from tests.conftest import World


def _messages(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.django_db
def test_length_and_character_classes() -> None:
    assert any("10" in m for m in _messages("Ab1!xyz"))  # too short
    assert any("3 类" in m for m in _messages("abcdefghijkl"))  # one class
    assert any("3 类" in m for m in _messages("abcdefgh1234"))  # two classes
    assert _messages("abcdefgh123!") == []  # lower + digit + symbol
    assert _messages("Abcdefgh1234") == []  # upper + lower + digit
    assert _messages("卫生监督Abc12345") == []


def test_last_five_passwords_cannot_be_reused(world: World) -> None:
    user: User = world.users["a_staff"]
    passwords = [f"Rotation{i}!pass" for i in range(6)]
    for pw in passwords:
        services.password_change(actor=user, new_password=pw)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in passwords[1:]:  # the current one and the four before it
        with pytest.raises(ApplicationError, match="最近 5 次"):
            services.password_change(actor=user, new_password=recent)
    services.password_change(actor=user, new_password=passwords[0])  # six changes ago: allowed again
    user.refresh_from_db()
    assert user.check_password(passwords[0])


def test_password_change_page_audits_and_records_the_date(world: World) -> None:
    client = world.client("a_staff")
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "Test@2026pass", "new_password1": "Brand#New2026", "new_password2": "Brand#New2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="a_staff")
    assert user.check_password("Brand#New2026")
    assert user.password_changed_at is not None and timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)
    entry = AuditEntry.objects.filter(event="password.change").get()
    assert entry.actor_id == user.pk and "Brand" not in str(entry.changes)
    # reusing the current password is refused by the form with the policy message
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "Brand#New2026", "new_password1": "Brand#New2026", "new_password2": "Brand#New2026"},
    )
    assert response.status_code == 200 and "最近 5 次" in response.content.decode()


def test_expired_password_forces_the_change_page_and_warns_before(world: World) -> None:
    with time_machine.travel(timezone.now() + datetime.timedelta(days=80), tick=False):
        client = world.client("a_staff")
        page = client.get("/directory/targets/")
        assert page.status_code == 200
        assert "天后过期" in page.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91), tick=False):
        client = world.client("a_staff")
        response = client.get("/directory/targets/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/password/change/")
        assert client.get("/accounts/password/change/").status_code == 200
        api = client.get("/api/directory/targets")
        assert api.status_code == 403 and "密码" in api.json()["detail"]
        client.post(
            "/accounts/password/change/",
            {"old_password": "Test@2026pass", "new_password1": "Fresh#Pass2026", "new_password2": "Fresh#Pass2026"},
        )
        assert client.get("/directory/targets/").status_code == 200


def test_hasher_upgrade_is_not_a_password_change(world: World) -> None:
    user: User = world.users["a_leader"]
    before = PasswordHistory.objects.filter(user=user).count()
    user.check_password("Test@2026pass")  # may re-hash with the preferred hasher
    assert PasswordHistory.objects.filter(user=user).count() == before
