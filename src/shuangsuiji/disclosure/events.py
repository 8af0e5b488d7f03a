"""Audit event names of disclosure (publication of results and penalties).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

DISCLOSURE_PENALTY_PUBLISH = "disclosure.penalty_publish"
DISCLOSURE_RESULT_REGROUP = "disclosure.result_regroup"
DISCLOSURE_RESULT_WITHHOLD = "disclosure.result_withhold"
DISCLOSURE_RESULTS_PUBLISH = "disclosure.results_publish"
NATIONAL_EXPORT_CREATE = "national_export.create"
NATIONAL_EXPORT_PROFILE = "national_export.profile"
