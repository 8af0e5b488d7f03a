"""Audit event names of draws (draws, matches, re-draw requests).

Constants, not free strings: a typo is an error, and the log is searched by known names (the values are what
``AuditEntry.event`` stores).
"""

DRAW_CONFIRM = "draw.confirm"
DRAW_EXECUTE = "draw.execute"
DRAW_FREEZE = "draw.freeze"
DRAW_REDRAW_APPROVE = "draw.redraw_approve"
DRAW_REDRAW_REJECT = "draw.redraw_reject"
DRAW_REDRAW_REQUEST = "draw.redraw_request"
MATCH_CONFIRM = "match.confirm"
MATCH_REPLACE = "match.replace"
MATCH_RUN = "match.run"
EXPERT_DRAW_RUN = "expert_draw.run"
DRAW_CONFIRMED = "draw.confirmed"
DRAW_DEPARTMENT_CONFIRM = "draw.department_confirm"
