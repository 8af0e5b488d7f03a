"""半年/全年情况报告 (seed 003): figures, per-专业 tables, charts, last year's penalised units, Word/PDF, deadlines."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from docx import Document
from PIL import Image

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.deadlines.models import Accountability, Deadline, DeadlineKind
from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, PeriodReport
from shuangsuiji.oversight.reports import services
from shuangsuiji.oversight.reports.charts import bar_chart, pie_chart
from shuangsuiji.oversight.reports.period import build_period
from tests.conftest import World
from tests.oversight.stats_factories import TODAY, Scenario, scenario
from tests.oversight.test_reports_monthly import _pdf_checks

pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


@pytest.fixture
def s(world: World) -> Scenario:
    sc = scenario(world)
    city = world.orgs["city"]
    DutyAssignment.objects.create(owner=city, year=2026, work_content="数据信息发布、数据收集、督导检查、及工作总结",
                                  section="信息科", person="赵静", phone="8970299", email="pdszj2299@163.com")
    LeadingGroupMember.objects.create(owner=city, name="曲校德", group_role="leader", position="市卫生健康委副主任",
                                      phone="13912345678")
    return sc


def _annual(world: World) -> PeriodReport:
    return services.period_report_open(actor=world.users["city_admin"], owner=world.orgs["city"], year=2026,
                                       kind="annual")


def test_content_sums_the_counties(world: World, s: Scenario) -> None:
    content = build_period(_annual(world), today=TODAY)
    assert content.period_end == "10月31日"
    assert "共组织随机抽查任务3项" in content.summary and "抽取检查对象3户" in content.summary
    assert "已完结（录入并审核）2户，完结率66.7%" in content.summary
    indicators = {row[0]: row[1] for row in content.indicators}
    assert indicators["完结率"] == "66.7%" and indicators["公示率"] == "50.0%" and indicators["行政处罚（件）"] == "1"
    assert [row[0] for row in content.region_rows] == ["保定市卫生健康委员会（本级）", "莲池区", "涞源县"]
    specialties = {row[0]: row for row in content.specialty_rows}
    assert specialties["公共场所卫生"][1] == "11"  # 10 in 莲池区 + 1 in 涞源县
    groups = {row[0]: row[1] for row in content.result_rows}
    assert groups["未发现问题"] == "2" and groups["行政处罚"] == "1"
    # seed 003: last year's penalised units and their rectification
    assert content.penalised == [["莲池区测试单位005", "卫罚〔2025〕2号", "2025年4月20日", "警告，罚款",
                                  "已整改，复查合格（复查日期2025年5月1日）"]]
    assert content.duties[0][1:3] == ["信息科", "赵静"] and "8970299" in content.duties[0][3]
    assert content.members == [["组长", "曲校德", "市卫生健康委副主任"]]


def test_half_year_period(world: World, s: Scenario) -> None:
    report = services.period_report_open(actor=world.users["b_admin"], owner=world.orgs["b"], year=2026,
                                         kind="half_year")
    assert report.period_end == datetime.date(2026, 6, 30)
    content = build_period(report, today=TODAY)
    assert content.region_rows == []  # a county has no subordinate regions
    indicators = {row[0]: row[1] for row in content.indicators}
    assert indicators["抽取检查对象（户）"] == "1" and indicators["完结率"] == "100.0%"


def test_deadlines_follow_the_fixed_dates(world: World, s: Scenario) -> None:
    annual = _annual(world)
    half = services.period_report_open(actor=world.users["city_admin"], owner=world.orgs["city"], year=2026,
                                       kind="half_year")
    ct = ContentType.objects.get_for_model(PeriodReport)
    assert Deadline.objects.get(content_type=ct, object_id=half.pk, kind=DeadlineKind.HALF_YEAR_REPORT).due_date == \
        datetime.date(2026, 7, 2)
    # 2026年11月15日 is a Sunday: the deadline rolls to Monday the 16th
    assert Deadline.objects.get(content_type=ct, object_id=annual.pk, kind=DeadlineKind.ANNUAL_REPORT).due_date == \
        datetime.date(2026, 11, 16)


def test_edit_submit_and_freeze(world: World, s: Scenario) -> None:
    report = _annual(world)
    services.period_report_update(actor=world.users["city_admin"], report=report, data={
        "texts": {"practices": "一是强化组织领导。\n二是推进联合抽查。", "problems": "个别县区录入不及时。"},
        "period_end": datetime.date(2026, 11, 10),
    })
    report.refresh_from_db()
    assert build_period(report, today=TODAY).paragraphs("practices") == ["一是强化组织领导。", "二是推进联合抽查。"]
    with pytest.raises(ApplicationError, match="统计截止日期"):
        services.period_report_update(actor=world.users["city_admin"], report=report,
                                      data={"period_end": datetime.date(2025, 12, 31)})
    submitted = services.period_report_submit(actor=world.users["city_admin"], report=report)
    assert submitted.is_submitted and submitted.snapshot["period_end"] == "11月10日"
    LeadingGroupMember.objects.create(owner=world.orgs["city"], name="后来的人", position="x")
    assert build_period(PeriodReport.objects.get(pk=report.pk)).members == [["组长", "曲校德", "市卫生健康委副主任"]]
    # submitted on 25 November, due 16 November: completed late → 问责
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(PeriodReport), object_id=report.pk)
    assert deadline.completed_late and Accountability.objects.filter(deadline=deadline).exists()
    with pytest.raises(ApplicationError):
        services.period_report_update(actor=world.users["city_admin"], report=submitted, data={"texts": {}})


def test_submit_before_period_end_is_refused(world: World, s: Scenario) -> None:
    report = services.period_report_open(actor=world.users["a_admin"], owner=world.orgs["a"], year=2026, kind="annual")
    services.period_report_update(actor=world.users["a_admin"], report=report,
                                  data={"period_end": datetime.date(2026, 12, 31)})
    with pytest.raises(ApplicationError, match="之后才能报送"):
        services.period_report_submit(actor=world.users["a_admin"], report=report)


def test_word_has_tables_charts_and_text(world: World, s: Scenario) -> None:
    report = _annual(world)
    services.period_report_update(actor=world.users["city_admin"], report=report,
                                  data={"texts": {"plans": "继续推进信用风险分类监管。"}})
    response = world.client("city_admin").get(f"/oversight/reports/period/{report.pk}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "保定市卫生健康委员会2026年“双随机、一公开”抽查工作全年情况报告" in text
    assert "五、2025年随机抽查被行政处罚单位整改落实情况" in text and "继续推进信用风险分类监管。" in text
    assert len(document.inline_shapes) == 3  # per-专业 bars, result pie, regions bars
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["莲池区测试单位005", "卫罚〔2025〕2号", "2025年4月20日", "警告，罚款",
            "已整改，复查合格（复查日期2025年5月1日）"] in cells
    assert ["完结率", "66.7%", "目标100%"] in cells
    assert "{{" not in text and "{%" not in text


def test_pdf_renders_chinese(world: World, s: Scenario) -> None:
    report = _annual(world)
    response = world.client("city_admin").get(f"/oversight/reports/period/{report.pk}/report.pdf")
    assert response.status_code == 200
    _pdf_checks(response.content, ["全年情况报告", "被行政处罚单位整改落实情况",
                                             "莲池区测试单位005", "完结率66.7%"])


def test_pages_and_scope(world: World, s: Scenario) -> None:
    report = _annual(world)
    city_admin, supervisor = world.client("city_admin"), world.client("city_supervisor")
    page = city_admin.get(f"/oversight/reports/period/{report.pk}/")
    assert page.status_code == 200 and "填写与修改（报送前）" in page.content.decode()
    assert page.content.decode().count("/charts/") == 3
    chart = city_admin.get(f"/oversight/reports/period/{report.pk}/charts/results.png")
    assert chart.status_code == 200 and Image.open(io.BytesIO(chart.content)).size[0] > 500
    assert city_admin.get(f"/oversight/reports/period/{report.pk}/charts/nope.png").status_code == 404
    # the supervisor of the same city bureau reads everything of the bureau (own bureau), but cannot write
    assert supervisor.get(f"/oversight/reports/period/{report.pk}/").status_code == 200
    assert supervisor.post(f"/oversight/reports/period/{report.pk}/", {"period_end": "2026-10-31"}).status_code == 403
    # counties never see the city's report
    assert world.client("a_admin").get(f"/oversight/reports/period/{report.pk}/").status_code == 404
    response = city_admin.post(f"/oversight/reports/period/{report.pk}/", {
        "period_end": "2026-10-31", "contact_person": "刘忠欣", "contact_phone": "0375-7667951", "mobile": "",
        "text_practices": "做法一", "text_plans": "",
    })
    assert response.status_code == 302
    assert PeriodReport.objects.get(pk=report.pk).texts == {"practices": "做法一"}
    assert city_admin.post(f"/oversight/reports/period/{report.pk}/submit/").status_code == 302
    assert PeriodReport.objects.get(pk=report.pk).is_submitted


def test_county_report_is_read_by_the_city_once_submitted(world: World, s: Scenario) -> None:
    report = services.period_report_open(actor=world.users["a_admin"], owner=world.orgs["a"], year=2026,
                                         kind="half_year")
    supervisor = world.client("city_supervisor")
    assert supervisor.get(f"/oversight/reports/period/{report.pk}/").status_code == 404
    assert supervisor.get(f"/oversight/reports/period/{report.pk}/report.docx").status_code == 404
    services.period_report_submit(actor=world.users["a_admin"], report=report)
    assert supervisor.get(f"/oversight/reports/period/{report.pk}/").status_code == 200
    assert supervisor.get(f"/oversight/reports/period/{report.pk}/report.docx").status_code == 200


def test_charts_draw_chinese() -> None:
    png = bar_chart("各专业", ["公共场所卫生", "医疗机构/医疗卫生"], [("抽中", [3, 5])], goal=("目标", 4))
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size[0] == 1280
    assert sum(image.point(lambda v: 255 if v < 100 else 0).histogram()[255:]) > 2000
    empty = Image.open(io.BytesIO(pie_chart("空", []))).convert("L")
    assert empty.size[0] == 1280
