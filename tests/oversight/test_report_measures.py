"""提醒、培训、约谈、记分 of inspected targets counted in the reports (issue 20 item 5): the 月报表's notes, the
半年/全年情况报告's follow-up table and summary (a city's report sums its counties), Word and PDF."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document

from shuangsuiji.inspections.measures import measure_record
from shuangsuiji.inspections.services import record_review, record_submit_result
from shuangsuiji.oversight.reports import services
from shuangsuiji.oversight.reports.monthly import build_monthly
from shuangsuiji.oversight.reports.period import build_period
from shuangsuiji.oversight.reports.period_files import period_docx, period_pdf
from tests.conftest import World
from tests.inspections.factories import entry_for, generated
from tests.pdf_tools import pdf_text

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 24)
TODAY = datetime.date(2026, 12, 1)


def _measures(world: World) -> None:
    _, hotel, clinic = generated(world)
    admin = world.users["a_admin"]
    for record in (hotel, clinic):
        record_review(actor=world.users["a_staff"], record=record_submit_result(actor=admin, record=record,
                                                                                entry=entry_for(record)), approve=True)
        record.refresh_from_db()
    measure_record(actor=admin, record=hotel, kind="reminder", occurred_on=DAY, content="书面提醒", outcome="已签收")
    for record in (hotel, clinic):
        measure_record(actor=admin, record=record, kind="interview", occurred_on=DAY, participants="法定代表人",
                       content="约谈负责人", outcome="承诺整改")
    measure_record(actor=admin, record=clinic, kind="scoring", occurred_on=DAY, points=3, content="医疗废物处置不规范",
                   outcome="已整改", evaluation_grade="key", evaluation_score=Decimal("58.5"))
    measure_record(actor=admin, record=clinic, kind="scoring", occurred_on=DAY, points=2, content="消毒记录不全",
                   outcome="已整改", evaluation_grade="key", evaluation_score=Decimal("58.5"))


def _period(world: World, user: str, org: str, kind: str, end: datetime.date | None = None):  # type: ignore[no-untyped-def]
    report = services.period_report_open(actor=world.users[user], owner=world.orgs[org], year=2026, kind=kind)
    if end is not None:
        report = services.period_report_update(actor=world.users[user], report=report, data={"period_end": end})
    return build_period(report, today=TODAY)


def test_measures_are_counted_in_the_monthly_half_year_and_annual_reports(world: World) -> None:
    _measures(world)
    expected = {"对检查对象提醒": "1次（1户）", "对检查对象培训": "0次（0户）", "对检查对象约谈": "2次（2户）",
                "对检查对象记分": "2次（1户，共5分）"}
    # the county's annual report with its 统计截止日期 at the end of November, and the city's summing it
    for user, org in (("a_admin", "a"), ("city_admin", "city")):
        content = _period(world, user, org, "annual", datetime.date(2026, 11, 30))
        rows = dict(content.case_rows)
        assert {k: rows[k] for k in expected} == expected, org
        assert "对检查对象提醒1次（1户）、约谈2次（2户）、记分2次（1户，共5分）。" in content.summary
    # 涞源 recorded none; the half-year report (to 6月30日) is before the measures
    assert dict(_period(world, "b_admin", "b", "annual", datetime.date(2026, 11, 30)).case_rows)["对检查对象约谈"] == "0次（0户）"
    half = _period(world, "a_admin", "a", "half_year")
    assert dict(half.case_rows)["对检查对象记分"] == "0次（0户）" and "约谈" not in half.summary
    # the counts reach the Word and PDF files
    content = _period(world, "a_admin", "a", "annual", datetime.date(2026, 11, 30))
    document = Document(io.BytesIO(period_docx(content)))
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["对检查对象约谈", "2次（2户）"] in cells and ["对检查对象记分", "2次（1户，共5分）"] in cells
    assert "对检查对象记分" in pdf_text(period_pdf(content))
    # the 月报表 of November (its notes row) and of October (nothing)
    monthly = build_monthly(services.monthly_report_open(actor=world.users["a_admin"], owner=world.orgs["a"],
                                                         year=2026, month=11))
    assert "本月对检查对象提醒1次（1户）、约谈2次（2户）、记分2次（1户，共5分）" in monthly.text("notes")
    october = build_monthly(services.monthly_report_open(actor=world.users["a_admin"], owner=world.orgs["a"],
                                                         year=2026, month=10))
    assert "约谈" not in october.text("notes")
