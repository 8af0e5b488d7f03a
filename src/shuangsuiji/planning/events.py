"""Audit event names of planning (annual and joint plans, national tasks, tasks, 工作方案).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

COVERAGE_FLOOR_SET = "coverage_floor.set"
DRAW_RULES_SAVE = "draw_rules.save"
JOINT_PLAN_ADJUST = "joint_plan.adjust"
JOINT_PLAN_CONFIRM = "joint_plan.confirm"
JOINT_PLAN_CREATE = "joint_plan.create"
JOINT_PLAN_PUBLISH = "joint_plan.publish"
JOINT_PLAN_SEND = "joint_plan.send"
JOINT_PLAN_SUPERSEDE = "joint_plan.supersede"
JOINT_PLAN_UPDATE = "joint_plan.update"
NATIONAL_TASK_CLAIM = "national_task.claim"
NATIONAL_TASK_IMPORT = "national_task.import"
PLAN_ADJUST = "plan.adjust"
PLAN_CREATE = "plan.create"
PLAN_LINE_ADD = "plan.line_add"
PLAN_LINE_DELETE = "plan.line_delete"
PLAN_LINE_UPDATE = "plan.line_update"
PLAN_LINES_ADD_MISSING = "plan.lines_add_missing"
PLAN_RETURN = "plan.return"
PLAN_UNCOVERED_DELETE = "plan.uncovered_delete"
PLAN_UNCOVERED_SAVE = "plan.uncovered_save"
PLAN_UPDATE = "plan.update"
SCHEME_APPROVE = "scheme.approve"
SCHEME_CREATE = "scheme.create"
SCHEME_PUBLISH = "scheme.publish"
SCHEME_REGENERATE = "scheme.regenerate"
SCHEME_UPDATE = "scheme.update"
TASK_CREATE = "task.create"
TASK_TRANSITION = "task.transition"
TASK_UPDATE = "task.update"
PLAN_RULES = "plan.rules"
TASK_CREATE_NONRANDOM = "task.create_nonrandom"



def plan_event(action: str) -> str:
    """``plan.submit`` … ``plan.publish`` (``PLAN_ACTIONS``)."""
    return f"plan.{action}"
