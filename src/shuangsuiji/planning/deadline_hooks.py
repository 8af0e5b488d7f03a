"""LEAD: CONNECT HERE — the only place planning talks to the `oversight` deadlines.

Every function is a no-op for now. The services call them after their transaction commits
(`transaction.on_commit`), so a failure here never undoes a plan or task change. Suggested wiring:

- on_plan_created: deadline_open(subject=plan, kind="plan_filing", due=…) — county plans filed by end of January
  (DESIGN §2), i.e. the last working day of January of ``plan.year`` (core.workdays).
- on_plan_filed: deadline_complete(subject=plan, kind="plan_filing").
- on_joint_plan_sent: deadline_open(subject=joint_plan, kind="joint_plan_filing", due=end of March).
- on_joint_plan_published: deadline_complete(subject=joint_plan, kind="joint_plan_filing").
- on_task_created: deadline_open(subject=task, kind="scheme_publication", due=task.window_start).
- on_scheme_published: deadline_complete(subject=task, kind="scheme_publication").
- on_task_completed: deadline_open(subject=task, kind="result_publication", due=20 working days later).
- on_task_published: deadline_complete(subject=task, kind="result_publication").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.planning.models import AnnualPlan, JointPlan, Task


def on_plan_created(plan: AnnualPlan) -> None:
    """A new annual plan (or a new version) exists: its 备案 deadline starts."""


def on_plan_filed(plan: AnnualPlan) -> None:
    """The plan was filed (备案) with the upper level."""


def on_joint_plan_sent(joint_plan: JointPlan) -> None:
    """The joint plan went out to the participating departments for confirmation."""


def on_joint_plan_published(joint_plan: JointPlan) -> None:
    """All departments confirmed and the joint plan was published."""


def on_task_created(task: Task) -> None:
    """A task exists: its 工作方案 must be published before the window starts."""


def on_scheme_published(task: Task) -> None:
    """The 工作方案 of the task was published."""


def on_task_completed(task: Task) -> None:
    """Inspections of the task are complete: results must be public within 20 working days."""


def on_task_published(task: Task) -> None:
    """The task's results were published (已公示)."""
