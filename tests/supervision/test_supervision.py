"""Upper-level 专项督查 / 交叉检查 (issue 20 item 7): the city writes, each county sees and answers only its own
part; the 通报 (PDF/Word, 2FA) opens each 整改 answer's deadline in the reminder chain (提醒 → 督办 → 问责)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from docx import Document

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.workdays import WorkdayCalendar
from shuangsuiji.deadlines.calendar import get_calendar
from shuangsuiji.deadlines.models import Accountability, Deadline, DeadlineKind, Notification
from shuangsuiji.deadlines.reminders import deadlines_scan
from shuangsuiji.supervision import services
from shuangsuiji.supervision.documents import notice_docx, notice_pdf
from shuangsuiji.supervision.models import Campaign, CampaignPart, CampaignStatus, PartStatus
from tests.conftest import World
from tests.pdf_tools import pdf_text

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 11, 2), datetime.date(2026, 11, 20)


def _campaign(world: World, kind: str = "special", **kwargs: object) -> Campaign:
    return services.campaign_create(
        actor=world.users["city_admin"], kind=kind, title="2026年“双随机、一公开”监管工作专项督查",
        basis="检查年度计划、抽取、检查录入、结果公示和后续处置", window_start=START, window_end=END,
        bureaus=[world.orgs["a"], world.orgs["b"]], **kwargs,  # type: ignore[arg-type]
    )


def _issued(world: World) -> tuple[Campaign, CampaignPart, CampaignPart]:
    campaign = _campaign(world)
    services.campaign_open(actor=world.users["city_admin"], campaign=campaign)
    part_a = campaign.parts.get(bureau=world.orgs["a"])
    part_b = campaign.parts.get(bureau=world.orgs["b"])
    city = world.users["city_admin"]
    services.finding_add(actor=city, part=part_a, category="publication", description="3户抽查结果超过20个工作日才公示")
    services.finding_add(actor=city, part=part_a, category="followup", description="1件责令整改未复查")
    services.finding_add(actor=city, part=part_a, category="other", description="月报表报送较晚",
                         requires_rectification=False)
    for part, rating in ((part_a, "average"), (part_b, "good")):
        services.part_conclude(actor=city, part=part, checked_on=datetime.date(2026, 11, 10), rating=rating,
                               summary="查阅台账并抽查一企一表10份")
    services.campaign_issue(actor=city, campaign=campaign, notice_number="保卫监督〔2026〕12号",
                            summary="各县区总体按计划开展", requirements="", issued_on=datetime.date(2026, 11, 25))
    campaign.refresh_from_db()
    part_a.refresh_from_db()
    part_b.refresh_from_db()
    return campaign, part_a, part_b


def test_full_flow_with_deadline_return_and_close(world: World) -> None:
    campaign, part_a, part_b = _issued(world)
    assert campaign.status == CampaignStatus.ISSUED
    assert part_a.status == PartStatus.RECTIFYING and part_b.status == PartStatus.NO_ACTION
    deadline = Deadline.objects.get(kind=DeadlineKind.SUPERVISION_RECTIFICATION)
    assert deadline.owner == world.orgs["a"] and deadline.subject == part_a
    calendar: WorkdayCalendar = get_calendar()
    assert deadline.due_date == calendar.add_workdays(datetime.date(2026, 11, 25), 15).date == part_a.rectify_due
    # the county is told (notification to its 双随机办 and leader)
    assert Notification.objects.filter(recipient=world.users["a_admin"], title__contains="答复整改情况").exists()
    # answering needs every finding to rectify
    to_fix = list(part_a.findings.filter(requires_rectification=True))
    with pytest.raises(ApplicationError, match="逐项填写整改情况"):
        services.part_answer(actor=world.users["a_admin"], part=part_a, answer="已整改",
                             rectifications={to_fix[0].pk: "已补公示"})
    with pytest.raises(PermissionDeniedError):
        services.part_answer(actor=world.users["b_admin"], part=part_a, answer="x")
    with pytest.raises(PermissionDeniedError):
        services.part_answer(actor=world.users["city_admin"], part=part_a, answer="x")
    services.part_answer(actor=world.users["a_admin"], part=part_a, answer="已整改",
                         rectifications={f.pk: "已完成" for f in to_fix})
    deadline.refresh_from_db()
    assert deadline.completed_at is not None
    # the city returns it: the deadline reopens from today
    with pytest.raises(ApplicationError, match="退回须填写"):
        services.part_review(actor=world.users["city_admin"], part=part_a, accept=False)
    services.part_review(actor=world.users["city_admin"], part=part_a, accept=False, comment="复查记录未上传")
    deadline.refresh_from_db()
    part_a.refresh_from_db()
    assert deadline.completed_at is None and part_a.status == PartStatus.RETURNED and part_a.return_count == 1
    services.part_answer(actor=world.users["a_admin"], part=part_a, answer="已上传复查记录")
    services.part_review(actor=world.users["city_admin"], part=part_a, accept=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    events = set(AuditEntry.objects.filter(event__startswith="supervision").values_list("event", flat=True))
    assert {"supervision.create", "supervision.open", "supervision.finding_add", "supervision.conclude",
            "supervision_notice.publish", "supervision.answer", "supervision.review"} <= events


def test_overdue_answer_goes_through_the_reminder_chain(world: World) -> None:
    _issued(world)
    deadline = Deadline.objects.get(kind=DeadlineKind.SUPERVISION_RECTIFICATION)
    calendar = get_calendar()
    deadlines_scan(today=deadline.remind_on, send_emails=False)
    assert Notification.objects.filter(deadline=deadline, kind="reminder").exists()
    overdue = calendar.add_workdays(deadline.due_date, 1).date
    deadlines_scan(today=overdue, send_emails=False)
    deadline.refresh_from_db()
    assert hasattr(deadline, "supervision")  # 督办 opened on the county's deadline
    late = calendar.add_workdays(deadline.due_date, 7).date
    deadlines_scan(today=late, send_emails=False)
    assert Accountability.objects.filter(deadline=deadline).exists()  # 问责 once long overdue


def test_scope_county_sees_only_its_part(world: World) -> None:
    campaign = _campaign(world)
    # before it is opened the counties do not see it
    assert not services.campaign_list(actor=world.users["a_admin"]).exists()
    services.campaign_open(actor=world.users["city_admin"], campaign=campaign)
    part_a = campaign.parts.get(bureau=world.orgs["a"])
    part_b = campaign.parts.get(bureau=world.orgs["b"])
    services.finding_add(actor=world.users["city_admin"], part=part_b, category="draw", description="未双人确认")
    assert list(services.parts_for(actor=world.users["a_admin"], campaign=campaign)) == [part_a]
    assert set(services.parts_for(actor=world.users["city_supervisor"], campaign=campaign)) == {part_a, part_b}
    a = world.client("a_admin")
    assert a.get(f"/supervision/parts/{part_b.pk}/").status_code == 404
    assert a.get(f"/supervision/parts/{part_a.pk}/").status_code == 200
    # findings are the city's working notes until the 通报
    assert "未双人确认" not in world.client("b_admin").get(f"/supervision/parts/{part_b.pk}/").content.decode()
    assert "未双人确认" in world.client("city_admin").get(f"/supervision/parts/{part_b.pk}/").content.decode()
    for key in ("a_admin", "city_supervisor", "a_leader"):
        with pytest.raises(PermissionDeniedError):
            services.finding_add(actor=world.users[key], part=part_a, category="other", description="x")
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(actor=world.users["a_admin"], kind="special", title="t", basis="b",
                                 window_start=START, window_end=END, bureaus=[world.orgs["b"]])
    with pytest.raises(ApplicationError, match="尚未登记督查情况"):
        services.campaign_issue(actor=world.users["city_admin"], campaign=campaign, notice_number="1号", summary="s",
                                requirements="")


def test_cross_check_needs_a_checker_other_than_itself(world: World) -> None:
    with pytest.raises(ApplicationError, match="指定检查单位"):
        _campaign(world, kind="cross")
    with pytest.raises(ApplicationError, match="不能检查本单位"):
        _campaign(world, kind="cross", checked_by={world.orgs["a"].pk: world.orgs["a"], world.orgs["b"].pk: world.orgs["a"]})
    campaign = _campaign(world, kind="cross", checked_by={world.orgs["a"].pk: world.orgs["b"],
                                                          world.orgs["b"].pk: world.orgs["a"]})
    assert campaign.parts.get(bureau=world.orgs["a"]).checked_by == world.orgs["b"]
    with pytest.raises(ApplicationError, match="结束日期不能早于"):
        services.campaign_create(actor=world.users["city_admin"], kind="special", title="t", basis="b",
                                 window_start=END, window_end=START, bureaus=[world.orgs["a"]])


def test_notice_documents(world: World) -> None:
    campaign, _, _ = _issued(world)
    text = pdf_text(notice_pdf(campaign))
    for expected in ("通报", "保卫监督〔2026〕12号", "莲池区卫生健康局", "3户抽查结果超过20个工作日才公示", "三、整改要求"):
        assert expected in text, expected
    document = Document(io.BytesIO(notice_docx(campaign)))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "1件责令整改未复查" in words and "{{" not in words


def test_pages_with_second_factor_and_api(world: World) -> None:
    city = world.client("city_admin")
    response = city.post("/supervision/new/", {
        "kind": "special", "title": "专项督查", "basis": "依据", "window_start": "2026-11-02", "window_end": "2026-11-20",
        "rectify_workdays": "10", "bureaus": [str(world.orgs["a"].pk)],
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    bad = city.post("/supervision/new/", {"kind": "special", "title": "x", "basis": "y", "window_start": "2026-13-01",
                                          "window_end": "2026-11-20", "bureaus": [str(world.orgs["a"].pk)]})
    assert "不是有效日期" in bad.content.decode()
    city.post(f"/supervision/{campaign.pk}/do/open/")
    part = campaign.parts.get()
    city.post(f"/supervision/parts/{part.pk}/do/finding/", {"category": "plan", "description": "计划未公示",
                                                           "requires_rectification": "on"})
    city.post(f"/supervision/parts/{part.pk}/do/conclude/", {"checked_on": "2026-11-10", "rating": "fair",
                                                            "summary": "总体较好"})
    unverified = world.client("city_admin", verified=False)
    unverified.post(f"/supervision/{campaign.pk}/do/issue/", {"notice_number": "1号", "summary": "s"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN  # 印发通报 needs the second factor
    city.post(f"/supervision/{campaign.pk}/do/issue/", {"notice_number": "1号", "summary": "s"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ISSUED
    assert city.get(f"/supervision/{campaign.pk}/notice.pdf").content.startswith(b"%PDF")
    a = world.client("a_admin")
    page = a.get(f"/supervision/parts/{part.pk}/").content.decode()
    assert "计划未公示" in page and "提交整改答复" in page
    finding = part.findings.get()
    a.post(f"/supervision/parts/{part.pk}/do/answer/", {"answer": "已公示", f"fix-{finding.pk}": "已在官网公示"})
    part.refresh_from_db()
    assert part.status == PartStatus.ANSWERED
    # API: the county reads its part; the other county gets 404; the city accepts
    got = a.get(f"/api/supervision/campaigns/{campaign.pk}").json()
    assert got["parts"][0]["findings"][0]["rectification"] == "已在官网公示"
    assert world.client("b_admin").get(f"/api/supervision/campaigns/{campaign.pk}").status_code == 404
    refused = a.post(f"/api/supervision/parts/{part.pk}/review", json.dumps({"accept": True}),
                     content_type="application/json")
    assert refused.status_code == 403
    ok = city.post(f"/api/supervision/parts/{part.pk}/review", json.dumps({"accept": True}),
                   content_type="application/json")
    assert ok.json()["status"] == "accepted"
