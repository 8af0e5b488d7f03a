"""Demo data: a realistic city (保定市, 7 counties), its bureaus and departments, targets, inspectors, items
and users for every role. `load_demo()` is idempotent and deterministic (fixed seed).

`load_demo` runs the callables of `DEMO_STEPS` in order, each in its own transaction, with one shared
`DemoContext`. Later features add their demo data by appending a step here, e.g.::

    from shuangsuiji.planning.demo import demo_plans
    DEMO_STEPS.append(demo_plans)

A step must be idempotent: look up what exists (by stable keys) and create only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from shuangsuiji.demo.features import (
    step_deadlines,
    step_disclosure,
    step_draws,
    step_inspections,
    step_planning,
    step_transparency,
)
from shuangsuiji.demo.files import write_targets_file
from shuangsuiji.demo.item_reviews import step_item_reviews
from shuangsuiji.demo.loader import (
    DEMO_PASSWORD,
    DemoContext,
    demo_logins,
    load_demo,
    step_conflicts,
    step_geography,
    step_inspectors,
    step_items,
    step_organizations,
    step_targets,
    step_users,
)
from shuangsuiji.demo.mines import step_mines
from shuangsuiji.demo.rules import step_rules
from shuangsuiji.demo.seeds_a import step_nonrandom, step_teams
from shuangsuiji.demo.supervision import step_supervision
from shuangsuiji.demo.task_archive import step_task_archive
from shuangsuiji.oversight.reports.demo import step_reports

# 一单两库, organizations and users (the import benchmark and the library tests need only these)
LIBRARY_STEPS: list[Callable[[DemoContext], None]] = [
    step_geography,
    step_organizations,
    step_items,
    step_targets,
    step_inspectors,
    step_conflicts,
    step_users,
]
DEMO_STEPS: list[Callable[[DemoContext], None]] = [
    *LIBRARY_STEPS,
    # 合法性审查 of the 抽查事项清单 (a city 政策法规科 and its reviewer; 莲池's returned and pending reviews)
    step_item_reviews,
    # the draw rules (demo/rules.py): the city's rules inherited by the counties, floors, dated risk flags
    step_rules,
    # the workflow (demo/features.py): plans and tasks → a confirmed draw and match of the joint task
    step_planning,
    step_draws,
    # issue 18/20: the city's mines (全覆盖 line, region weights, ensure mode), a complaint and an imported
    # 经营异常名录 (demo/mines.py), and the drawn 职业卫生 task listing its mandatory mines with their reasons
    step_mines,
    # issue 20 item 1: a task with 专家 drawn from the 专家库 and 协助/辅助 members 指派 with the reason
    step_teams,
    # 一企一表 of the confirmed joint task (entered, reviewed, returned, a 行政处罚), then publication of its results
    step_inspections,
    step_disclosure,
    # issue 20 item 2: a 投诉举报 inspection recorded, inspected and published apart from the 双随机 figures
    step_nonrandom,
    # register, meetings/documents/trainings and the reports due now (月报表, 半年/全年报告) over the data above
    step_reports,
    # issue 20 item 4: a small 莲池 task taken to 已公示, its 总结报告 and 归档包
    step_task_archive,
    # issue 20 item 7: the city's 专项督查 (通报 issued, one 整改 answer due) and a 交叉检查 under way
    step_supervision,
    # deadlines last: the reminder scan then covers the deadlines opened by every step above
    step_deadlines,
    # today's signed tree head over the draw and match records (the portal's 透明日志)
    step_transparency,
]

__all__ = [
    "DEMO_PASSWORD", "DEMO_STEPS", "LIBRARY_STEPS", "DemoContext", "demo_logins", "load_demo", "step_conflicts", "step_geography",
    "step_deadlines", "step_disclosure", "step_draws", "step_inspections", "step_inspectors", "step_item_reviews", "step_items", "step_mines", "step_organizations", "step_planning",
    "step_reports", "step_rules", "step_supervision", "step_targets", "step_task_archive", "step_transparency",
    "step_users", "write_targets_file",
]  # fmt: skip
