"""Dashboard figures against hand counts (see ``stats_factories.scenario`` for the situation)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.draws.models import DrawnTarget, DrawStatus
from shuangsuiji.inspections.models import InspectionRecord, RecordStatus
from shuangsuiji.oversight.dashboard import Period, build_dashboard, dashboard_scope
from shuangsuiji.oversight.summary import target_stats_refresh
from tests.conftest import World
from tests.oversight.stats_factories import Scenario, add_target

pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


def test_county_figures_2026(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["a_admin"], year=2026)
    f, r = board.figures, board.rates
    assert not board.scope.is_upper_level
    assert (f["targets_total"], f["targets_operating"], f["covered_3y"], f["covered_5y"]) == (11, 10, 3, 3)
    assert (f["tasks"], f["task_inspecting"], f["task_draft"]) == (2, 1, 1)
    # the superseded first draw of A1 and its 3 targets never count
    assert (f["draws_confirmed"], f["draws_superseded"], f["redraws"], f["drawn"], f["pool"]) == (1, 1, 1, 2, 20)
    assert (f["records"], f["entered"], f["approved"], f["published"]) == (2, 2, 1, 0)
    assert r["completion"] == Decimal("50.0") and r["publication"] == Decimal("0.0")
    # t1, t2 (A1) and t4 (task of 2025, inspected in January 2026)
    assert f["inspected_targets"] == 3 and r["coverage"] == Decimal("30.0")
    assert (f["inspected_records"], f["problem_records"], f["group_no_problem"], f["group_rectified"]) == (3, 1, 2, 1)
    assert (f["cases_open"], f["case_age_31_90"], f["cases_opened"]) == (1, 1, 1)
    assert (f["cases_closed"], f["case_took_181"]) == (1, 1)  # the 2025 penalty case closed 2026-02-01
    assert f["penalties"] == 0
    assert board.goal_percent == Decimal("3")


def test_hand_counted_queries_agree(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["a_admin"], year=2026)
    owner = world.orgs["a"]
    drawn = DrawnTarget.objects.filter(draw__owner=owner, draw__task__year=2026, draw__status=DrawStatus.CONFIRMED)
    approved = InspectionRecord.objects.filter(drawn_target__in=drawn, status=RecordStatus.APPROVED)
    inspected = {
        r.target_id for r in InspectionRecord.objects.filter(target__owner=owner)
        if r.inspected_on and r.inspected_on.year == 2026 and r.status in ("submitted", "approved")
    }
    assert board.figures["drawn"] == drawn.count()
    assert board.figures["approved"] == approved.count()
    assert board.figures["inspected_targets"] == len(inspected)


def test_task_spanning_years_counts_for_its_year(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["a_admin"], year=2025)
    f, r = board.figures, board.rates
    assert (f["tasks"], f["drawn"], f["approved"]) == (2, 2, 2)
    assert r["completion"] == Decimal("100.0")
    assert f["published"] == 1 and r["publication"] == Decimal("50.0")  # A0 已公示, A2 only completed
    assert f["inspected_targets"] == 1  # t5 in April 2025; t4's inspection is in 2026
    assert (f["penalties"], f["penalty_amount"]) == (1, Decimal("2000"))


def test_no_tasks_gives_no_rates(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["b_admin"], year=2027)
    assert board.figures["tasks"] == 0 and board.figures["drawn"] == 0
    assert board.rates["completion"] is None and board.rates["publication"] is None
    assert board.rates["coverage"] == Decimal("0.0")


def test_empty_bureau(world: World) -> None:
    board = build_dashboard(actor=world.users["b_admin"], year=2026)
    assert board.figures["targets_operating"] == 1
    assert board.rates["completion"] is None and board.rates["coverage"] == Decimal("0.0")


def test_city_sums_counties_and_lists_them(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["city_supervisor"], year=2026)
    f, r = board.figures, board.rates
    assert board.scope.is_upper_level
    assert [row.group.name for row in board.rows] == ["保定市卫生健康委员会（本级）", "莲池区", "涞源县"]
    assert f["targets_operating"] == 12 and f["inspected_targets"] == 4 and r["coverage"] == Decimal("33.3")
    assert (f["drawn"], f["approved"], f["published"]) == (3, 2, 1)
    assert r["completion"] == Decimal("66.7") and r["publication"] == Decimal("50.0")
    assert (f["penalties"], f["penalty_amount"]) == (1, Decimal("5000"))
    lai = board.rows[2]
    assert lai.rates["completion"] == Decimal("100.0") and lai.rates["publication"] == Decimal("100.0")
    assert lai.org_id == world.orgs["b"].pk


def test_half_year_period_reads_statuses_as_of_its_end(world: World, s: Scenario) -> None:
    board = build_dashboard(actor=world.users["city_supervisor"], period=Period.until(2026, datetime.date(2026, 6, 30)))
    f = board.figures
    assert (f["drawn"], f["approved"]) == (1, 1)  # county A's draw was confirmed in September
    assert f["inspected_targets"] == 2  # t4 in January, county B's unit in June
    assert f["cases_open"] == 1  # county B's case; A's t2 case opened in October


def test_scope_refuses_other_county(world: World, s: Scenario) -> None:
    with pytest.raises(NotFoundError):
        dashboard_scope(actor=world.users["b_admin"], org_id=world.orgs["a"].pk)
    scope = dashboard_scope(actor=world.users["city_supervisor"], org_id=world.orgs["a"].pk)
    assert scope.owner_ids == [world.orgs["a"].pk]


def test_library_counts_follow_changes(world: World, s: Scenario) -> None:
    before = build_dashboard(actor=world.users["a_admin"], year=2026).figures["targets_operating"]
    add_target(world, "a", 70)  # a save marks county A dirty: the next view re-counts it
    assert build_dashboard(actor=world.users["a_admin"], year=2026).figures["targets_operating"] == before + 1


def test_snapshots_are_reused_and_follow_changes(world: World, s: Scenario,
                                                 django_assert_max_num_queries: Any) -> None:
    assert target_stats_refresh() > 0
    user = world.users["city_supervisor"]
    first = build_dashboard(actor=user, year=2026)
    with django_assert_max_num_queries(12):  # the bureaus' snapshots are fresh: no aggregation over the records
        second = build_dashboard(actor=user, year=2026)
    assert second.figures == first.figures and second.months() == first.months() and second.codes() == first.codes()
    record = s.records["t2"]  # saving a record marks its bureau: the next view recomputes it
    record.status, record.reviewed_at = "approved", record.submitted_at
    record.save()
    assert build_dashboard(actor=user, year=2026).figures["approved"] == first.figures["approved"] + 1


def test_reports_periods_are_computed_live(world: World, s: Scenario) -> None:
    from shuangsuiji.oversight.models_reports import FigureSnapshot

    build_dashboard(actor=world.users["a_admin"], period=Period.until(2026, datetime.date(2026, 6, 30)))
    assert not FigureSnapshot.objects.exists()
    build_dashboard(actor=world.users["a_admin"], year=2026)
    assert FigureSnapshot.objects.filter(owner=world.orgs["a"], year=2026).count() == 1
