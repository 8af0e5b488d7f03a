"""Audit event names of supervision (专项督查 campaigns, findings, 通报, 整改答复).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

SUPERVISION_ANSWER = "supervision.answer"
SUPERVISION_CONCLUDE = "supervision.conclude"
SUPERVISION_CREATE = "supervision.create"
SUPERVISION_FINDING_ADD = "supervision.finding_add"
SUPERVISION_FINDING_DELETE = "supervision.finding_delete"
SUPERVISION_OPEN = "supervision.open"
SUPERVISION_REVIEW = "supervision.review"
SUPERVISION_NOTICE_PUBLISH = "supervision_notice.publish"
