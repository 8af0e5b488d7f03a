"""Demo data of statistics and reports: register, events, reports due now; idempotent."""

from __future__ import annotations

import pytest

from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, MonthlyReport, WorkEvent
from shuangsuiji.oversight.reports.demo import load_demo_reports
from tests.conftest import World
from tests.oversight.stats_factories import TODAY

pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


def test_demo_is_idempotent(world: World) -> None:
    first = load_demo_reports(today=TODAY)
    counts = (LeadingGroupMember.objects.count(), DutyAssignment.objects.count(), WorkEvent.objects.count(),
              MonthlyReport.objects.count())
    assert counts == (18, 24, 12, 3)  # 3 bureaus; events only where a 双随机办管理员 exists (all three here)
    second = load_demo_reports(today=TODAY)
    assert second["members"] == second["duties"] == second["events"] == 0
    assert first["reports"] == second["reports"] == 9
    assert counts == (LeadingGroupMember.objects.count(), DutyAssignment.objects.count(), WorkEvent.objects.count(),
                      MonthlyReport.objects.count())
    page = world.client("a_admin").get("/oversight/register/").content.decode()
    assert "王建国" in page and "刘亚军" in page


def test_demo_sends_past_due_period_reports_on_their_due_day(world: World) -> None:
    """No false 问责 in the demo: the 半年/全年报告 due before today were sent on time (and only once)."""
    from shuangsuiji.deadlines.models import Deadline, DeadlineKind
    from shuangsuiji.oversight.models_reports import PeriodReport, ReportStatus

    first = load_demo_reports(today=TODAY)
    assert first["submitted"] == PeriodReport.objects.count() == 6  # 3 bureaus × 半年 + 全年 (due 7月2日, 11月16日)
    assert set(PeriodReport.objects.values_list("status", flat=True)) == {ReportStatus.SUBMITTED}
    done = Deadline.objects.filter(kind__in=[DeadlineKind.HALF_YEAR_REPORT, DeadlineKind.ANNUAL_REPORT])
    assert done.count() == 6 and not done.filter(completed_late=True).exists()
    assert all(d.completed_on == d.due_date for d in done)
    assert load_demo_reports(today=TODAY)["submitted"] == 0
