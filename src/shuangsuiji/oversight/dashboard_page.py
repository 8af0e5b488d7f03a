"""What the dashboard page shows: cards, chart data (for ECharts, passed with ``json_script``) and tables.

Every number carries the URL of its drill-down list (``oversight:dashboard_drill``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.urls import reverse

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.oversight import dashboard_results as results
from shuangsuiji.oversight.dashboard import COVERAGE_GOALS, Dashboard, Figures
from shuangsuiji.oversight.statistics import StatTable, region_table, specialty_table
from shuangsuiji.planning.models import TaskState


class Drill:
    """Builds drill-down URLs for one dashboard (its org, year and optional period)."""

    def __init__(self, board: Dashboard, *, extra: dict[str, Any] | None = None) -> None:
        self.base: dict[str, Any] = {"org": board.scope.organization.pk, "year": board.period.year}
        if extra:
            self.base.update(extra)
        self._paths: dict[str, str] = {}

    def url(self, metric: str, **params: Any) -> str:
        path = self._paths.get(metric)
        if path is None:
            path = self._paths[metric] = reverse("oversight:dashboard_drill", args=[metric])
        query = {**self.base, **{k: v for k, v in params.items() if v not in (None, "")}}
        return f"{path}?{urlencode(query)}"


class Note(NamedTuple):
    """A line under a card's number; ``rows`` is the number of rows of the list ``url`` opens."""

    text: str
    url: str = ""
    rows: int | None = None


@dataclass
class Card:
    label: str
    value: Any
    url: str
    unit: str = ""
    notes: list[Note] = field(default_factory=list)
    tone: str = ""  # Tabler colour of the value: green / red / ""
    rows: int | None = None  # rows of the list behind ``url`` (the value itself, or a rate's numerator)

    def __post_init__(self) -> None:
        if self.rows is None and isinstance(self.value, int):
            self.rows = self.value


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _tone(value: Decimal | None, goal: Decimal) -> str:
    if value is None:
        return ""
    return "green" if value >= goal else "red"


def cards(board: Dashboard, drill: Drill) -> list[Card]:
    f, r = board.figures, board.rates
    amount = f["penalty_amount"] or 0
    not_completed = max(f["drawn"] - f["approved"], 0)
    return [
        Card("检查对象（在营）", f["targets_operating"], drill.url("targets"), "户", [
            Note(f"名录库 {f['targets_total']} 户", drill.url("targets_total"), f["targets_total"]),
            Note(f"已公布事项 {f['items']} 项", drill.url("items"), f["items"]),
            Note(f"在岗执法检查人员 {f['inspectors']} 人", drill.url("inspectors"), f["inspectors"]),
        ]),
        Card("年度覆盖率", pct(r["coverage"]), drill.url("inspected_targets"), "", [
            Note(f"已检查 {f['inspected_targets']} 户", drill.url("inspected_targets"), f["inspected_targets"]),
            Note(f"目标 ≥{board.goal_percent}%（年度计划）、≥5%（联合抽查）"),
        ], _tone(r["coverage"], board.goal_percent), f["inspected_targets"]),
        Card("3—5年全覆盖", pct(r["cycle_3y"]), drill.url("covered_3y"), "", [
            Note(f"近3年已查 {f['covered_3y']} 户（每年需≥33.3%）", drill.url("covered_3y"), f["covered_3y"]),
            Note(f"近5年已查 {f['covered_5y']} 户，{pct(r['cycle_5y'])}（每年需≥20%）", drill.url("covered_5y"),
                 f["covered_5y"]),
        ], rows=f["covered_3y"]),
        Card("完结率", pct(r["completion"]), drill.url("approved"), "", [
            Note(f"抽中 {f['drawn']} 户，已完结 {f['approved']} 户", drill.url("drawn"), f["drawn"]),
            Note(f"未完结 {not_completed} 户", drill.url("not_completed"), not_completed),
        ], _tone(r["completion"], Decimal(100)), f["approved"]),
        Card("公示率", pct(r["publication"]), drill.url("published"), "", [
            Note(f"应公示 {f['approved']} 户，已公示 {f['published']} 户", drill.url("approved"), f["approved"]),
            Note(f"待公示 {f['approved'] - f['published']} 户", drill.url("unpublished"),
                 f["approved"] - f["published"]),
        ], _tone(r["publication"], Decimal(100)), f["published"]),
        Card("逾期未完成事项", f["deadlines_overdue"], drill.url("deadlines_overdue"), "件", [
            Note(f"懒政提醒 {f['reminders']}", drill.url("reminders"), f["reminders"]),
            Note(f"怠政督办 {f['supervisions']}", drill.url("supervisions"), f["supervisions"]),
            Note(f"失职问责 {f['accountabilities']}", drill.url("accountabilities"), f["accountabilities"]),
        ], "red" if f["deadlines_overdue"] else "green"),
        Card("发现问题", f["problem_records"], drill.url("problem_records"), "户", [
            Note(f"检查 {f['inspected_records']} 户次", drill.url("inspected_records"), f["inspected_records"]),
            Note(f"后续处置未办结 {f['cases_open']} 件", drill.url("cases_open"), f["cases_open"]),
        ]),
        Card("行政处罚", f["penalties"], drill.url("penalties"), "件", [
            Note(f"罚没款 {amount:,.2f} 元（{f['penalties']} 件）", drill.url("penalties"), f["penalties"]),
            Note(f"已公示 {f['penalties_published']} 件", drill.url("penalties", published=1),
                 f["penalties_published"]),
        ]),
    ]


