""".xlsx export of the dashboard's tables, the drill-down lists, the 期限台账, 督办 and 问责: the rows the page shows,
with Chinese headers, in the viewer's scope only."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from shuangsuiji.deadlines.exports import ACCOUNTABILITY_HEADERS, DEADLINE_HEADERS, SUPERVISION_HEADERS
from shuangsuiji.oversight.views_dashboard import DASHBOARD_TABLES
from tests.conftest import World
from tests.deadlines.factories import oversight_objects, result_entry
from tests.oversight.stats_factories import Scenario

CJK = re.compile(r"[\u4e00-\u9fff]")


pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


@pytest.fixture
def chain(world: World) -> dict[str, Any]:
    """An overdue deadline with 督办 and 问责 in county A and one in county B (scanned on TODAY)."""
    other = result_entry(world, start=datetime.date(2026, 11, 2), key="b", responsible=None)
    objects = oversight_objects(world)
    objects["other"] = other
    return objects


def _sheet(response: Any) -> tuple[list[Any], list[list[Any]]]:
    """(header row, data rows) of an export written by ``statistics.table_xlsx``: title, subtitle, header, rows."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = [v for v in rows[2] if v is not None]
    assert header and all(CJK.search(str(h)) for h in header), header
    body: list[list[Any]] = []
    for row in rows[3:]:
        if all(v in (None, "") for v in row):
            break  # the table's note follows an empty row
        body.append(row)
    return header, body


def _count(response: Any, marker: str) -> int:
    match = re.search(marker, response.content.decode())
    assert match, response.content.decode()[:500]
    return int(match.group(1))


def _export_link(response: Any, path: str) -> str:
    html = response.content.decode().replace("&amp;", "&")
    match = re.search(rf'href="({re.escape(path)}[^"]*)"[^>]*>导出 Excel<', html)
    assert match, f"no 导出 Excel link to {path}"
    return match.group(1)


# ---------------------------------------------------------------------------------------- dashboard


@pytest.mark.parametrize("username", ["city_supervisor", "a_admin"])
def test_dashboard_tables_export_the_rows_shown(world: World, s: Scenario, username: str) -> None:
    client = world.client(username)
    page = client.get("/oversight/dashboard/?year=2026")
    context = page.context[0].flatten()
    shown = {
        "specialty": (len(context["specialty_rows"]), [context["specialty_table"].first,
                                                       *(c.label for c in context["specialty_table"].columns)]),
        "draws": (len(context["draws"]) + 1, ["项目", "数量"]),  # + 抽查比例
        "chain": (len(context["chain"]), ["项目", "数量"]),
        "codes": (len(context["codes"]), ["抽查结果（可多选，按项计）", "户次"]),
    }
    if context["region_rows"]:
        table = context["region_table"]
        shown["region"] = (len(context["region_rows"]), [table.first, *(c.label for c in table.columns)])
    assert ("region" in shown) == (username == "city_supervisor")
    for key, (rows, headers) in shown.items():
        url = _export_link(page, f"/oversight/dashboard/{key}.xlsx")
        header, body = _sheet(client.get(url))
        assert header == headers, key
        assert len(body) == rows, key
    assert set(shown) <= set(DASHBOARD_TABLES)
    _header, chain = _sheet(client.get("/oversight/dashboard/chain.xlsx?year=2026"))
    assert [row[0] for row in chain] == [label for label, _v, _u in context["chain"]]
    assert [row[1] for row in chain] == [value for _l, value, _u in context["chain"]]


def test_dashboard_export_scope_and_roles(world: World, s: Scenario) -> None:
    a = world.orgs["a"].pk
    assert world.client("b_admin").get(f"/oversight/dashboard/specialty.xlsx?org={a}").status_code == 404
    assert world.client("a_inspector").get("/oversight/dashboard/chain.xlsx").status_code == 403
    assert world.client("a_admin").get("/oversight/dashboard/region.xlsx").status_code == 404  # a county
    assert world.client("a_admin").get("/oversight/dashboard/nope.xlsx").status_code == 404


@pytest.mark.parametrize(("username", "query"), [
    ("city_supervisor", "drawn/?year=2026"),
    ("city_supervisor", "targets/?year=2026"),
    ("city_supervisor", "redraws/?year=2026"),
    ("city_supervisor", "tasks_drawn/?year=2026"),
    ("city_supervisor", "penalties/?year=2026"),
    ("a_admin", "tasks/?year=2026&state=draft"),
    ("a_admin", "cases_open/?year=2026"),
    ("a_admin", "inspected_records/?year=2026"),
    ("a_admin", "deadlines_overdue/?year=2026"),
    ("a_leader", "supervisions_open/?year=2026"),
    ("a_leader", "accountabilities/?year=2026"),
])
def test_drill_export_has_the_rows_of_the_list(world: World, s: Scenario, chain: dict[str, Any], username: str,
                                                query: str) -> None:
    client = world.client(username)
    page = client.get(f"/oversight/dashboard/drill/{query}")
    expected = _count(page, r'id="drill-count">(\d+)<')
    metric = query.split("/")[0]
    url = _export_link(page, f"/oversight/dashboard/drill/{metric}.xlsx")
    header, body = _sheet(client.get(url))
    assert header == [c.label for c in page.context["drill"].columns]
    assert len(body) == expected, query
    assert expected > 0, query  # every list here has rows


