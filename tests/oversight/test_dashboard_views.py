"""Dashboard pages: rendering, drill-down lists agree with the numbers, statistics export, scope and roles."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from shuangsuiji.oversight.dashboard import build_dashboard
from shuangsuiji.oversight.dashboard_page import Card, Note
from shuangsuiji.oversight.drilldown import METRICS
from shuangsuiji.oversight.statistics import TABLES
from tests.conftest import World
from tests.oversight.stats_factories import Scenario

pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


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


DRILL_PATH = "/oversight/dashboard/drill/"


def _linked_figures(value: Any, found: list[tuple[str, int | None, str]], where: str = "") -> None:
    """Every (where, rows, url) of a figure that links to a drill-down list, anywhere in the page's context."""
    if isinstance(value, Card):
        found.append((f"{where}{value.label}", value.rows, value.url))
        _linked_figures(value.notes, found, f"{where}{value.label}/")
    elif isinstance(value, Note):
        if value.url:
            found.append((f"{where}{value.text}", value.rows, value.url))
    elif isinstance(value, dict):
        url = value.get("url")
        if isinstance(url, str) and url.startswith(DRILL_PATH):
            found.append((f"{where}{value.get('name') or value.get('text') or ''}", value.get("rows"), url))
        for key, item in value.items():
            if key != "url":
                _linked_figures(item, found, f"{where}{key}/")
    elif isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], str) and value[2].startswith(DRILL_PATH):
        found.append((f"{where}{value[0]}", value[1], value[2]))  # (label, number, url) rows of 抽取 and 督办
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _linked_figures(item, found, f"{where}{index}/")


@pytest.mark.parametrize("username", ["city_supervisor", "a_admin", "a_leader"])
def test_drill_down_counts_equal_the_figures(world: World, s: Scenario, username: str) -> None:
    """Every number of the dashboard that links to a list links to a list of exactly that many rows.

    The figures are found by walking everything the page shows (cards and their notes, the 抽取 and 督办 tables,
    chart points, the 专业 and region tables); every drill-down link of the rendered page must be among them, so
    a new figure whose link opens a list of another length fails here.
    """
    from shuangsuiji.planning.models import Task
    from tests.deadlines.factories import oversight_objects
    from tests.planning.url_builders import joint

    oversight_objects(world)  # a 督办 and a 问责 in county A
    Task.objects.filter(pk=s.tasks["A1"].pk).update(joint_plan=joint(world))
    client = world.client(username)
    response = client.get("/oversight/dashboard/?year=2026")
    assert response.status_code == 200
    found: list[tuple[str, int | None, str]] = []
    _linked_figures(response.context[0].flatten(), found)
    html = response.content.decode().replace("&amp;", "&")
    page_links = set(re.findall(r'href="(/oversight/dashboard/drill/[^"]+)"', html))
    charts = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))  # type: ignore[union-attr]
    chart_figures: list[tuple[str, int | None, str]] = []
    _linked_figures(charts, chart_figures)
    page_links |= {url for _where, _rows, url in chart_figures}
    assert page_links and page_links <= {url for _where, _rows, url in found}, page_links - {u for *_, u in found}
    for metric in ("tasks_joint", "tasks_drawn", "redraws", "supervisions_open", "accountabilities_open"):
        assert any(f"/drill/{metric}/" in url for *_, url in found), metric
    listed: dict[str, int] = {}
    for where, rows, url in found:
        assert rows is not None, f"{where}: no row count for {url}"
        if url not in listed:
            drill = client.get(url)
            assert drill.status_code == 200, (where, url)
            listed[url] = _count(drill)
        assert listed[url] == rows, f"{where}: {rows} but the list {url} has {listed[url]} rows"
    # the sub-figures the audit found linked to the wrong lists are not all zero here
    board = build_dashboard(actor=world.users[username], year=2026)
    assert board.figures["redraws"] == 1 and board.figures["tasks_joint"] == 1 and board.figures["tasks_drawn"] >= 1
    if username != "city_supervisor":
        assert board.figures["supervisions_open"] >= 1 and board.figures["accountabilities_open"] >= 1


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
