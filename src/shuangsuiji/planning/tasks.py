"""Background jobs of planning (huey, autodiscovered)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shuangsuiji.planning.filing_duties import open_filing_duties

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="22"))  # 06:30 Beijing time, before the deadline scan
def filing_duties_task() -> int:
    """每天（北京时间 6:30）为各卫生健康局开启本年度计划报送义务（已存在的不重复）。"""
    created = open_filing_duties()
    logger.info("计划报送义务：新开启 %s 项", created)
    return created
