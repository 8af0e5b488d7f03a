"""Audit event names of the ssj command.

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

CRYPTO_ROTATE_KEY = "crypto.rotate_key"