def _point(value: Any, url: str, rows: int | None = None) -> dict[str, Any]:
    """A chart point; ``rows`` is the number of rows of the list ``url`` opens (the value unless a rate)."""
    if rows is None and url and not isinstance(value, Decimal):
        rows = value or 0
    return {"value": float(value) if isinstance(value, Decimal) else (value or 0), "url": url, "rows": rows}


def monthly_inspections(board: Dashboard) -> dict[int, Figures]:
    """Records inspected and records with problems per month (from the bureaus' snapshots)."""
    return board.months()


def charts(board: Dashboard, drill: Drill, specialties: StatTable) -> dict[str, Any]:
    f, r = board.figures, board.rates
    data: dict[str, Any] = {}
    data["coverage"] = {
        "type": "bar", "percent": True, "horizontal": True,
        "categories": ["年度覆盖率", "近3年覆盖", "近5年覆盖", "完结率", "公示率"],
        "series": [{"name": "实际", "data": [
            _point(r["coverage"] or Decimal(0), drill.url("inspected_targets"), f["inspected_targets"]),
            _point(r["cycle_3y"] or Decimal(0), drill.url("covered_3y"), f["covered_3y"]),
            _point(r["cycle_5y"] or Decimal(0), drill.url("covered_5y"), f["covered_5y"]),
            _point(r["completion"] or Decimal(0), drill.url("approved"), f["approved"]),
            _point(r["publication"] or Decimal(0), drill.url("published"), f["published"]),
        ]}],
        "marks": [{"name": f"覆盖目标{board.goal_percent}%", "value": float(board.goal_percent)},
                  {"name": "完结、公示目标100%", "value": 100}],
    }
    data["tasks"] = {
        "type": "bar",
        "categories": [label for _value, label in TaskState.choices],
        "series": [{"name": "任务数", "data": [
            _point(f[f"task_{value}"], drill.url("tasks", state=value)) for value, _label in TaskState.choices
        ]}],
    }
    data["results"] = {
        "type": "pie",
        "data": [
            {"name": label, "value": f[f"group_{key}"], "url": drill.url("group", g=key), "rows": f[f"group_{key}"]}
            for key, label in results.GROUP_LABELS.items() if f[f"group_{key}"]
        ],
    }
    data["cases"] = {
        "type": "bar", "stacked": False,
        "categories": [label for _key, label, _lo, _hi in results.AGE_BUCKETS],
        "series": [
            {"name": "未办结（已登记天数）", "data": [
                _point(f[f"case_age_{key}"], drill.url("cases_open", age=key)) for key, *_ in results.AGE_BUCKETS]},
            {"name": "已办结（办理用时）", "data": [
                _point(f[f"case_took_{key}"], drill.url("cases_closed", took=key)) for key, *_ in results.AGE_BUCKETS]},
        ],
    }
    data["specialty"] = {
        "type": "bar",
        "categories": [row.label for row in specialties.rows],
        "series": [
            {"name": "在营对象", "data": [
                _point(row.values.get("targets_operating"), drill.url("targets", specialty=row.params["specialty"]))
                for row in specialties.rows]},
            {"name": "抽中", "data": [
                _point(row.values.get("drawn"), drill.url("drawn", specialty=row.params["specialty"]))
                for row in specialties.rows]},
            {"name": "已检查", "data": [
                _point(row.values.get("inspected_targets"),
                       drill.url("inspected_targets", specialty=row.params["specialty"]))
                for row in specialties.rows]},
        ],
        "rotate": True,
    }
    months = monthly_inspections(board)
    data["months"] = {
        "type": "line",
        "categories": [f"{m}月" for m in range(1, 13)],
        "series": [
            {"name": "检查户数", "data": [_point(months.get(m, Figures())["inspected"], "") for m in range(1, 13)]},
            {"name": "发现问题", "data": [_point(months.get(m, Figures())["problems"], "") for m in range(1, 13)]},
        ],
    }
    if board.rows:
        data["regions"] = {
            "type": "bar", "percent": True,
            "categories": [row.group.name for row in board.rows],
            "series": [
                {"name": name, "data": [_point(row.rates[key] or Decimal(0), drill.url(metric, group=row.group.key),
                                               row.figures[metric]) for row in board.rows]}
                for name, key, metric in (("年度覆盖率", "coverage", "inspected_targets"),
                                          ("完结率", "completion", "approved"), ("公示率", "publication", "published"))
            ],
            "marks": [{"name": f"目标{COVERAGE_GOALS[0]}%", "value": float(COVERAGE_GOALS[0])}],
            "rotate": True,
        }
    return data


