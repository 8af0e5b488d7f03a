"""Background jobs (huey): the deadline scan and the email queue.

The consumer is started by ``make run`` (``run_server_with_jobs``) or ``manage.py run_huey`` in production.
Crontabs are evaluated in UTC by huey: ``hour="23,0-14"`` is 07:00–22:00 Beijing time. The scan is
idempotent, so running it every hour only catches up what a stopped consumer missed; nothing is sent twice.
"""

from __future__ import annotations

import logging

from huey import crontab

from shuangsuiji.common.jobs import periodic_once, register_moved_task
from shuangsuiji.deadlines.reminders import deadlines_scan
from shuangsuiji.deadlines.services import notification_send_emails

logger = logging.getLogger(__name__)


@periodic_once(crontab(minute="5", hour="23,0-14"))
def deadline_scan_task() -> str:
    """每天（北京时间 7:05 至 22:05 每小时）检查期限：提醒、督办、问责。"""
    report = deadlines_scan()
    logger.info(report.summary())
    return report.summary()


@periodic_once(crontab(minute="*/10"))
def notification_email_task() -> int:
    """每 10 分钟补发未发出的提醒邮件（如邮件服务器曾不可用时产生的待发邮件）。"""
    return notification_send_emails()


# Jobs queued before they moved here from oversight (issue 19) still run after an upgrade: huey stored them under
# their old registry keys.
MOVED_FROM = {
    "shuangsuiji.oversight.tasks.deadline_scan_task": deadline_scan_task,
    "shuangsuiji.oversight.tasks.notification_email_task": notification_email_task,
}
OLD_NAMES = {old_name: register_moved_task(task, old_name) for old_name, task in MOVED_FROM.items()}
