"""Audit event names of inspections (一企一表, follow-up cases, settings).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

FOLLOWUP_CLOSE = "followup.close"
FOLLOWUP_CONCLUDE = "followup.conclude"
FOLLOWUP_CONDITIONS = "followup.conditions"
FOLLOWUP_CREDIT = "followup.credit"
FOLLOWUP_FILE = "followup.file"
FOLLOWUP_JUDICIAL = "followup.judicial"
FOLLOWUP_OPEN = "followup.open"
FOLLOWUP_PENALTY = "followup.penalty"
FOLLOWUP_RECHECK = "followup.recheck"
FOLLOWUP_RECTIFY = "followup.rectify"
FOLLOWUP_TRANSFER = "followup.transfer"
INSPECTION_APPROVE = "inspection.approve"
INSPECTION_EVIDENCE_ADD = "inspection.evidence_add"
INSPECTION_NOTICE_ISSUE = "inspection.notice_issue"
INSPECTION_RECORDS_GENERATE = "inspection.records_generate"
INSPECTION_RETURN = "inspection.return"
INSPECTION_SUBMIT = "inspection.submit"
INSPECTION_SETTINGS_UPDATE = "inspection_settings.update"
JUDICIAL = "judicial"
TARGET_INSPECTION_RESULT = "target.inspection_result"
TRANSFER = "transfer"
INSPECTION_MEMBER_ASSIGN = "inspection.member_assign"
INSPECTION_MEMBER_REMOVE = "inspection.member_remove"
