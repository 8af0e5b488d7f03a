"""Required coverage checked where it is decided (issue 18 item 5) and the 平顶山/玉溪 plan rules (issue 20 item 8)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, ItemKind, ItemStatus, Specialty, Target
from shuangsuiji.planning import rule_services, services
from shuangsuiji.planning.coverage import inspected_counts, joint_estimate, plan_estimate
from shuangsuiji.planning.models import AnnualPlan, JointPlanStatus, PlanStatus
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _targets(world: World, specialty: str, n: int, *, risk: str = "B", prefix: str = "对象", key: str = "a") -> list[Target]:
    spec = Specialty.objects.get(code=specialty)
    made = []
    for i in range(n):
        code = f"L:{specialty}-{prefix}-{i}"
        t = Target.objects.create(owner=world.orgs[key], code=code, name=f"{prefix}{i}", region=world.regions[key],
                                  risk_class=risk)
        t.specialties.set([spec])
        made.append(t)
    return made


def _item(world: World, code: str, specialty: str, kind: str = ItemKind.GENERAL) -> CheckItem:
    return CheckItem.objects.create(
        owner=world.orgs["a"], code=code, specialty=Specialty.objects.get(code=specialty), name=f"事项{code}",
        legal_basis="依据", subject="莲池区卫生健康局", status=ItemStatus.PUBLISHED, kind=kind,
    )


def _plan(world: World) -> AnnualPlan:
    plan = services.plan_create(actor=world.users["a_admin"], year=2026, title="2026年度计划")
    for item in CheckItem.objects.filter(owner=world.orgs["a"]):
        if not plan.lines.filter(item=item).exists():
            services.plan_uncovered_save(actor=world.users["a_admin"], plan=plan, item=item, reason="测试未纳入")
    return plan


def test_expected_share_counts_each_target_once_and_applies_cap_and_mandatory(world: World) -> None:
    _targets(world, "public_places", 99)  # + the world's own public-places target: 100 B targets
    flagged = _targets(world, "public_places", 2, risk="B", prefix="受罚")
    for t in flagged:
        Target.objects.filter(pk=t.pk).update(risk_flags=["penalized"])
    plan = _plan(world)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=world.items["a"],
                            ratios={"A": 1, "B": 50, "C": 10, "D": 30})
    estimate = plan_estimate(plan, project=False)
    # B 50% capped at 30% for a 一般 item: 30 of 100, plus the 2 mandatory = 32 of 102
    assert estimate.register == 102
    assert round(estimate.expected, 6) == 32
    assert estimate.share_percent == Decimal("31.37") and not estimate.below_floor


def test_plan_below_floor_needs_a_justification_recorded_in_history(world: World) -> None:
    _targets(world, "public_places", 99)
    plan = _plan(world)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=world.items["a"],
                            ratios={"A": 1, "B": 2, "C": 10, "D": 30})
    with pytest.raises(ApplicationError, match="低于最低抽查比例 3%") as caught:
        services.plan_transition(actor=world.users["a_admin"], plan=plan, action="submit")
    assert caught.value.extra["coverage_problems"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.steps.exists()
    plan = services.plan_transition(actor=world.users["a_admin"], plan=plan, action="submit",
                                    justification="下半年另有专项检查")
    step = plan.steps.get(action="submit")
    assert "下半年另有专项检查" in step.comment and plan.coverage_justification == "下半年另有专项检查"
    # a higher floor for the region raises the bar
    rule_services.coverage_floor_set(actor=world.users["a_admin"], region=world.regions["a"], level="annual",
                                     percent="1.5")
    assert not plan_estimate(plan, project=False).below_floor


def test_full_coverage_line_pingdingshan(world: World) -> None:
    _targets(world, "occupational", 6, prefix="某煤矿")
    _targets(world, "occupational", 20, prefix="机械厂")
    general = _item(world, "ZY-01", "occupational")
    plan = _plan(world)
    # contradiction: a capped 一般 item cannot require 100% — refused, nothing saved
    with pytest.raises(ApplicationError, match="与“全覆盖（100%）”要求矛盾"):
        services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=general, ratios={"A": 5, "B": 5, "C": 5, "D": 5},
                                coverage_rule="full", target_keywords="煤矿、矿山")
    assert not plan.lines.filter(item=general).exists()
    key = _item(world, "ZY-02", "occupational", ItemKind.KEY)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=key, ratios={"A": 5, "B": 5, "C": 5, "D": 5},
                            coverage_rule="full", target_keywords="煤矿、矿山")
    check = next(c for c in plan_estimate(plan, project=False).line_checks if c.line.item == key)
    assert check.required == 6 and check.planned == 6 and check.ok and check.done == 0
    # progress: two mines inspected this year
    mines = Target.objects.filter(name__startswith="某煤矿")[:2]
    for t in mines:
        t.last_inspected_on = datetime.date(2026, 5, 1)
        t.save()
    check = next(c for c in plan_estimate(plan, project=False).line_checks if c.line.item == key)
    assert check.done == 2 and round(check.progress_percent) == 33
    # the same through the API: the line's rule and the plan's checks with their progress
    client = world.client("a_admin")
    lines = client.get(f"/api/planning/plans/{plan.pk}").json()["lines"]
    assert {(x["item_code"], x["coverage_rule"], x["target_keywords"]) for x in lines} >= {("ZY-02", "full", "煤矿、矿山")}
    checks = client.get(f"/api/planning/plans/{plan.pk}/rule-checks").json()
    assert [(c["item_code"], c["required"], c["planned"], c["done"], c["ok"], c["progress_percent"]) for c in checks] == [
        ("ZY-02", 6, 6, 2, True, 33.3)]
    assert world.client("b_admin").get(f"/api/planning/plans/{plan.pk}/rule-checks").status_code == 404


def test_not_below_last_years_count(world: World) -> None:
    targets = _targets(world, "occupational", 40, prefix="用人单位")
    for t in targets[:10]:  # ten inspected in 2025 (one of them again in 2026: still counts for 2025)
        t.last_inspected_on = datetime.date(2025, 6, 1)
        t.save()
    targets[0].last_inspected_on = datetime.date(2026, 3, 1)
    targets[0].save()
    assert inspected_counts(world.orgs["a"], "occupational", 2025) == 10
    item = _item(world, "ZY-03", "occupational")
    plan = _plan(world)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=item, ratios={"A": 5, "B": 5, "C": 5, "D": 5},
                            coverage_rule="last_year")
    estimate = plan_estimate(plan, project=False)
    check = estimate.line_checks[0]
    assert check.required == 10 and check.planned == 2 and not check.ok
    assert any("不低于上年检查数量 10 户" in p for p in estimate.problems())
    [api_check] = world.client("a_admin").get(f"/api/planning/plans/{plan.pk}/rule-checks").json()
    assert (api_check["required"], api_check["ok"]) == (10, False) and "不低于上年检查数量 10 户" in api_check["message"]
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=item, ratios={"A": 30, "B": 30, "C": 30, "D": 30},
                            coverage_rule="last_year")
    assert plan_estimate(plan, project=False).line_checks[0].ok


def test_projection_by_year_reaches_full_coverage_within_the_cycle(world: World) -> None:
    _targets(world, "public_places", 199)
    plan = _plan(world)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=world.items["a"],
                            ratios={"A": 20, "B": 20, "C": 20, "D": 20})
    projection = plan_estimate(plan).projection
    assert [p["calendar_year"] for p in projection] == [2026, 2027, 2028, 2029, 2030]
    # 20% a year, not-yet-covered first: 20%, 40%, … 100% after five years
    assert [p["percent"] for p in projection] == [20.0, 40.0, 60.0, 80.0, 100.0]


def test_plan_rules_cycle_and_region_weights(world: World) -> None:
    plan = _plan(world)
    with pytest.raises(ApplicationError, match="全覆盖周期须为 3—5 年"):
        rule_services.plan_rules_save(actor=world.users["a_admin"], plan=plan, cycle_years=8)
    with pytest.raises(ApplicationError, match="不在本单位辖区内"):
        rule_services.plan_rules_save(actor=world.users["a_admin"], plan=plan, region_weights={"130630": "2"})
    with pytest.raises(ApplicationError, match="须在 0.1—10 之间"):
        rule_services.plan_rules_save(actor=world.users["a_admin"], plan=plan, region_weights={"130606": "50"})
    with pytest.raises(ApplicationError, match="格式应为"):
        rule_services.parse_region_weights("莲池区")
    weights = rule_services.parse_region_weights("莲池区:2")
    plan = rule_services.plan_rules_save(actor=world.users["a_admin"], plan=plan, cycle_years=3, region_weights=weights)
    assert plan.cycle_years == 3 and plan.region_weights == {"130606": "2"}
    client = world.client("a_admin")
    response = client.post(f"/planning/plans/{plan.pk}/rules/", {"cycle_years": "6", "region_weights": ""})
    assert "全覆盖周期须为 3—5 年" in response.content.decode()
    plan.refresh_from_db()
    assert plan.cycle_years == 3


def test_joint_plan_ratios_per_risk_class_and_floor(world: World) -> None:
    _targets(world, "public_places", 99)
    admin = world.users["a_admin"]
    window = {"window_start": datetime.date(2026, 7, 20), "window_end": datetime.date(2026, 10, 30)}
    with pytest.raises(ApplicationError, match="请填写C类对象的抽查比例"):
        services.joint_plan_create(actor=admin, participants=[world.orgs["a_culture"]], owner_items=[world.items["a"]],
                                   data={"title": "联合", "year": 2026, "target_scope": "x", "ratios": {"A": 5, "B": 5},
                                         **window})
    joint = services.joint_plan_create(
        actor=admin, participants=[world.orgs["a_culture"]], owner_items=[world.items["a"]],
        data={"title": "联合抽查计划", "year": 2026, "target_scope": "x", "ratios": {"A": 1, "B": 2, "C": 10, "D": 20},
              **window},
    )
    assert joint.ratios == {"A": 1.0, "B": 2.0, "C": 10.0, "D": 20.0} and joint.ratio_percent == Decimal("1")
    rule_services.coverage_floor_set(actor=admin, region=world.regions["a"], level="joint", percent="5",
                                     basis="莲池 2023：抽查比例5%以上")
    assert joint_estimate(joint).below_floor
    with pytest.raises(ApplicationError, match="低于最低抽查比例 5%"):
        services.joint_plan_send(actor=admin, joint_plan=joint)
    joint = services.joint_plan_update(actor=admin, joint_plan=joint, data={"ratios": {"A": 5, "B": 5, "C": 10, "D": 20}})
    joint = services.joint_plan_send(actor=admin, joint_plan=joint)
    assert joint.status == JointPlanStatus.CONFIRMING
    services.joint_participant_confirm(actor=world.users["a_culture"], participant=joint.participants.get(
        organization=world.orgs["a_culture"]), item_titles="娱乐场所检查")
    joint.refresh_from_db()
    joint = services.joint_plan_publish(actor=admin, joint_plan=joint)
    task = services.task_create_from_joint_plan(actor=admin, joint_plan=joint, data={})
    assert task.ratios == {"A": 5.0, "B": 5.0, "C": 10.0, "D": 20.0}
    page = world.client("a_admin").get(joint.get_absolute_url()).content.decode()
    assert "A类 5%、B类 5%、C类 10%、D类 20%" in page


def test_dashboard_shows_rule_progress(world: World) -> None:
    _targets(world, "occupational", 4, prefix="某职业卫生技术服务公司")
    key = _item(world, "ZY-09", "occupational", ItemKind.KEY)
    plan = _plan(world)
    services.plan_line_save(actor=world.users["a_admin"], plan=plan, item=key, ratios={"A": 5, "B": 5, "C": 5, "D": 5},
                            coverage_rule="full", target_keywords="职业卫生技术服务")
    one = Target.objects.filter(name__startswith="某职业卫生技术服务公司").first()
    assert one is not None
    one.last_inspected_on = datetime.date(2026, 4, 1)
    one.save()
    page = world.client("a_admin").get("/oversight/dashboard/?year=2026").content.decode()
    assert "计划覆盖要求完成进度" in page and "事项ZY-09（职业卫生技术服务）" in page and "25%" in page
