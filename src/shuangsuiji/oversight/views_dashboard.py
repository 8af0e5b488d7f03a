"""Pages of 统计: the dashboard, the drill-down lists and the statistics tables with their .xlsx export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.common.db_router import replica_reads
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import XLSX, attachment
from shuangsuiji.oversight import exports, statistics
from shuangsuiji.oversight.dashboard import build_dashboard, scope_choices
from shuangsuiji.oversight.dashboard_page import Drill, dashboard_context, table_view
from shuangsuiji.oversight.drilldown import drill_list
from shuangsuiji.oversight.measure_stats import measure_figures
from shuangsuiji.oversight.nonrandom_stats import nonrandom_figures
from shuangsuiji.oversight.permissions import can_edit_reports, require_statistics_viewer
from shuangsuiji.planning.coverage import rule_progress

PAGE_SIZE = 50


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _year(request: AuthedHttpRequest) -> int:
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year + 1:
        raise NotFoundError("年度超出范围")
    return year


def _selector_context(request: AuthedHttpRequest, org_id: int, year: int) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "orgs": scope_choices(actor=request.user), "org_id": org_id, "year": year,
        "years": list(range(today.year + 1, today.year - 6, -1)),
    }


@login_required
@replica_reads
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    require_statistics_viewer(request.user)
    board = build_dashboard(actor=request.user, org_id=_int(request.GET.get("org")), year=_year(request))
    context = {
        "title": f"{board.scope.organization.name} · {board.period.year}年统计看板", **dashboard_context(board),
        **_selector_context(request, board.scope.organization.pk, board.period.year), "tab": "dashboard",
        "can_edit": can_edit_reports(request.user, board.scope.organization.pk),
        "nonrandom": nonrandom_figures(board.scope.owner_ids, board.period),
        "measures": measure_figures(board.scope.owner_ids, board.period),
        # 平顶山: 全覆盖 / 不低于上年数量 of the year's plans in scope, and how far this year's inspections got
        "rule_progress": rule_progress(list(board.scope.owner_ids), board.period.year),
    }
    return render(request, "oversight/dashboard.html", context)


DASHBOARD_TABLES = {"specialty": "一单两库与各专业情况", "region": "下级区划情况", "draws": "抽取",
                    "chain": "事前提醒、事中督办、事后问责", "codes": "抽查结果分类"}


@login_required
@replica_reads
def dashboard_export(request: AuthedHttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as .xlsx, the rows it shows (same organization, year and scope)."""
    require_statistics_viewer(request.user)
    if table not in DASHBOARD_TABLES:
        raise NotFoundError("看板上没有这张表")
    board = build_dashboard(actor=request.user, org_id=_int(request.GET.get("org")), year=_year(request))
    page = dashboard_context(board)
    if table == "region" and page["region_table"] is None:
        raise NotFoundError("本级没有下级区划")
    stat = {
        "specialty": lambda: page["specialty_table"],
        "region": lambda: page["region_table"],
        "draws": lambda: exports.figures_table("draws", DASHBOARD_TABLES["draws"], page["draws"],
                                               [("抽查比例（抽中/对象池）", page["draw_ratio"])]),
        "chain": lambda: exports.figures_table("chain", DASHBOARD_TABLES["chain"], page["chain"]),
        "codes": lambda: exports.codes_table(page["codes"]),
    }[table]()
    subtitle = f"{board.scope.organization.name}　统计期间：{page['period_text']}　{exports.exported_at()}"
    filename = f"{board.scope.organization.name}{board.period.year}年{DASHBOARD_TABLES[table]}.xlsx"
    return attachment(exports.xlsx(stat, subtitle), XLSX, filename)


@login_required
@replica_reads
def dashboard_drill_export(request: AuthedHttpRequest, metric: str) -> HttpResponse:
    """The whole drill-down list as .xlsx (same parameters, same scope as the page)."""
    require_statistics_viewer(request.user)
    drill = drill_list(actor=request.user, metric=metric, params=request.GET)
    period = f"{drill.period.start.year}年{drill.period.start.month}月{drill.period.start.day}日至" \
             f"{drill.period.end.year}年{drill.period.end.month}月{drill.period.end.day}日"
    subtitle = f"{drill.scope_label}　{period}　{exports.exported_at()}"
    return attachment(exports.xlsx(exports.drill_table(drill), subtitle), XLSX, f"{drill.scope_label}{drill.title}.xlsx")


@login_required
@replica_reads
def dashboard_drill(request: AuthedHttpRequest, metric: str) -> HttpResponse:
    require_statistics_viewer(request.user)
    drill = drill_list(actor=request.user, metric=metric, params=request.GET)
    page = Paginator(drill.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": drill.title, "drill": drill, "page": page, "rows": drill.rows(page.object_list),
        "query": query.urlencode(), "tab": "dashboard",
        "export_url": f"{reverse('oversight:dashboard_drill_export', args=[metric])}?{query.urlencode()}",
    }
    return render(request, "oversight/dashboard_drill.html", context)


def _table(request: AuthedHttpRequest, key: str) -> tuple[Any, statistics.StatTable]:
    require_statistics_viewer(request.user)
    if key not in statistics.TABLES:
        raise NotFoundError("没有这张统计表")
    board = build_dashboard(actor=request.user, org_id=_int(request.GET.get("org")), year=_year(request))
    return board, statistics.build_table(key, board)


@login_required
@replica_reads
def statistics_page(request: AuthedHttpRequest) -> HttpResponse:
    key = request.GET.get("table") or "specialty"
    board, table = _table(request, key)
    context = {
        "title": f"{board.scope.organization.name} · {board.period.year}年统计", "table": table,
        "tables": statistics.TABLES, "key": key, "board": board, "table_rows": table_view(table, Drill(board)),
        **_selector_context(request, board.scope.organization.pk, board.period.year), "tab": "statistics",
    }
    return render(request, "oversight/dashboard_statistics.html", context)


@login_required
@replica_reads
def statistics_export(request: AuthedHttpRequest, table: str) -> HttpResponse:
    board, stat = _table(request, table)
    subtitle = (f"{board.scope.organization.name}　统计期间：{board.period.year}年1月1日至"
                f"{board.period.end.month}月{board.period.end.day}日　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    content = statistics.table_xlsx(stat, subtitle=subtitle)
    filename = f"{board.scope.organization.name}{board.period.year}年{stat.title}.xlsx"
    return attachment(content, XLSX, filename)
