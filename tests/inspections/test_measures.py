"""提醒、约谈、记分 of inspected targets in the follow-up ledger; 不良行为记分 of a 医疗机构 with the result of the
传染病防治分类监督综合评价; counted on the dashboard and in the 月报表."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.inspections.measures import measure_record, points_in_year
from shuangsuiji.inspections.services import record_review, record_submit_result
from shuangsuiji.oversight.dashboard import Period
from shuangsuiji.oversight.measure_stats import measure_figures, measure_text
from tests.conftest import World
from tests.inspections.factories import entry_for, generated

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 24)


def _approved(world: World):  # type: ignore[no-untyped-def]
    _, hotel, clinic = generated(world)
    for record in (hotel, clinic):
        record = record_submit_result(actor=world.users["a_admin"], record=record, entry=entry_for(record))
        record_review(actor=world.users["a_staff"], record=record, approve=True)
    hotel.refresh_from_db()
    clinic.refresh_from_db()
    return hotel, clinic


def test_measures_and_scoring(world: World) -> None:
    hotel, clinic = _approved(world)
    reminder = measure_record(actor=world.users["a_admin"], record=hotel, kind="reminder", occurred_on=DAY,
                              content="书面提醒落实从业人员健康管理", outcome="已签收，承诺10日内整改")
    assert reminder.kind_label == "提醒"
    with pytest.raises(ApplicationError, match="约谈对象"):
        measure_record(actor=world.users["a_admin"], record=hotel, kind="interview", occurred_on=DAY,
                       content="约谈", outcome="承诺整改")
    measure_record(actor=world.users["a_admin"], record=hotel, kind="interview", occurred_on=DAY,
                   participants="法定代表人 王某", content="约谈负责人", outcome="承诺整改并于12月复查")
    # a 医疗机构 (the clinic has the 医疗 专业): its 记分 needs the evaluation form's result
    with pytest.raises(ApplicationError, match="传染病防治分类监督综合评价"):
        measure_record(actor=world.users["a_admin"], record=clinic, kind="scoring", occurred_on=DAY, points=3,
                       content="医疗废物处置不规范", outcome="已整改")
    with pytest.raises(ApplicationError, match="1—12分"):
        measure_record(actor=world.users["a_admin"], record=clinic, kind="scoring", occurred_on=DAY, points=13,
                       content="x", outcome="y", evaluation_grade="key", evaluation_score=Decimal("58"))
    scored = measure_record(actor=world.users["a_admin"], record=clinic, kind="scoring", occurred_on=DAY, points=3,
                            content="医疗废物处置不规范", outcome="已整改", evaluation_grade="key",
                            evaluation_score=Decimal("58.5"))
    assert scored.kind_label == "不良行为记分" and points_in_year(clinic.target_id, 2026) == 3
    with pytest.raises(PermissionDeniedError):
        measure_record(actor=world.users["b_admin"], record=hotel, kind="reminder", occurred_on=DAY, content="x",
                       outcome="y")
    with pytest.raises(ApplicationError, match="不能晚于今天"):
        measure_record(actor=world.users["a_admin"], record=hotel, kind="reminder",
                       occurred_on=datetime.date(2026, 12, 30), content="x", outcome="y")
    assert AuditEntry.objects.filter(event="inspection.measure_record").count() == 3

    period = Period.month(2026, 11)
    rows = {r.kind: r for r in measure_figures([world.orgs["a"].pk], period)}
    assert (rows["reminder"].count, rows["interview"].count, rows["scoring"].count, rows["scoring"].points) == (1, 1, 1, 3)
    assert measure_text([world.orgs["a"].pk], period) == "本月对检查对象提醒1次（1户）、约谈1次（1户）、记分1次（1户，共3分）"


def test_measures_refused_before_review_and_pages_api(world: World) -> None:
    _, hotel, clinic = generated(world)
    with pytest.raises(ApplicationError, match="审核通过后"):
        measure_record(actor=world.users["a_admin"], record=hotel, kind="reminder", occurred_on=DAY, content="x",
                       outcome="y")
    hotel, clinic = _approved_again(world, hotel, clinic)
    client = world.client("a_admin")
    reply = client.post(f"/inspections/records/{clinic.pk}/measures/", {
        "kind": "scoring", "occurred_on": DAY.isoformat(), "content": "消毒隔离制度落实不到位", "outcome": "已整改",
        "points": 2, "evaluation_grade": "qualified", "evaluation_score": "78",
    })
    assert reply.status_code == 302
    page = client.get(f"/inspections/records/{clinic.pk}/").content.decode()
    assert "不良行为记分" in page and "综合评价：合格（78.0分）" in page
    created = client.post(f"/api/inspections/records/{hotel.pk}/measures", {
        "kind": "interview", "occurred_on": DAY.isoformat(), "participants": "负责人", "content": "约谈",
        "outcome": "承诺整改"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["kind_label"] == "约谈"
    assert len(client.get(f"/api/inspections/records/{hotel.pk}/measures").json()) == 1
    assert world.client("b_admin").get(f"/api/inspections/records/{hotel.pk}/measures").status_code == 404
    board = client.get("/oversight/dashboard/?year=2026").content.decode()
    assert "检查对象责任落实" in board


def _approved_again(world: World, hotel, clinic):  # type: ignore[no-untyped-def]
    for record in (hotel, clinic):
        record = record_submit_result(actor=world.users["a_admin"], record=record, entry=entry_for(record))
        record_review(actor=world.users["a_staff"], record=record, approve=True)
    hotel.refresh_from_db()
    clinic.refresh_from_db()
    return hotel, clinic
