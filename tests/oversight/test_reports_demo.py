"""Demo data of statistics and reports: register, events, reports due now; idempotent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, MonthlyReport, WorkEvent
from shuangsuiji.oversight.reports.demo import load_demo_reports
from tests.conftest import World
from tests.oversight.stats_factories import TODAY, at


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=False):
        yield


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
