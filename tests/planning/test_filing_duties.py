"""Plan filing duties open for every bureau at the start of the year (issue 18 item 7)."""

from __future__ import annotations

import datetime

import pytest

from shuangsuiji.deadlines.models import Deadline, DeadlineKind, Supervision
from shuangsuiji.deadlines.reminders import deadlines_scan
from shuangsuiji.planning import services
from shuangsuiji.planning.filing_duties import duty_deadline, open_filing_duties
from shuangsuiji.planning.models import PlanFilingDuty
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_every_bureau_gets_its_duties_once_and_a_bureau_that_never_starts_is_chased(world: World) -> None:
    assert open_filing_duties(year=2026) == 6  # city, 莲池, 涞源 × annual and joint
    assert open_filing_duties(year=2026) == 0
    annual = duty_deadline(organization=world.orgs["b"], year=2026, kind="annual")
    joint = duty_deadline(organization=world.orgs["b"], year=2026, kind="joint")
    assert annual is not None and annual.kind == DeadlineKind.ANNUAL_PLAN_FILING
    assert annual.due_date.month in (1, 2) and joint is not None and joint.due_date.month in (3, 4)
    # 涞源 never creates a plan: after the due date the chain escalates (督办)
    deadlines_scan(today=annual.due_date + datetime.timedelta(days=10), send_emails=False)
    assert Supervision.objects.filter(deadline=annual).exists()


def test_filing_the_plan_meets_the_duty_and_no_second_deadline_is_opened(world: World) -> None:
    open_filing_duties(year=2026)
    before = Deadline.objects.count()
    plan = services.plan_create(actor=world.users["a_admin"], year=2026, title="2026年度计划")
    assert Deadline.objects.count() == before  # the duty's deadline is the plan's
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=world.items["a"],
                            ratios={"A": 5, "B": 5, "C": 10, "D": 30})
    for action, user in (("submit", "a_admin"), ("review", "a_admin"), ("approve", "a_leader"), ("file", "a_admin")):
        plan = services.plan_transition(actor=world.users[user], plan=plan, action=action, justification="测试")
    deadline = duty_deadline(organization=world.orgs["a"], year=2026, kind="annual")
    assert deadline is not None and deadline.completed_at is not None


def test_a_plan_created_before_the_job_keeps_its_own_deadline(world: World) -> None:
    plan = services.plan_create(actor=world.users["a_admin"], year=2026, title="2026年度计划")
    open_filing_duties(year=2026)
    assert PlanFilingDuty.objects.filter(organization=world.orgs["a"], year=2026, kind="annual").exists()
    assert duty_deadline(organization=world.orgs["a"], year=2026, kind="annual") is None
    assert Deadline.objects.filter(kind=DeadlineKind.ANNUAL_PLAN_FILING, object_id=plan.pk).exists()
