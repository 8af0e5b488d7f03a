"""Background jobs of 一单两库 (huey: Redis in production, SQLite queue by default, immediate in tests)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_task

from shuangsuiji.common.jobs import periodic_once


@db_task()
def import_job_task(job_id: int) -> None:
    """Run a large import outside the request (progress is written to the ImportJob row)."""
    from shuangsuiji.directory.import_services import import_job_run

    import_job_run(job_id=job_id)


@periodic_once(crontab(minute="*/5"))
def import_jobs_expire_stale_task() -> int:
    """Jobs whose worker died (SIGKILL, restart) are marked 系统错误 instead of showing 导入中 forever."""
    from shuangsuiji.directory.import_services import import_jobs_expire_stale

    return import_jobs_expire_stale()
