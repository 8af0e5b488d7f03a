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
SUPERVISION_ANSWER = "supervision.answer"
SUPERVISION_OPEN = "supervision.open"
DEADLINE_RESUME = "deadline.resume"
DEADLINE_SUSPEND = "deadline.suspend"
