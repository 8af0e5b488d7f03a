"""County A's reports and register entries for the URL access tests (tests/test_url_coverage.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World


def monthly(w: World) -> Any:
    from shuangsuiji.oversight.reports.services import monthly_report_open

    return monthly_report_open(actor=w.users["a_admin"], owner=w.orgs["a"], year=2026, month=10)


def period(w: World) -> Any:
    from shuangsuiji.oversight.reports.services import period_report_open

    return period_report_open(actor=w.users["a_admin"], owner=w.orgs["a"], year=2026, kind="half_year")


def member(w: World) -> Any:
    from shuangsuiji.oversight.models_reports import LeadingGroupMember

    existing = LeadingGroupMember.objects.filter(owner=w.orgs["a"]).first()
    if existing is not None:
        return existing
    from shuangsuiji.oversight.register import entry_save

    return entry_save(actor=w.users["a_admin"], kind="members", data={
        "name": "组长甲", "group_role": "leader", "position": "区卫生健康局局长", "phone": "13900000000",
    })
