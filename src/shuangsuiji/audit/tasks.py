"""Background jobs of the audit app (huey): the daily signed tree head."""

from __future__ import annotations

from huey import crontab

from shuangsuiji.audit.transparency import tree_head_sign
from shuangsuiji.common.jobs import periodic_once


@periodic_once(crontab(hour="0", minute="10"))
def daily_tree_head() -> None:
    """Sign the transparency log's tree head (and pin the audit chain head) every day at 00:10."""
    tree_head_sign()
