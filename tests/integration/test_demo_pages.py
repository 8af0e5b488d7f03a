"""With the whole demo loaded (every step), each demo login sees its menu and every page of it renders."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client

from shuangsuiji.accounts.models import User
from shuangsuiji.common.context_processors import build_navigation
from shuangsuiji.deadlines.models import Deadline, DeadlineKind, Notification
from shuangsuiji.demo import DEMO_STEPS, DemoContext, demo_logins, load_demo
from shuangsuiji.demo.features import step_deadlines, step_disclosure, step_inspections
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, MatchStatus, TargetDraw
from shuangsuiji.inspections.models import InspectionRecord
from shuangsuiji.planning.models import AnnualPlan, JointPlan, Task
from tests.conftest import mark_otp_verified

TODAY = datetime.date(2026, 11, 25)


def all_steps() -> list[Any]:
    """DEMO_STEPS with the inspection and publication steps before the deadlines (until they are in the list)."""
    steps = list(DEMO_STEPS)
    for step in (step_inspections, step_disclosure):
        if step not in steps:
            steps.insert(steps.index(step_deadlines), step)
    return steps


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoContext]:
    """The whole demo, loaded once for this module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(size=400, inspectors=60, today=TODAY, steps=all_steps())
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: DemoContext, db: Any) -> DemoContext:
    return loaded


def login(username: str) -> Client:
    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    mark_otp_verified(client, user)
    return client


def test_demo_has_the_whole_workflow(demo: DemoContext) -> None:
    draw = TargetDraw.objects.get(task__joint_plan__isnull=False)  # the joint task (a 一般 draw and others exist)
    assert draw.status == DrawStatus.CONFIRMED and draw.task.joint_plan is not None
    assert draw.task.owner.code == "130606-WJ" and draw.task.participants.count() == 2
    assert InspectorMatch.objects.get(draw=draw).status == MatchStatus.CONFIRMED
    deadline = Deadline.objects.get(
        object_id=draw.pk, kind=DeadlineKind.DRAW_CONFIRMATION, content_type=ContentType.objects.get_for_model(draw)
    )
    # each partner department confirmed its part of the joint draw, on time
    parts = Deadline.objects.filter(kind=DeadlineKind.DRAW_CONFIRMATION).exclude(pk=deadline.pk)
    assert parts.filter(organization__in=draw.task.participants.all()).count() == 2
    assert draw.department_confirmations.filter(confirmed_at__isnull=False).count() == 2
    assert deadline.completed_at is not None and not deadline.completed_late
    # plans filed "as of" the start of the year: on time, no 问责 for the demo's own plans
    for plan in AnnualPlan.objects.filter(previous__isnull=True, filed_at__isnull=False):
        filing = Deadline.objects.get(object_id=plan.pk, kind=DeadlineKind.ANNUAL_PLAN_FILING)
        assert filing.completed_at is not None and not filing.completed_late
    assert Deadline.objects.filter(kind=DeadlineKind.JOINT_PLAN_FILING, completed_late=False).count() == (
        JointPlan.objects.filter(published_at__isnull=False).count()
    )
    assert demo.created["期限"] > 0 and Notification.objects.exists()
    # the inspections and the portal continue the same joint task: results entered, reviewed, published
    assert demo.created["人员匹配确认"] == 1 and demo.created["检查结果录入"] >= 3
    assert demo.created["公示抽查结果"] >= 1 and demo.created["公示行政处罚"] == 1
    assert InspectionRecord.objects.filter(task=draw.task).count() == draw.selections.count()
    # the second run changes nothing
    again = load_demo(size=400, inspectors=60, today=TODAY, steps=all_steps())
    assert again.created == {}


def test_every_demo_login_renders_its_menu(demo: DemoContext) -> None:
    rows = demo_logins()
    one_per_role: dict[str, str] = {}
    for username, role, _ in rows:
        one_per_role.setdefault(role, username)
    assert len(one_per_role) == 8
    # every role, plus a partner department (文广旅局) of the joint task and a county bureau
    for username in [*one_per_role.values(), "lianchi_wenlv", "lianchi_admin"]:
        user = User.objects.get(username=username)
        client = login(username)
        home = client.get("/")
        assert home.status_code == 200, username
        navigation = build_navigation(user, "/")
        urls = [entry["url"] for group in navigation["nav_groups"] for entry in group["entries"]]
        assert urls, username
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url, response.status_code)
            if url.startswith(("/api/", "/admin/", "/gs/")):  # API docs, Django admin, public portal: own layouts
                continue
            body = response.content.decode()
            assert "ssj-nav" in body and "当前位置" in body, (username, url)


def test_workflow_pages_render_for_the_roles_that_use_them(demo: DemoContext) -> None:
    draw = TargetDraw.objects.select_related("task").get(task__joint_plan__isnull=False)
    task = draw.task
    match = InspectorMatch.objects.get(draw=draw)
    plan = AnnualPlan.objects.get(owner=task.owner, year=TODAY.year)
    joint = task.joint_plan
    assert joint is not None
    deadline = Deadline.objects.filter(owner=task.owner).first()
    assert deadline is not None
    records = [r.get_absolute_url() for r in InspectionRecord.objects.filter(task=task)[:3]]
    pages = [
        *records, f"/inspections/tasks/{task.pk}/",
        task.get_absolute_url(), f"/draws/tasks/{task.pk}/", draw.get_absolute_url(), match.get_absolute_url(),
        plan.get_absolute_url(), joint.get_absolute_url(), deadline.get_absolute_url(), "/stats/",
        *[t.get_absolute_url() for t in Task.objects.filter(owner=task.owner)],
    ]
    for username in ("lianchi_admin", "lianchi_leader", "lianchi_staff", "city_supervisor", "city_leader"):
        client = login(username)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
    # the partner departments read their joint task's draw and teams
    for username in ("lianchi_wenlv", "lianchi_yibao"):
        client = login(username)
        for url in (task.get_absolute_url(), f"/draws/tasks/{task.pk}/", draw.get_absolute_url(),
                    match.get_absolute_url()):
            assert client.get(url).status_code == 200, (username, url)
    # another county sees none of it
    other = login("laiyuan_admin")
    for url in (task.get_absolute_url(), draw.get_absolute_url(), match.get_absolute_url()):
        assert other.get(url).status_code == 404, url
