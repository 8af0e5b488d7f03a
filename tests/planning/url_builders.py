"""Objects of county A for the URL access tests (tests/test_url_coverage.py), built through the services."""

from __future__ import annotations

import datetime
from typing import Any

from tests.conftest import World

RATIOS = {"A": 1, "B": 2, "C": 10, "D": 30}
WINDOW = {"window_start": datetime.date(2026, 4, 1), "window_end": datetime.date(2026, 6, 30)}


def plan(w: World) -> Any:
    from shuangsuiji.planning import services
    from shuangsuiji.planning.models import AnnualPlan

    existing = AnnualPlan.objects.filter(owner=w.orgs["a"]).first()
    if existing is not None:
        return existing
    admin = w.users["a_admin"]
    new = services.plan_create(actor=admin, year=2026, title="2026年度抽查计划")
    services.plan_lines_add_missing(actor=admin, plan=new, ratios=RATIOS)
    for action in ("submit", "review", "approve", "file", "publish"):
        new = services.plan_transition(actor=admin, plan=new, action=action, justification="测试：名录库对象较少")
    return new


def line(w: World) -> Any:
    return plan(w).lines.first()


def draft_plan_uncovered(w: World) -> Any:
    from shuangsuiji.planning import services

    admin = w.users["a_admin"]
    draft = services.plan_create(actor=admin, year=2027, title="2027年度抽查计划")
    return services.plan_uncovered_save(actor=admin, plan=draft, item=w.items["a"], reason="已纳入专项行动")


def joint(w: World) -> Any:
    from shuangsuiji.planning import services
    from shuangsuiji.planning.models import JointPlan

    existing = JointPlan.objects.filter(owner=w.orgs["a"]).first()
    if existing is not None:
        return existing
    return services.joint_plan_create(
        actor=w.users["a_admin"], participants=[w.orgs["a_culture"]], owner_items=[w.items["a"]],
        data={"title": "联合抽查", "year": 2026, "target_scope": "娱乐场所", "ratio_percent": 5, **WINDOW},
    )


def participant(w: World) -> Any:
    return joint(w).participants.exclude(organization=w.orgs["a"]).first()


def national(w: World) -> Any:
    from shuangsuiji.directory.models import Specialty
    from shuangsuiji.planning.models import NationalTask

    return NationalTask.objects.get_or_create(
        owner=w.orgs["a"], code="GJ-1",
        defaults={"title": "国家抽查", "year": 2026, "specialty": Specialty.objects.get(code="public_places"),
                  "item_names": "对公共场所卫生的监督检查", "scope_text": "住宿场所", "ratios": RATIOS, **WINDOW},
    )[0]


def task(w: World) -> Any:
    from shuangsuiji.planning import services
    from shuangsuiji.planning.models import Task

    existing = Task.objects.filter(owner=w.orgs["a"]).first()
    if existing is not None:
        return existing
    return services.task_create_from_plan_line(actor=w.users["a_admin"], line=line(w), data={"title": "抽查", **WINDOW})


def task_with_scheme(w: World) -> Any:
    from shuangsuiji.planning import services

    t = task(w)
    services.scheme_generate(actor=w.users["a_admin"], task=t)
    return t
