"""The mines demo (demo/mines.py, issue 18 items 1/4 and issue 20 item 8) on the real demo: the 全覆盖 line, the
region weights and the ensure mode of the adjusted city plan, a complaint and an imported 经营异常名录, and the
stored draw listing its mandatory mines with their reasons; then issue 18's "Done means" over every stored draw."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from shuangsuiji.accounts.models import User
from shuangsuiji.demo import load_demo
from shuangsuiji.demo.mines import ADJUST_REASON, MINES, mine_summary
from shuangsuiji.directory.models import FlagStatus, Target, TargetFlagRecord
from shuangsuiji.directory.models_flags import FlagListImport
from shuangsuiji.draws.models import TargetDraw
from shuangsuiji.planning.models import AnnualPlan, PlanStatus
from tests.conftest import mark_otp_verified

TODAY = datetime.date(2026, 11, 25)


@pytest.mark.django_db
def test_mines_demo_and_every_stored_draw_records_the_rules(db: Any, settings: Any) -> None:
    load_demo(size=800, inspectors=100, today=TODAY, log=lambda _: None)
    mines = Target.objects.filter(owner__code="130600-WJ", specialties__code="occupational", code__contains="MA0KM")
    assert mines.count() == len(MINES)

    # the adjusted city plan: 全覆盖 line of the mines, region weights, ensure mode
    plan = AnnualPlan.objects.get(owner__code="130600-WJ", adjustment_reason=ADJUST_REASON)
    assert plan.status == PlanStatus.PUBLISHED and plan.previous is not None
    assert plan.cycle_mode == "ensure" and plan.region_weights == {"130630": "2", "130633": "1.5"}
    line = plan.lines.get(item__code="WJ-ZYWS-03")
    assert line.coverage_rule == "full" and line.item.kind == "key" and "矿业" in line.target_keywords

    # dated flags: a complaint by hand, an imported list (3 mines, 4 codes not in the 名录库)
    imported = FlagListImport.objects.get(owner__code="130600-WJ")
    assert (imported.matched_count, len(imported.unmatched), imported.ended_count) == (3, 4, 1)
    removed = TargetFlagRecord.objects.get(list_import=imported, status=FlagStatus.ENDED)
    complaint = TargetFlagRecord.objects.get(target__in=mines, source="complaint")

    # the stored draw of the 职业卫生 task lists the mandatory mines with their dated reasons
    summary = mine_summary()
    draw = summary["draw"]
    assert draw is not None and draw.status == "confirmed"
    params = draw.record["params"]
    assert params["coverage_cycle"]["mode"] == "ensure" and params["weighting"]["by"] == "risk_score"
    mandatory = summary["mandatory"]
    assert complaint.target.code in mandatory and "12345热线转办" in mandatory[complaint.target.code][0]
    listed = [code for code, reasons in mandatory.items() if "经营异常名录" in reasons[0]]
    assert len(listed) == 2 and removed.target.code not in mandatory  # 移出 before last year
    assert any("涞源县 ×2" in line for line in draw.rules["lines"])
    selected = set(draw.selections.values_list("target__code", flat=True))
    assert set(mandatory) <= selected

    # pages: the draw lists the reasons; the target page shows the dated flags and that the mine is 必查
    settings.SSJ_REQUIRE_2FA = False
    from django.test import Client

    client = Client()
    admin = User.objects.get(username="city_admin")
    client.force_login(admin)
    mark_otp_verified(client, admin)
    page = client.get(draw.get_absolute_url()).content.decode()
    assert "12345热线转办" in page and "国家企业信用信息公示系统（河北）" in page
    page = client.get(f"/directory/targets/{complaint.target.pk}/").content.decode()
    assert "在今天的抽取中为必查对象" in page and "12345热线转办" in page
    page = client.get(f"/directory/flag-lists/{imported.pk}/").content.decode()
    assert "易县恒通物流有限公司" in page
    assert "全覆盖" in client.get(f"/planning/plans/{plan.pk}/").content.decode()

    # issue 18 "Done means": every stored draw records the cycle, 非请勿扰 and the mandatory flags; 一般: the cap
    for stored in TargetDraw.objects.exclude(record={}):
        p = stored.record["params"]
        assert {"start", "years", "mode"} <= set(p["coverage_cycle"]), stored.task.title
        assert p["do_not_disturb"]["mode"] in {"exclude", "off"} and len(p["mandatory_flags"]) == 6
        if p["item_kind"] == "一般":
            assert p["general_ratio_cap"], stored.task.title

    again = load_demo(size=800, inspectors=100, today=TODAY, log=lambda _: None)
    assert again.created == {}
