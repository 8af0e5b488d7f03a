"""The one place where planning talks to the statutory deadlines of ``oversight`` (docs/deadlines.md).

The services call these functions **inside their transaction**, right after the state change they audit, so a
plan or task never exists without its deadline and a failure rolls both back. ``deadlines.services`` is
idempotent (``deadline_open`` returns the existing deadline, ``deadline_complete`` does nothing twice), so a
repeated call is harmless.

=============================  ======================================================================
event                          deadline
=============================  ======================================================================
on_plan_created                年度抽查计划报送 opens (first version only; an adjustment is not a new
                               filing duty), due 1月31日 of ``plan.year`` (per region, rolled to a workday)
on_plan_filed                  年度抽查计划报送 completed (备案)
on_joint_plan_created / _sent  联合抽查计划报送 opens (first version only, as for annual plans), due 3月31日
                               of ``joint_plan.year``
on_joint_plan_published        联合抽查计划报送 completed (all departments confirmed, plan published)
on_task_created                nothing: no statutory limit (the 工作方案 is checked by the draw itself)
on_scheme_published            nothing
on_task_completed              抽查结果公示 opens: 20 working days from the day of completion
on_task_published              抽查结果公示 completed
=============================  ======================================================================

``suspended()`` switches the hooks off for the demo generator only: it loads plans "as of" the start of the
year and opens/completes their deadlines itself with plausible dates (``shuangsuiji.demo.steps``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.deadlines.hook_switch import HookSwitch
from shuangsuiji.deadlines.models import DeadlineKind
from shuangsuiji.deadlines.services import deadline_complete, deadline_open
from shuangsuiji.planning.filing_duties import complete_filing_duty, duty_deadline_open

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import Organization, User
    from shuangsuiji.planning.models import AnnualPlan, JointPlan, Task

# turned off by the demo generator (deadlines.hook_switch)
_switch = HookSwitch("ssj_planning_deadline_hooks_suspended")
suspended = _switch.suspended
_active = _switch.active


def responsible_in(bureau: Organization, user: User | None) -> User | None:
    """``user`` when they belong to ``bureau`` (then they are reminded), else ``None`` (the bureau's 双随机办)."""
    if user is None or not user.is_authenticated:
        return None
    own = user_bureau(user)
    return user if own is not None and own.pk == bureau.pk else None


def _duty_open(organization: Organization, year: int, kind: str) -> bool:
    return duty_deadline_open(organization, year, kind)


def on_plan_created(plan: AnnualPlan, *, actor: User) -> None:
    """A new annual plan exists: its 备案 deadline starts (an adjusted version has none of its own; nor has a plan
    whose bureau's filing duty for the year is already open — that duty's deadline is the one to meet)."""
    if not _active() or plan.previous_id is not None or _duty_open(plan.owner, plan.year, "annual"):
        return
    deadline_open(
        subject=plan, kind=DeadlineKind.ANNUAL_PLAN_FILING, year=plan.year, organization=plan.owner,
        responsible=responsible_in(plan.owner, actor), actor=actor,
    )


def on_plan_filed(plan: AnnualPlan, *, actor: User) -> None:
    """The plan was filed (备案) with the upper level."""
    if _active():
        deadline_complete(subject=plan, kind=DeadlineKind.ANNUAL_PLAN_FILING, actor=actor, when=plan.filed_at)
        complete_filing_duty(organization=plan.owner, year=plan.year, kind="annual", actor=actor, when=plan.filed_at)


def on_joint_plan_created(joint_plan: JointPlan, *, actor: User) -> None:
    """A joint plan exists: it must be filed (confirmed by all departments and published) by 3月31日
    (an adjusted version has none of its own, as for annual plans)."""
    if not _active() or joint_plan.previous_id is not None or _duty_open(joint_plan.owner, joint_plan.year, "joint"):
        return
    deadline_open(
        subject=joint_plan, kind=DeadlineKind.JOINT_PLAN_FILING, year=joint_plan.year,
        organization=joint_plan.owner, responsible=responsible_in(joint_plan.owner, actor), actor=actor,
    )


def on_joint_plan_sent(joint_plan: JointPlan, *, actor: User) -> None:
    """The joint plan went out for confirmation (opens the deadline if the plan predates the hooks)."""
    on_joint_plan_created(joint_plan, actor=actor)


def on_joint_plan_published(joint_plan: JointPlan, *, actor: User) -> None:
    """All departments confirmed and the joint plan was published."""
    if _active():
        deadline_complete(
            subject=joint_plan, kind=DeadlineKind.JOINT_PLAN_FILING, actor=actor, when=joint_plan.published_at
        )
        complete_filing_duty(
            organization=joint_plan.owner, year=joint_plan.year, kind="joint", actor=actor, when=joint_plan.published_at
        )


def on_task_created(task: Task, *, actor: User) -> None:
    """A task exists. No statutory time limit starts here (the draw refuses tasks without a published 方案)."""


def on_scheme_published(task: Task, *, actor: User) -> None:
    """The 工作方案 of the task was published. No deadline to complete."""


def on_task_completed(task: Task, *, actor: User) -> None:
    """Inspections of the task are complete: results must be public within 20 working days."""
    if not _active():
        return
    completed = task.completed_at or timezone.now()
    deadline_open(
        subject=task, kind=DeadlineKind.RESULT_PUBLICATION, start_date=timezone.localdate(completed),
        organization=task.owner, responsible=responsible_in(task.owner, actor), actor=actor,
    )


def on_task_published(task: Task, *, actor: User) -> None:
    """The task's results were published (已公示)."""
    if _active():
        deadline_complete(subject=task, kind=DeadlineKind.RESULT_PUBLICATION, actor=actor)
