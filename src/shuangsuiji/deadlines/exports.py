""".xlsx export of the lists of 期限督办: exactly the rows the page lists (same filters, same scope).

Each list becomes a ``StatTable`` (``common.stat_tables.list_table``); dates are written as ``2026年11月25日``.
"""

from __future__ import annotations

from collections.abc import Iterable

from shuangsuiji.common.stat_tables import StatTable, list_table
from shuangsuiji.common.stat_tables import cn_date as _date
from shuangsuiji.deadlines.models import Accountability, Deadline, Supervision

DEADLINE_HEADERS = ["截止日期", "状态", "期限类型", "事项", "责任单位", "责任人", "计算规则", "完成日期", "逾期完成（工作日）"]


def deadline_table(deadlines: Iterable[Deadline]) -> StatTable:
    rows = (
        [
            _date(d.due_date), d.current_status_label, d.get_kind_display(), d.subject_repr,
            d.organization.short_name or d.organization.name, str(d.responsible) if d.responsible else "（双随机办）",
            d.rule, _date(d.completed_on), d.late_workdays if d.completed_late else "",
        ]
        for d in deadlines
    )
    return list_table("deadlines", "期限台账", DEADLINE_HEADERS, rows)


SUPERVISION_HEADERS = ["督办编号", "事项", "截止日期", "督办时逾期（工作日）", "被督办人", "状态", "承诺完成日期"]


def supervision_table(supervisions: Iterable[Supervision]) -> StatTable:
    rows = (
        [
            s.number, str(s.deadline), _date(s.deadline.due_date), s.overdue_workdays,
            str(s.responsible) if s.responsible else "（双随机办）", s.get_status_display(), _date(s.promised_date, "—"),
        ]
        for s in supervisions
    )
    return list_table("supervisions", "督办", SUPERVISION_HEADERS, rows)


ACCOUNTABILITY_HEADERS = ["记录时间", "责任人", "责任单位", "事项", "截止日期", "完成日期", "逾期（工作日）", "启动原因", "处理"]


def accountability_table(records: Iterable[Accountability]) -> StatTable:
    rows = (
        [
            _date(r.created_at), str(r.person) if r.person else "（未指定）",
            r.organization.short_name or r.organization.name, r.what, _date(r.due_date),
            _date(r.completed_on, "尚未完成"), r.late_workdays, r.get_trigger_display(), r.get_status_display(),
        ]
        for r in records
    )
    return list_table("accountability", "问责记录", ACCOUNTABILITY_HEADERS, rows)
