"""The demo planning loader builds a valid, published starting point through the services."""

from __future__ import annotations

import datetime

from shuangsuiji.planning.demo import load_demo_planning
from shuangsuiji.planning.models import AnnualPlan, JointPlan, JointPlanStatus, PlanStatus, Task, TaskState
from tests.conftest import World


def test_demo_planning(pw: World) -> None:
    summary = load_demo_planning(today=datetime.date(2026, 3, 2))
    assert summary == {"plans": 2, "joint_plans": 2, "national_tasks": 3, "tasks": 8}
    plan_a = AnnualPlan.objects.get(owner=pw.orgs["a"])
    assert plan_a.status == PlanStatus.PUBLISHED and plan_a.lines.count() == 2
    assert [s.actor.username for s in plan_a.steps.filter(action="review")] == ["a_legal"]
    joint = JointPlan.objects.get(owner=pw.orgs["a"])
    assert joint.status == JointPlanStatus.PUBLISHED
    assert {p.organization for p in joint.participants.all()} == {pw.orgs["a"], pw.orgs["a_culture"], pw.orgs["a_medins"]}
    joint_task = Task.objects.get(joint_plan=joint)
    assert joint_task.state == TaskState.SCHEME_PUBLISHED and joint_task.participants.count() == 2
    states = sorted(Task.objects.filter(owner=pw.orgs["a"]).values_list("state", flat=True))
    assert states == ["draft", "draft", "scheme_published", "scheme_published"]
    # idempotent
    assert load_demo_planning(today=datetime.date(2026, 3, 2)) == {"plans": 0, "joint_plans": 0, "national_tasks": 0,
                                                                     "tasks": 0}
