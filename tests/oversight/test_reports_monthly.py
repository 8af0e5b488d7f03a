"""月报表 (seed 001): filled from the data, editable as a draft, frozen when submitted, xlsx/PDF downloads."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.models import Deadline, DeadlineKind
from shuangsuiji.oversight.models_reports import MonthlyReport, PeriodReport, ReportStatus, WorkEvent
from shuangsuiji.oversight.reports import services
from shuangsuiji.oversight.reports.monthly import build_monthly
from tests.conftest import World
from tests.oversight.stats_factories import TODAY, Scenario, scenario
from tests.pdf_tools import compact, dark_pixels, embedded_font_names, first_page_image, pdf_text

pytestmark = pytest.mark.usefixtures("stats_today")  # tests/oversight/conftest.py


@pytest.fixture
def s(world: World) -> Scenario:
    sc = scenario(world)
    owner, admin = world.orgs["a"], world.users["a_admin"]
    WorkEvent.objects.create(owner=owner, kind="meeting", title="2026年第四季度双随机工作部署会",
                             held_on=datetime.date(2026, 10, 9), created_by=admin)
    WorkEvent.objects.create(owner=owner, kind="document", title="关于开展公共场所卫生双随机抽查的通知",
                             document_number="莲卫监〔2026〕21号", held_on=datetime.date(2026, 10, 8), created_by=admin)
    WorkEvent.objects.create(owner=owner, kind="training", title="双随机平台操作培训班", participants=36,
                             content="抽取、一企一表录入", held_on=datetime.date(2026, 10, 15), created_by=admin)
    WorkEvent.objects.create(owner=owner, kind="meeting", title="九月的会", held_on=datetime.date(2026, 9, 30),
                             created_by=admin)
    return sc


def _open(world: World, month: int = 10) -> MonthlyReport:
    return services.monthly_report_open(actor=world.users["a_admin"], owner=world.orgs["a"], year=2026, month=month)


def test_fields_are_filled_from_the_data(world: World, s: Scenario) -> None:
    content = build_monthly(_open(world))
    assert content.text("meetings") == "2026年10月9日召开2026年第四季度双随机工作部署会"
    assert "莲卫监〔2026〕21号" in content.text("documents")
    assert "培训36人" in content.text("trainings") and "抽取、一企一表录入" in content.text("trainings")
    assert content.text("task_documents") == "《2026年公共场所卫生双随机抽查A1》"  # no 工作方案: the task's title
    # A1: current draw of 2 (the superseded draw of 3 does not count), both inspected in October
    assert "抽取2户" in content.text("scope") and "本月检查2户" in content.text("scope")
    assert content.text("items").startswith("共1大项、2小项")
    assert "本月公示抽查结果0户" in content.text("publication")
    from django.conf import settings

    portal = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/gs/"
    assert content.text("publication").startswith(f"公示网站：{portal}")  # this platform's portal by default
    # a county report lists its 股室 and 监督所 (issue 20 item 9); work led by no unit stays with the bureau
    assert content.text("system").splitlines() == [
        "1. 莲池区卫生健康局公共卫生科：开展随机抽查任务0项，检查0户，公示抽查结果0户",
        "2. 莲池区卫生监督所：开展随机抽查任务0项，检查0户，公示抽查结果0户",
        "3. 莲池区卫生健康局：开展随机抽查任务1项，检查2户，公示抽查结果0户",
        "4. 合计：1个单位开展随机抽查，检查2户，公示抽查结果0户",
    ]
    labels = [label for _k, _n, label, _t in content.rows()]
    assert "本月按年度随机抽查工作计划区本级开展随机抽查情况" in labels
    assert "全区本系统开展随机抽查情况（开展的单位及抽查检查主体数量及抽查结果公示数量等情况）" in labels


def test_city_report_lists_the_system(world: World, s: Scenario) -> None:
    report = services.monthly_report_open(actor=world.users["city_admin"], owner=world.orgs["city"], year=2026,
                                          month=6)
    content = build_monthly(report)
    lines = content.text("system").splitlines()
    assert len(lines) == 4  # the city bureau, 莲池区, 涞源县, total
    assert lines[2] == "3. 涞源县卫生健康局：开展随机抽查任务1项，检查1户，公示抽查结果1户"  # published 20 June
    assert "本月按年度随机抽查工作计划市本级" in content.rows()[5][2]


def test_open_tracks_the_deadline_and_is_idempotent(world: World, s: Scenario) -> None:
    report = _open(world)
    assert _open(world).pk == report.pk
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(MonthlyReport), object_id=report.pk)
    assert deadline.kind == DeadlineKind.MONTHLY_REPORT
    assert deadline.due_date == datetime.date(2026, 11, 5)  # the 5th of the following month, a Thursday
    assert deadline.responsible == world.users["a_admin"]


def test_edit_then_submit_freezes(world: World, s: Scenario) -> None:
    report = _open(world)
    services.monthly_report_update(actor=world.users["a_admin"], report=report, data={
        "texts": {"meetings": "10月9日召开专题会议（手工修改）"}, "contact_person": "高志娟",
        "contact_phone": "0312-7321690", "mobile": "13812345678", "website": "莲池区人民政府网站",
    })
    report.refresh_from_db()
    assert build_monthly(report).text("meetings") == "10月9日召开专题会议（手工修改）"
    submitted = services.monthly_report_submit(actor=world.users["a_admin"], report=report)
    assert submitted.status == ReportStatus.SUBMITTED and len(submitted.snapshot_sha256) == 64
    assert submitted.filled_on == TODAY
    # later data does not change the submitted report
    WorkEvent.objects.create(owner=world.orgs["a"], kind="meeting", title="补开的会", held_on=datetime.date(2026, 10, 20),
                             created_by=world.users["a_admin"])
    frozen = build_monthly(MonthlyReport.objects.get(pk=report.pk))
    assert "补开的会" not in frozen.text("meetings") and frozen.website == "莲池区人民政府网站"
    assert services.snapshot_digest(MonthlyReport.objects.get(pk=report.pk).snapshot) == submitted.snapshot_sha256
    with pytest.raises(ApplicationError, match="冻结"):
        services.monthly_report_update(actor=world.users["a_admin"], report=submitted, data={"contact_person": "x"})
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(MonthlyReport), object_id=report.pk)
    assert deadline.completed_at is not None and deadline.completed_late  # due 5 November, submitted the 25th
    assert AuditEntry.objects.filter(event="report.monthly.submit").count() == 1
    # the stored phones are encrypted
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM oversight_monthlyreport WHERE id = %s", [report.pk])
        assert cursor.fetchone()[0].startswith("enc1:")


def test_month_not_over_cannot_be_submitted(world: World, s: Scenario) -> None:
    report = _open(world, month=11)
    with pytest.raises(ApplicationError, match="尚未结束"):
        services.monthly_report_submit(actor=world.users["a_admin"], report=report)


def test_only_the_bureaus_program_admin_writes(world: World, s: Scenario) -> None:
    with pytest.raises(PermissionDeniedError):
        services.monthly_report_open(actor=world.users["a_leader"], owner=world.orgs["a"], year=2026, month=10)
    report = _open(world)
    with pytest.raises(PermissionDeniedError):
        services.monthly_report_update(actor=world.users["city_admin"], report=report, data={"contact_person": "x"})


def test_pages_scope_and_upper_level_read_only(world: World, s: Scenario) -> None:
    report = _open(world)
    admin, city, other = world.client("a_admin"), world.client("city_supervisor"), world.client("b_admin")
    page = admin.get(f"/oversight/reports/monthly/{report.pk}/")
    assert page.status_code == 200 and "修改（报送前）" in page.content.decode()
    assert city.get(f"/oversight/reports/monthly/{report.pk}/").status_code == 404  # a draft stays private
    response = admin.post(f"/oversight/reports/monthly/{report.pk}/", {
        "contact_person": "高志娟", "contact_phone": "0312-7321690", "mobile": "13812345678", "website": "莲池区政府网",
        "text_meetings": "", "text_scope": "改写的范围说明",
    })
    assert response.status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).texts == {"scope": "改写的范围说明"}
    assert admin.post(f"/oversight/reports/monthly/{report.pk}/submit/").status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).is_submitted
    listing = city.get("/oversight/reports/?year=2026").content.decode()
    assert "各单位报送情况" in listing and f"/oversight/reports/monthly/{report.pk}/" in listing
    view = city.get(f"/oversight/reports/monthly/{report.pk}/")
    assert view.status_code == 200
    html = view.content.decode()
    assert "修改（报送前）" not in html and "138****5678" in html and "13812345678" not in html
    assert city.post(f"/oversight/reports/monthly/{report.pk}/", {"contact_person": "x"}).status_code == 403
    assert city.post(f"/oversight/reports/monthly/{report.pk}/submit/").status_code in (403, 302)
    assert other.get(f"/oversight/reports/monthly/{report.pk}/").status_code == 404
    assert other.get(f"/oversight/reports/monthly/{report.pk}/report.pdf").status_code == 404


def test_xlsx_is_laid_out_like_the_form(world: World, s: Scenario) -> None:
    report = _open(world)
    response = world.client("a_admin").get(f"/oversight/reports/monthly/{report.pk}/report.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [str(v) for row in cells for v in row if v]
    assert "莲池区卫生健康局" in flat and "“双随机、一公开”监管工作月报表" in flat
    assert "单位名称（盖章）：莲池区卫生健康局" in flat
    assert "一、“双随机、一公开”监管工作安排部署情况" in flat and "二、“双随机、一公开”监管工作开展情况" in flat
    numbers = [row[0] for row in cells if row[0] in ("1", "2", "3", "4", "5")]
    assert numbers == ["1", "2", "3", "4", "5"]
    by_label = {row[1]: row[2] for row in cells if row[1]}
    assert "抽取2户" in by_label["随机抽查抽查对象范围、数量、抽查比例"]
    assert by_label["随机抽查的检查事项（多少大项、多少小项）"].startswith("共1大项、2小项")
    assert any(str(v).startswith("联系人：") for v in flat)
    assert any(str(r).startswith("A") for r in sheet.merged_cells.ranges)


def _pdf_checks(content: bytes, expected: list[str]) -> None:
    assert content.startswith(b"%PDF")
    text = compact(pdf_text(content))
    for phrase in expected:
        assert phrase in text, phrase
    assert embedded_font_names(content)  # the glyphs come from an embedded font
    assert dark_pixels(first_page_image(content, dpi=40)) > 500


def test_pdf_renders_chinese(world: World, s: Scenario) -> None:
    report = _open(world)
    response = world.client("a_admin").get(f"/oversight/reports/monthly/{report.pk}/report.pdf")
    assert response.status_code == 200
    _pdf_checks(response.content, ["“双随机、一公开”监管工作月报表", "本月召开会议部署随机抽查工作情况",
                                             "抽取2户", "莲卫监〔2026〕21号"])


def test_reports_ensure_opens_reports_and_deadlines(world: World, s: Scenario) -> None:
    count = services.reports_ensure(today=TODAY)
    assert count == 9  # 3 bureaus × (October 月报表 + 半年 + 全年)
    assert services.reports_ensure(today=TODAY) == 9
    assert MonthlyReport.objects.filter(year=2026, month=10).count() == 3
    assert PeriodReport.objects.filter(year=2026).count() == 6
    kinds = set(Deadline.objects.filter(owner=world.orgs["b"]).values_list("kind", flat=True))
    assert {"monthly_report", "half_year_report", "annual_report"} <= kinds


def test_list_page(world: World, s: Scenario, django_assert_max_num_queries: Any) -> None:
    _open(world)
    client = world.client("a_admin")
    response = client.get("/oversight/reports/?year=2026")
    assert response.status_code == 200 and "2026年10月" in response.content.decode()
    assert client.post("/oversight/reports/new/", {"year": 2026, "month": 9}).status_code == 302
    assert MonthlyReport.objects.filter(owner=world.orgs["a"], month=9).exists()
    assert client.post("/oversight/reports/new/", {"year": 2026, "kind": "half_year"}).status_code == 302
    assert world.client("a_leader").post("/oversight/reports/new/", {"year": 2026, "month": 8}).status_code == 403
