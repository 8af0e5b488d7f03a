"""Shared fixtures: a small two-county world for scope and permission tests."""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from shuangsuiji.core.uscc import complete_uscc

# The property tests must not make the gate flaky: `make test` draws the same examples every run ("ci").
# SSJ_HYPOTHESIS_PROFILE=explore draws new random examples (and keeps failures in .hypothesis/) to hunt for bugs;
# add what it finds as an @example.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=500)
hypothesis_settings.load_profile(os.environ.get("SSJ_HYPOTHESIS_PROFILE", "ci"))


@dataclass
class World:
    regions: dict[str, Any] = field(default_factory=dict)
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    items: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)
    inspectors: dict[str, Any] = field(default_factory=dict)

    def client(self, user_key: str, *, verified: bool = True) -> Client:
        """A logged-in client; `verified` marks the session as having passed the TOTP second factor
        (tests run with 2FA enforced, as in production; tests/accounts checks the enforcement itself)."""
        client = Client()
        client.force_login(self.users[user_key])
        if verified:
            mark_otp_verified(client, self.users[user_key])
        # the session's idle timer was just started: no renewal write on the first request (keeps
        # query-count tests stable)
        session = client.session
        session["ssj_seen"] = int(time.time())
        session.save()
        return client


def mark_otp_verified(client: Client, user: Any) -> None:
    """Give `user` a confirmed TOTP device and record it as verified in the client's session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["ssj_2fa_enrolled"] = True
    session.save()


PASSWORD = "Test@2026pass"


def build_world() -> World:
    from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User
    from shuangsuiji.directory.models import CheckItem, Inspector, ItemStatus, Specialty, Target

    w = World()
    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="130600", name="保定市", level=RegionLevel.CITY, parent=province)
    county_a = Region.objects.create(code="130606", name="莲池区", level=RegionLevel.COUNTY, parent=city)
    county_b = Region.objects.create(code="130630", name="涞源县", level=RegionLevel.COUNTY, parent=city)
    county_a.adjacent.add(county_b)
    w.regions.update(province=province, city=city, a=county_a, b=county_b)

    def org(key: str, name: str, kind: str, region: Any, parent: Any = None, system: str = "卫生健康") -> Any:
        o = Organization.objects.create(
            name=name, code=key.upper(), kind=kind, region=region, parent=parent, system=system
        )
        w.orgs[key] = o
        return o

    city_bureau = org("city", "保定市卫生健康委员会", OrganizationKind.HEALTH_BUREAU, city)
    bureau_a = org("a", "莲池区卫生健康局", OrganizationKind.HEALTH_BUREAU, county_a)
    org("a_section", "莲池区卫生健康局公共卫生科", OrganizationKind.SECTION, county_a, bureau_a)
    org("a_institute", "莲池区卫生监督所", OrganizationKind.SUPERVISION_INSTITUTE, county_a, bureau_a)
    bureau_b = org("b", "涞源县卫生健康局", OrganizationKind.HEALTH_BUREAU, county_b)
    org("a_culture", "莲池区文化广电和旅游局", OrganizationKind.OTHER_DEPARTMENT, county_a, system="文化和旅游")
    del city_bureau, bureau_b

    def user(key: str, org_key: str, role: str) -> Any:
        u = User.objects.create_user(
            username=key, password=PASSWORD, organization=w.orgs[org_key], role=role, real_name=key
        )
        w.users[key] = u
        return u

    user("a_admin", "a", Role.PROGRAM_ADMIN)
    user("a_staff", "a_section", Role.SECTION_STAFF)
    user("a_inspector", "a_institute", Role.INSPECTOR)
    user("a_leader", "a", Role.LEADER)
    user("a_sysadmin", "a", Role.SYSTEM_ADMIN)
    user("a_culture", "a_culture", Role.PROGRAM_ADMIN)
    user("b_admin", "b", Role.PROGRAM_ADMIN)
    user("city_admin", "city", Role.PROGRAM_ADMIN)
    user("city_supervisor", "city", Role.SUPERVISOR)
    user("a_security", "a", Role.SECURITY_ADMIN)
    user("a_auditor", "a", Role.AUDIT_ADMIN)
    user("b_security", "b", Role.SECURITY_ADMIN)

    public_places = Specialty.objects.get(code="public_places")
    medical = Specialty.objects.get(code="medical")
    for key, region in (("a", county_a), ("b", county_b)):
        owner = w.orgs[key]
        w.items[key] = CheckItem.objects.create(
            owner=owner, code=f"GG-{key}", specialty=public_places, name="对公共场所卫生的监督检查",
            sub_items=["卫生许可证", "从业人员健康合格证明"], legal_basis="《公共场所卫生管理条例》",
            subject=owner.name, methods=["on_site"], status=ItemStatus.PUBLISHED,
        )
        body = f"92{region.code}MA0{'1' if key == 'a' else '2'}XYW1K"
        target = Target.objects.create(
            owner=owner, uscc=complete_uscc(body), code=complete_uscc(body), name=f"{region.name}悦来宾馆",
            address=f"{region.name}东风路1号", region=region, contact_phone="13812345678",
        )
        target.specialties.set([public_places])
        w.targets[key] = target
        inspector = Inspector.objects.create(
            owner=owner, name=f"{key}张三", organization=owner, region=region, licence_no=f"冀A{region.code}0001",
            licence_valid_from=datetime.date(2024, 1, 1), licence_valid_to=datetime.date(2028, 12, 31),
            id_number="110101199003071234", phone="13912345678",
        )
        inspector.qualifications.set([public_places, medical])
        w.inspectors[key] = inspector
    return w


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def admin_client(db: Any, admin_user: Any) -> Client:
    """pytest-django's superuser client, with the second factor passed (superusers need it)."""
    client = Client()
    client.force_login(admin_user)
    mark_otp_verified(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def _production_security(settings: Any) -> None:
    # Tests run with the second factor enforced, as in production (the demo set-up relaxes it).
    settings.SSJ_REQUIRE_2FA = True
    from django.core.cache import cache

    cache.clear()  # rate-limit counters must not leak from one test into the next


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # PBKDF2 with production iterations costs ~0.3 s per user; tests don't test hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _var_dir_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Files written at run time (e.g. frozen draw pools under VAR_DIR/draws) go to a per-test folder.
    settings.VAR_DIR = tmp_path / "var"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests flush every table (and the rows seeded by migrations) when they end, so they
    must not share a worker with ordinary tests: mark them `serial`; scripts/test.sh runs them in a
    separate, single-process pytest run after the parallel one."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and bool(
            marker.kwargs.get("transaction") or (marker.args and marker.args[0])
        )
        if transactional or "transactional_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.serial)
