"""Audit event names of accounts (logins, passwords, 2FA, API tokens, account administration).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

ACCOUNT_ACTIVATE = "account.activate"
ACCOUNT_DEACTIVATE = "account.deactivate"
ACCOUNT_OTP_RESET = "account.otp_reset"
ACCOUNT_PASSWORD_RESET = "account.password_reset"  # nosec B105 - an audit event name
ACCOUNT_UNLOCK = "account.unlock"
API_TOKEN_CREATE = "api_token.create"  # nosec B105 - an audit event name
AUTH_LOCKED_OUT = "auth.locked_out"
AUTH_LOGIN = "auth.login"
AUTH_LOGIN_FAILED = "auth.login_failed"
AUTH_LOGOUT = "auth.logout"
OTP_ENROLL = "otp.enroll"
OTP_SETUP_START = "otp.setup_start"
PASSWORD_CHANGE = "password.change"  # nosec B105 - an audit event name
