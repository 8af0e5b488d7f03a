"""Background jobs (huey): the deadline scan and the email queue.

The consumer is started by ``make run`` (``run_server_with_jobs``) or ``manage.py run_huey`` in production.
Crontabs are evaluated in UTC by huey: ``hour="23,0-14"`` is 07:00–22:00 Beijing time. The scan is
idempotent, so running it every hour only catches up what a stopped consumer missed; nothing is sent twice.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shuangsuiji.oversight.reminders import deadlines_scan
from shuangsuiji.oversight.services import notification_send_emails

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="5", hour="23,0-14"))
def deadline_scan_task() -> str:
    """每天（北京时间 7:05 至 22:05 每小时）检查期限：提醒、督办、问责。"""
    report = deadlines_scan()
    logger.info(report.summary())
    return report.summary()


@db_periodic_task(crontab(minute="*/10"))
def notification_email_task() -> int:
    """每 10 分钟补发未发出的提醒邮件（如邮件服务器曾不可用时产生的待发邮件）。"""
    return notification_send_emails()


@db_periodic_task(crontab(minute="*/10"))
def dashboard_stats_task() -> int:
    """每 10 分钟重新统计名录库有变化的单位，并重算过期的统计看板快照。"""
    from shuangsuiji.oversight.snapshots import refresh_stale
    from shuangsuiji.oversight.summary import target_stats_refresh_stale

    rows = target_stats_refresh_stale()
    refresh_stale()
    return rows


@db_periodic_task(crontab(minute="30", hour="18"))
def dashboard_stats_nightly_task() -> int:
    """每天凌晨（北京时间 2:30）重新统计全部单位的名录库（也覆盖以 SQL 直接写入的数据）。"""
    from datetime import timedelta

    from shuangsuiji.oversight.summary import target_stats_refresh_stale

    return target_stats_refresh_stale(max_age=timedelta(hours=12))


@db_periodic_task(crontab(minute="15", hour="23"))
def reports_ensure_task() -> int:
    """每天（北京时间 7:15）为各卫生健康局建立上月月报表和当期半年/全年报告（含报送期限）。"""
    from shuangsuiji.oversight.reports.services import reports_ensure

    return reports_ensure()
