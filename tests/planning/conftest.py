"""Planning fixtures: the shared two-county world plus a 政策法规 section, a 医保局 and a second item."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.conftest import World, build_world

WINDOW = {"window_start": datetime.date(2026, 4, 1), "window_end": datetime.date(2026, 6, 30)}
RATIOS = {"A": 1, "B": 2, "C": 10, "D": 30}


def extend_world(w: World) -> World:
    from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
    from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty

    legal = Organization.objects.create(
        name="莲池区卫生健康局政策法规科", code="A_LEGAL", kind=OrganizationKind.SECTION,
        region=w.regions["a"], parent=w.orgs["a"],
    )
    medins = Organization.objects.create(
        name="莲池区医疗保障局", code="A_MEDINS", kind=OrganizationKind.OTHER_DEPARTMENT,
        region=w.regions["a"], system="医疗保障",
    )
    w.orgs.update(a_legal=legal, a_medins=medins)
    for key, org, role in (("a_legal", legal, Role.SECTION_STAFF), ("a_medins", medins, Role.PROGRAM_ADMIN)):
        w.users[key] = User.objects.create_user(username=key, password="x", organization=org, role=role, real_name=key)
    w.items["a2"] = CheckItem.objects.create(
        owner=w.orgs["a"], code="YL-a", specialty=Specialty.objects.get(code="medical"), name="对医疗机构依法执业的监督检查",
        legal_basis="《医疗机构管理条例》", subject=w.orgs["a"].name, methods=["on_site"], status=ItemStatus.PUBLISHED,
    )
    return w


@pytest.fixture
def pw(db: Any) -> World:
    return extend_world(build_world())


def make_published_plan(w: World, year: int = 2026) -> Any:
    from shuangsuiji.planning import services

    admin = w.users["a_admin"]
    plan = services.plan_create(actor=admin, year=year, title=f"{year}年度双随机抽查工作计划")
    services.plan_lines_add_missing(actor=admin, plan=plan, ratios=RATIOS, months=[4, 5])
    for action, user in (("submit", "a_admin"), ("review", "a_legal"), ("approve", "a_leader"), ("file", "a_admin"),
                         ("publish", "a_admin")):
        plan = services.plan_transition(actor=w.users[user], plan=plan, action=action, comment="同意", justification="测试：名录库对象较少")
    return plan


def make_task(w: World) -> Any:
    from shuangsuiji.planning import services

    plan = make_published_plan(w)
    line = plan.lines.get(item=w.items["a"])
    return services.task_create_from_plan_line(actor=w.users["a_admin"], line=line, data={"title": "公共场所卫生抽查", **WINDOW})


def publish_scheme(w: World, task: Any) -> Any:
    from shuangsuiji.planning import services

    scheme = services.scheme_generate(actor=w.users["a_admin"], task=task)
    scheme = services.scheme_approve(actor=w.users["a_leader"], scheme=scheme)
    return services.scheme_publish(actor=w.users["a_admin"], scheme=scheme)
