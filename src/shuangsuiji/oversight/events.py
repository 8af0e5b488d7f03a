"""Audit event names of oversight (register and reports).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

REPORT_MONTHLY_OPEN = "report.monthly.open"
REPORT_MONTHLY_SUBMIT = "report.monthly.submit"
REPORT_MONTHLY_UPDATE = "report.monthly.update"
REPORT_PERIOD_OPEN = "report.period.open"
REPORT_PERIOD_SUBMIT = "report.period.submit"
REPORT_PERIOD_UPDATE = "report.period.update"
TASK_ARCHIVE = "task.archive"


def register_event(kind: str, action: str) -> str:
    """``register.<kind>.create|update|delete`` of the 登记 (leading group, duties, work events)."""
    return f"register.{kind}.{action}"
