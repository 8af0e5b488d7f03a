"""Audit event names of the demo loader.

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

DEMO_LOAD = "demo.load"
