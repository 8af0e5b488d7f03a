"""Dashboard pages: rendering, drill-down lists agree with the numbers, statistics export, scope and roles."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from shuangsuiji.oversight.dashboard import build_dashboard
from shuangsuiji.oversight.dashboard_page import Drill
from shuangsuiji.oversight.drilldown import METRICS
from shuangsuiji.oversight.statistics import TABLES
from tests.conftest import World
from tests.oversight.stats_factories import TODAY, Scenario, at, scenario


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def s(world: World) -> Scenario:
    return scenario(world)


def _count(response: Any) -> int:
    match = re.search(r'id="drill-count">(\d+)<', response.content.decode())
    assert match, response.content.decode()[:500]
    return int(match.group(1))


def test_dashboard_renders_with_chart_data(world: World, s: Scenario) -> None:
    response = world.client("a_admin").get("/oversight/dashboard/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "完结率" in html and "50.0%" in html and "30.0%" in html
    data = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)
                      .group(1))  # type: ignore[union-attr]
    assert {"coverage", "tasks", "results", "cases", "specialty", "months"} <= set(data)
    assert "regions" not in data  # a county has no subordinate regions
    assert "<script>" not in html.replace('<script src=', "")  # no inline script (CSP)


def test_upper_level_sees_regions(world: World, s: Scenario) -> None:
    response = world.client("city_supervisor").get("/oversight/dashboard/?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "下级区划情况" in html and "莲池区" in html and "涞源县" in html
    other = world.client("city_supervisor").get(f"/oversight/dashboard/?org={world.orgs['b'].pk}&year=2026")
    assert other.status_code == 200 and "涞源县卫生健康局" in other.content.decode()


@pytest.mark.parametrize("metric", ["targets", "inspected_targets", "tasks", "drawn", "approved", "published",
                                    "not_completed", "unpublished", "problem_records", "cases_open", "cases_closed",
                                    "penalties", "covered_3y", "records", "draws_confirmed", "draws_superseded"])
def test_drill_down_counts_equal_the_figures(world: World, s: Scenario, metric: str) -> None:
    user = world.users["city_supervisor"]
    board = build_dashboard(actor=user, year=2026)
    expected = {"not_completed": board.figures["drawn"] - board.figures["approved"],
                "unpublished": board.figures["approved"] - board.figures["published"],
                "targets": board.figures["targets_operating"]}.get(metric, board.figures[metric])
    url = Drill(board).url(metric)
    response = world.client("city_supervisor").get(url)
    assert response.status_code == 200
    assert _count(response) == expected, metric


def test_drill_down_by_specialty_group_and_state(world: World, s: Scenario) -> None:
    client = world.client("a_admin")
    from shuangsuiji.directory.models import Specialty

    medical = Specialty.objects.get(code="medical")
    # targets 1, 3, 5, 7, 9 of county A are also 医疗机构
    assert _count(client.get(f"/oversight/dashboard/drill/targets/?year=2026&specialty={medical.pk}")) == 5
    assert _count(client.get("/oversight/dashboard/drill/group/?year=2026&g=rectified")) == 1
    assert _count(client.get("/oversight/dashboard/drill/tasks/?year=2026&state=draft")) == 1
    assert _count(client.get("/oversight/dashboard/drill/cases_open/?year=2026&age=31_90")) == 1
    city = world.client("city_supervisor")
    group = f"region:{world.regions['b'].code}"
    assert _count(city.get(f"/oversight/dashboard/drill/approved/?year=2026&group={group}")) == 1


def test_every_metric_opens(world: World, s: Scenario) -> None:
    client = world.client("city_supervisor")
    for metric in METRICS:
        response = client.get(f"/oversight/dashboard/drill/{metric}/?year=2026&g=no_problem&inspector=1")
        assert response.status_code == 200, metric


def test_scope_and_roles(world: World, s: Scenario) -> None:
    assert world.client("b_admin").get(f"/oversight/dashboard/?org={world.orgs['a'].pk}").status_code == 404
    assert world.client("b_admin").get(
        f"/oversight/dashboard/drill/drawn/?org={world.orgs['a'].pk}").status_code == 404
    assert world.client("a_inspector").get("/oversight/dashboard/").status_code == 403
    assert world.client("a_leader").get("/oversight/dashboard/drill/accountabilities/").status_code == 200
    assert world.client("a_staff").get("/oversight/dashboard/drill/accountabilities/").status_code == 403
    assert world.client("a_admin").get("/oversight/dashboard/drill/nope/").status_code == 404


@pytest.mark.parametrize("table", sorted(TABLES))
def test_statistics_tables_and_export(world: World, s: Scenario, table: str) -> None:
    client = world.client("city_supervisor")
    page = client.get(f"/oversight/statistics/?table={table}&year=2026")
    assert page.status_code == 200
    response = client.get(f"/oversight/statistics/{table}.xlsx?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0].endswith("统计")
    assert len(rows) >= 4


def test_region_export_has_the_numbers(world: World, s: Scenario) -> None:
    response = world.client("city_supervisor").get("/oversight/statistics/region.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=4)}
    headers = [c.value for c in sheet[3]]
    lai = dict(zip(headers, rows["涞源县"], strict=False))
    total = dict(zip(headers, rows["合计"], strict=False))
    assert lai["完结率"] == 1.0 and lai["行政处罚"] == 1
    assert total["抽中对象"] == 3 and total["已完结"] == 2 and total["检查对象（在营）"] == 12


def test_specialty_export(world: World, s: Scenario) -> None:
    response = world.client("a_admin").get("/oversight/statistics/specialty.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    headers = [c.value for c in sheet[3]]
    rows = {row[0].value: dict(zip(headers, [c.value for c in row], strict=False)) for row in sheet.iter_rows(min_row=4)}
    assert rows["公共场所卫生"]["检查对象（在营）"] == 10
    assert rows["医疗机构/医疗卫生"]["检查对象（在营）"] == 5
    assert rows["公共场所卫生"]["抽中对象"] == 2
