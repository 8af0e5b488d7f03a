"""Writes of planning: annual plans, joint plans, national task lists, tasks and 工作方案 — one module per
capability, every name importable from ``planning.services`` as before the split.

Every function takes keyword-only arguments, runs in one transaction, re-checks permission and scope and
writes its audit entry. ``task_transition`` (``tasks``) is the one door through which a task changes state;
the work behind a move is checked by the guards other apps register (``planning.task_guards``).
"""

from shuangsuiji.planning.services.annual_plans import (
    PLAN_ACTIONS,
    PLAN_FIELDS,
    RETURNABLE,
    PlanAction,
    plan_adjust,
    plan_create,
    plan_line_delete,
    plan_line_save,
    plan_lines_add_missing,
    plan_missing_items,
    plan_transition,
    plan_uncovered_delete,
    plan_uncovered_save,
    plan_update,
)
from shuangsuiji.planning.services.base import (
    full_clean,
    normalise_months,
    normalise_ratios,
    regions_by_code,
    specialties_by_code,
)
from shuangsuiji.planning.services.joint_plans import (
    JOINT_FIELDS,
    joint_participant_candidates,
    joint_participant_confirm,
    joint_plan_adjust,
    joint_plan_create,
    joint_plan_publish,
    joint_plan_send,
    joint_plan_update,
)
from shuangsuiji.planning.services.national_tasks import (
    national_task_claim,
    national_tasks_import,
)
from shuangsuiji.planning.services.schemes import (
    scheme_approve,
    scheme_generate,
    scheme_publish,
    scheme_update,
)
from shuangsuiji.planning.services.tasks import (
    LOCKED_FIELDS,
    STATE_ORDER,
    TASK_FIELDS,
    TASK_M2M,
    TRANSITIONS,
    TransitionRule,
    task_create_from_joint_plan,
    task_create_from_plan_line,
    task_manual_transitions,
    task_transition,
    task_update,
)

__all__ = [
    "JOINT_FIELDS",
    "LOCKED_FIELDS",
    "PLAN_ACTIONS",
    "PLAN_FIELDS",
    "PlanAction",
    "RETURNABLE",
    "STATE_ORDER",
    "TASK_FIELDS",
    "TASK_M2M",
    "TRANSITIONS",
    "TransitionRule",
    "full_clean",
    "joint_participant_candidates",
    "joint_participant_confirm",
    "joint_plan_adjust",
    "joint_plan_create",
    "joint_plan_publish",
    "joint_plan_send",
    "joint_plan_update",
    "national_task_claim",
    "national_tasks_import",
    "normalise_months",
    "normalise_ratios",
    "plan_adjust",
    "plan_create",
    "plan_line_delete",
    "plan_line_save",
    "plan_lines_add_missing",
    "plan_missing_items",
    "plan_transition",
    "plan_uncovered_delete",
    "plan_uncovered_save",
    "plan_update",
    "regions_by_code",
    "scheme_approve",
    "scheme_generate",
    "scheme_publish",
    "scheme_update",
    "specialties_by_code",
    "task_create_from_joint_plan",
    "task_create_from_plan_line",
    "task_manual_transitions",
    "task_transition",
    "task_update",
]
