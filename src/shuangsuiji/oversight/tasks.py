"""Background jobs (huey) of the statistics: summary counts, dashboard snapshots and the periodic reports.

The deadline scan and the email queue are in ``deadlines.tasks``. Crontabs are evaluated in UTC by huey.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_task

from shuangsuiji.common.jobs import periodic_once


@periodic_once(crontab(minute="*/10"))
def dashboard_stats_task() -> int:
    """每 10 分钟重新统计名录库有变化的单位，并重算过期的统计看板快照。"""
    from shuangsuiji.oversight.snapshots import refresh_stale
    from shuangsuiji.oversight.summary import target_stats_refresh_stale

    rows = target_stats_refresh_stale()
    refresh_stale()
    return rows


@periodic_once(crontab(minute="30", hour="18"))
def dashboard_stats_nightly_task() -> int:
    """每天凌晨（北京时间 2:30）重新统计全部单位的名录库（也覆盖以 SQL 直接写入的数据）。"""
    from datetime import timedelta

    from shuangsuiji.oversight.summary import target_stats_refresh_stale

    return target_stats_refresh_stale(max_age=timedelta(hours=12))


@periodic_once(crontab(minute="15", hour="23"))
def reports_ensure_task() -> int:
    """每天（北京时间 7:15）为各卫生健康局建立上月月报表和当期半年/全年报告（含报送期限）。"""
    from shuangsuiji.oversight.reports.services import reports_ensure

    return reports_ensure()


@db_task(retries=2, retry_delay=60)
def task_archive_on_completion_task(task_id: int) -> int | None:
    """任务检查完成后在后台生成总结报告（Word/PDF）和归档包（每个任务一次；失败时重试两次）。"""
    from shuangsuiji.oversight.task_archive import task_archive_on_completion

    archive = task_archive_on_completion(task_id=task_id)
    return archive.pk if archive is not None else None
