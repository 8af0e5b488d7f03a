"""Models of oversight: the register, 月报表, 半年/全年报告 and the summary counts of the dashboards.

They are defined in ``models_reports`` (imported here so that Django finds them). The calendar, deadlines,
notifications, 督办 and 问责 are in the ``deadlines`` app.
"""

# 任务归档包 (issue 20 item 4), in its own module; imported here so Django registers the model.
from shuangsuiji.oversight.models_archive import TaskArchive  # noqa: F401
from shuangsuiji.oversight.models_reports import (  # noqa: F401
    DutyAssignment,
    FigureSnapshot,
    LeadingGroupMember,
    MonthlyReport,
    PeriodReport,
    TargetStat,
    TargetStatStamp,
    WorkEvent,
)