def dashboard_context(board: Dashboard) -> dict[str, Any]:
    drill = Drill(board)
    specialties = specialty_table(board.scope.owner_ids, board.period, board.specialty_work())
    f = board.figures
    chain = [
        ("临近截止（提醒阶段）", f["deadlines_near"], drill.url("deadlines_near")),
        ("逾期未完成", f["deadlines_overdue"], drill.url("deadlines_overdue")),
        ("逾期完成", f["deadlines_late"], drill.url("deadlines_late")),
        ("懒政提醒（期限数）", f["reminders"], drill.url("reminders")),
        ("怠政督办", f["supervisions"], drill.url("supervisions")),
        ("其中未办结督办", f["supervisions_open"], drill.url("supervisions_open")),
        ("失职问责", f["accountabilities"], drill.url("accountabilities")),
        ("其中待处理问责", f["accountabilities_open"], drill.url("accountabilities_open")),
    ]
    draws = [
        ("抽查任务", f["tasks"], drill.url("tasks")),
        ("其中联合抽查任务", f["tasks_joint"], drill.url("tasks_joint")),
        ("已完成抽取的任务", f["tasks_drawn"], drill.url("tasks_drawn")),
        ("有效抽取（已确认）", f["draws_confirmed"], drill.url("draws_confirmed")),
        ("其中重新抽取", f["redraws"], drill.url("redraws")),
        ("被取代的抽取", f["draws_superseded"], drill.url("draws_superseded")),
        ("待抽取/待确认", f["draws_pending"], drill.url("draws_pending")),
        ("抽中对象", f["drawn"], drill.url("drawn")),
    ]
    codes = board.codes()
    regions = region_table(board) if board.rows else None
    from shuangsuiji.oversight.register import members_of

    return {
        "group_members": list(members_of(board.scope.organization, active_only=True)),
        "specialty_rows": table_view(specialties, drill),
        "region_rows": table_view(regions, drill) if regions else None,
        "board": board, "cards": cards(board, drill), "charts": charts(board, drill, specialties),
        "specialty_table": specialties, "region_table": regions,
        "chain": chain, "draws": draws, "codes": codes, "drill": drill,
        "draw_ratio": pct(board.rates["draw_ratio"]),
        "counted_at": board.counted_at,
        "period_text": f"{format_cn_date(board.period.start)}至{format_cn_date(board.period.end)}",
    }


def cell_text(kind: str, value: Any) -> str:
    if value is None:
        return "—" if kind != "text" else ""
    if kind == "pct":
        return f"{value}%"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    return str(value)


def table_view(table: StatTable, drill: Drill) -> list[dict[str, Any]]:
    """Rows of a statistics table as text with the drill-down URL of every number."""
    rows = [*table.rows, *([table.total] if table.total else [])]
    view = []
    for row in rows:
        cells = []
        for column, value in table.cells(row):
            url = drill.url(column.drill, **row.params) if column.drill and value else ""
            cells.append({"text": cell_text(column.kind, value), "url": url, "kind": column.kind,
                          "rows": value if url else None})
        view.append({"label": row.label, "link": row.link, "cells": cells, "is_total": row is table.total})
    return view
