""".xlsx export of the lists of 统计: exactly the rows the page lists (same filters, same scope).

Each list becomes a ``StatTable`` (``common.stat_tables.list_table``) written by ``common.stat_tables.table_xlsx``,
the writer of the statistics export (the 期限督办 lists are in ``deadlines.exports``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shuangsuiji.common.stat_tables import StatTable, exported_at, list_table, xlsx  # noqa: F401
from shuangsuiji.oversight.drilldown import DrillList

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