def test_drill_export_follows_filters_and_scope(world: World, s: Scenario) -> None:
    from shuangsuiji.directory.models import Specialty

    medical = Specialty.objects.get(code="medical")
    city = world.client("city_supervisor")
    _h, all_targets = _sheet(city.get("/oversight/dashboard/drill/targets.xlsx?year=2026"))
    _h, medical_targets = _sheet(city.get(f"/oversight/dashboard/drill/targets.xlsx?year=2026&specialty={medical.pk}"))
    assert 0 < len(medical_targets) < len(all_targets)
    group = f"region:{world.regions['b'].code}"
    _h, b_only = _sheet(city.get(f"/oversight/dashboard/drill/targets.xlsx?year=2026&group={group}"))
    assert {row[0] for row in b_only} == {t.name for t in s.targets_b}
    # a county sees its own targets only, and cannot ask for another county's
    _h, a_rows = _sheet(world.client("a_admin").get("/oversight/dashboard/drill/targets.xlsx?year=2026"))
    names = {row[0] for row in a_rows}
    assert world.targets["a"].name in names and not names & {t.name for t in s.targets_b}
    b = world.client("b_admin")
    assert b.get(f"/oversight/dashboard/drill/targets.xlsx?org={world.orgs['a'].pk}").status_code == 404
    assert world.client("a_staff").get("/oversight/dashboard/drill/accountabilities.xlsx").status_code == 403
    assert world.client("a_inspector").get("/oversight/dashboard/drill/drawn.xlsx").status_code == 403
    # dates as 2026年11月25日
    _h, records = _sheet(world.client("a_admin").get("/oversight/dashboard/drill/inspected_records.xlsx?year=2026"))
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", str(v)) for row in records for v in row)


def test_drill_export_has_every_page_and_every_metric(world: World, s: Scenario, chain: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangsuiji.oversight import views_dashboard
    from shuangsuiji.oversight.drilldown import METRICS

    monkeypatch.setattr(views_dashboard, "PAGE_SIZE", 2)
    client = world.client("city_supervisor")
    page = client.get("/oversight/dashboard/drill/targets/?year=2026")
    total = _count(page, r'id="drill-count">(\d+)<')
    assert total > 2 and len(page.context["rows"]) == 2
    _h, body = _sheet(client.get("/oversight/dashboard/drill/targets.xlsx?year=2026&page=2"))
    assert len(body) == total  # the whole list, not one page of it
    for metric in METRICS:
        response = client.get(f"/oversight/dashboard/drill/{metric}.xlsx?year=2026&g=no_problem&inspector=1")
        _sheet(response)


# ---------------------------------------------------------------------------------------- 期限督办


@pytest.mark.parametrize("query", ["", "?status=overdue", "?status=completed", "?kind=result_entry&q=测试计划"])
def test_deadline_export_has_the_rows_of_the_ledger(world: World, chain: dict[str, Any], query: str) -> None:
    client = world.client("a_admin")
    page = client.get(f"/oversight/{query}")
    expected = page.context["page"].paginator.count
    url = _export_link(page, "/oversight/deadlines.xlsx")
    assert unquote(url).endswith(query.lstrip("?"))
    header, body = _sheet(client.get(url))
    assert header == DEADLINE_HEADERS
    assert len(body) == expected
    if query == "?status=overdue":
        assert expected >= 1 and all(row[1] == "逾期" for row in body)
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", body[0][0])


def test_deadline_export_is_scoped(world: World, chain: dict[str, Any]) -> None:
    other = chain["other"].subject_repr
    _h, a_rows = _sheet(world.client("a_admin").get("/oversight/deadlines.xlsx"))
    assert chain["deadline"].subject_repr in {row[3] for row in a_rows}
    assert other not in {row[3] for row in a_rows}
    _h, b_rows = _sheet(world.client("b_admin").get("/oversight/deadlines.xlsx"))
    assert other in {row[3] for row in b_rows} and chain["deadline"].subject_repr not in {row[3] for row in b_rows}


@pytest.mark.parametrize("status", ["", "awaiting", "closed"])
def test_supervision_export(world: World, chain: dict[str, Any], status: str) -> None:
    client = world.client("a_admin")
    query = f"?status={status}" if status else ""
    page = client.get(f"/oversight/supervisions/{query}")
    url = _export_link(page, "/oversight/supervisions/export.xlsx")
    header, body = _sheet(client.get(url))
    assert header == SUPERVISION_HEADERS
    assert len(body) == page.context["page"].paginator.count
    numbers = {row[0] for row in body}
    if not status:
        assert chain["supervision"].number in numbers
    other = chain["other"].supervision.number
    assert other not in numbers


@pytest.mark.parametrize("status", ["", "open"])
def test_accountability_export(world: World, chain: dict[str, Any], status: str) -> None:
    client = world.client("a_leader")
    query = f"?status={status}" if status else ""
    page = client.get(f"/oversight/accountability/{query}")
    url = _export_link(page, "/oversight/accountability/export.xlsx")
    header, body = _sheet(client.get(url))
    assert header == ACCOUNTABILITY_HEADERS
    assert len(body) == page.context["page"].paginator.count >= 1
    b = world.orgs["b"]
    assert {row[2] for row in body}.isdisjoint({b.name, b.short_name})
    assert world.client("a_staff").get("/oversight/accountability/export.xlsx").status_code == 403
