"""Background jobs of 一单两库 (huey: Redis in production, SQLite queue by default, immediate in tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def import_job_task(job_id: int) -> None:
    """Run a large import outside the request (progress is written to the ImportJob row)."""
    from shuangsuiji.directory.import_services import import_job_run

    import_job_run(job_id=job_id)
