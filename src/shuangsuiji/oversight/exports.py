""".xlsx export of the lists of 统计 and 期限督办: exactly the rows the page lists (same filters, same scope).

Each list becomes a ``StatTable`` (``statistics.list_table``) written by ``statistics.table_xlsx``, the writer
of the statistics export; dates are written as ``2026年11月25日``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.oversight.drilldown import DrillList
from shuangsuiji.oversight.models import Accountability, Deadline, Supervision
from shuangsuiji.oversight.statistics import StatTable, list_table, table_xlsx


def _date(value: datetime.date | datetime.datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return format_cn_date(value)


def exported_at() -> str:
    return f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"


def xlsx(table: StatTable, subtitle: str = "") -> bytes:
    return table_xlsx(table, subtitle=subtitle or exported_at())


# ---------------------------------------------------------------------------------------- dashboard


def drill_table(drill: DrillList) -> StatTable:
    """The whole drill-down list (every page), with the columns of the page."""
    rows = ([text for text, _url in row] for row in drill.rows(drill.queryset))
    return list_table("drill", drill.title, [c.label for c in drill.columns], rows)


def figures_table(key: str, title: str, figures: Iterable[tuple[str, Any, str]], extra: Iterable[tuple[str, Any]] = ()
                  ) -> StatTable:
    """A (label, number, url) table of the dashboard (抽取; 提醒、督办、问责) as shown."""
    rows: list[tuple[str, Any]] = [(label, value) for label, value, _url in figures]
    return list_table(key, title, ["项目", "数量"], [*rows, *extra])


def codes_table(codes: Iterable[dict[str, Any]]) -> StatTable:
    return list_table("codes", "抽查结果分类", ["抽查结果（可多选，按项计）", "户次"],
                      ((c["resultcode__name"], c["n"]) for c in codes))


# ---------------------------------------------------------------------------------------- 期限督办

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
