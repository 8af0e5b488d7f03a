"""Audit event names of deadlines (calendar, deadline settings, deadlines, 督办, 问责).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

ACCOUNTABILITY_CONCLUDE = "accountability.conclude"
ACCOUNTABILITY_OPEN = "accountability.open"
CALENDAR_DAY_DELETE = "calendar.day_delete"
CALENDAR_DAY_SAVE = "calendar.day_save"
CALENDAR_IMPORT = "calendar.import"
CALENDAR_SEED = "calendar.seed"
CALENDAR_YEAR_DELETE = "calendar.year_delete"
CALENDAR_YEAR_SAVE = "calendar.year_save"
DEADLINE_COMPLETE = "deadline.complete"
DEADLINE_OPEN = "deadline.open"
DEADLINE_RECOMPUTE = "deadline.recompute"
DEADLINE_REOPEN = "deadline.reopen"
DEADLINE_REPLAN = "deadline.replan"
DEADLINE_WITHDRAW = "deadline.withdraw"
DEADLINE_SETTINGS_SAVE = "deadline_settings.save"
# 督办 (a superior's urging of an overdue deadline); until issue 19 stored as "supervision.open" / "supervision.answer",
# the names the 专项督查 app (supervision) uses: the old entries stay findable (RENAMED, registered in apps.py).
UPPER_SUPERVISION_ANSWER = "upper_supervision.answer"
UPPER_SUPERVISION_OPEN = "upper_supervision.open"
DEADLINE_RESUME = "deadline.resume"
DEADLINE_SUSPEND = "deadline.suspend"

# Stored 督办 entries under their old names: the model kept its table, its label moved from oversight to deadlines.
SUPERVISION_OBJECT_TYPES = ("oversight.supervision", "deadlines.supervision")
RENAMED = {
    UPPER_SUPERVISION_OPEN: "supervision.open",
    UPPER_SUPERVISION_ANSWER: "supervision.answer",
}
