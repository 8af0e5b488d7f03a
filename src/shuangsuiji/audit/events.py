"""Audit event names of the audit app itself (archiving).

Constants, not free strings: a typo is an error, and the log is searched by known names.
"""

AUDIT_ARCHIVE = "audit.archive"
