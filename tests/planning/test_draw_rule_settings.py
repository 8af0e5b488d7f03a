"""Draw rule settings and coverage floors: service validation, inheritance, the page (issue 18 "Bad input")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.planning import rule_services
from shuangsuiji.planning.models import CoverageFloor, DrawRuleSettings
from shuangsuiji.planning.rules import DEFAULTS, bureau_rules, coverage_floor, task_rules
from tests.conftest import World
from tests.draws.factories import make_task

pytestmark = pytest.mark.django_db

GOOD = {"cycle_years": 4, "cycle_mode": "ensure", "cycle_start_year": 2025, "general_cap_percent": Decimal("25")}


def test_defaults_then_own_settings_then_inherited_by_a_lower_bureau(world: World) -> None:
    assert bureau_rules(world.orgs["a"]) == DEFAULTS
    rule_services.draw_rules_save(actor=world.users["city_admin"], organization=world.orgs["city"], data=GOOD)
    inherited = bureau_rules(world.orgs["a"])
    assert inherited.cycle_years == 4 and "保定市卫生健康委员会" in inherited.source
    rule_services.draw_rules_save(actor=world.users["a_admin"], organization=world.orgs["a"], data={"cycle_years": 3})
    own = bureau_rules(world.orgs["a"])
    assert own.cycle_years == 3 and own.source == "本单位设置" and own.general_cap == Decimal("25")
    assert AuditEntry.objects.filter(event="draw_rules.save").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cycle_years": 6}, "全覆盖周期须为 3—5 年"),
        ({"cycle_years": 2}, "全覆盖周期须为 3—5 年"),
        ({"general_cap_percent": "2"}, "低于最低抽查比例 3%"),
        ({"general_cap_percent": "120"}, "0%—100%"),
        ({"key_specialties": ["nonexistent"]}, "非请勿扰除外的专业不存在"),
        ({"mandatory_flags": ["bad_flag"]}, "未知的必查风险标记"),
        ({"cycle_years": 9, "general_cap_percent": "1"}, "现为『9』；一般事项抽查比例上限 1% 低于最低抽查比例 3%"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(world: World, data: dict, message: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        rule_services.draw_rules_save(actor=world.users["a_admin"], organization=world.orgs["a"], data=data)
    assert message in caught.value.message
    assert not DrawRuleSettings.objects.exists()


def test_cap_below_a_raised_floor_and_floor_above_cap_are_contradictions(world: World) -> None:
    rule_services.coverage_floor_set(
        actor=world.users["a_admin"], region=world.regions["a"], level="annual", percent="5", basis="莲池 2023"
    )
    assert coverage_floor(world.regions["a"], "annual").percent == Decimal("5")
    assert coverage_floor(world.regions["b"], "annual").percent == Decimal("3")
    with pytest.raises(ApplicationError, match="低于最低抽查比例 5%"):
        rule_services.draw_rules_save(
            actor=world.users["a_admin"], organization=world.orgs["a"], data={"general_cap_percent": "4"}
        )
    with pytest.raises(ApplicationError, match="高于本单位一般事项抽查比例上限 30%"):
        rule_services.coverage_floor_set(actor=world.users["a_admin"], region=world.regions["a"], level="annual",
                                         percent="40")
    assert CoverageFloor.objects.get().percent == Decimal("5")


def test_only_the_bureaus_program_admin_may_change_rules(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        rule_services.draw_rules_save(actor=world.users["a_staff"], organization=world.orgs["a"], data=GOOD)
    with pytest.raises(PermissionDeniedError):
        rule_services.draw_rules_save(actor=world.users["b_admin"], organization=world.orgs["a"], data=GOOD)
    with pytest.raises(PermissionDeniedError):
        rule_services.coverage_floor_set(actor=world.users["b_admin"], region=world.regions["a"], level="joint",
                                         percent="5")


def test_rules_page_shows_rules_and_refuses_bad_input_with_chinese_errors(world: World) -> None:
    client = world.client("a_admin")
    url = reverse("planning:draw_rules")
    page = client.get(url).content.decode()
    assert "系统默认" in page and "5 年" in page and "非请勿扰" in page
    bad = {"form": "rules", "cycle_years": "7", "cycle_mode": "prefer", "cycle_start_year": "2026",
           "general_cap_percent": "30", "flag_lookback_years": "1", "mandatory_flags": ["complaints"]}
    response = client.post(url, bad)
    assert response.status_code == 200 and "全覆盖周期须为 3—5 年" in response.content.decode()
    assert not DrawRuleSettings.objects.exists()
    good = {**bad, "cycle_years": "3", "do_not_disturb": "on", "key_specialties": ["medical"]}
    assert client.post(url, good).status_code == 302
    saved = DrawRuleSettings.objects.get(organization=world.orgs["a"])
    assert saved.cycle_years == 3 and saved.key_specialties == ["medical"] and saved.mandatory_flags == ["complaints"]
    floor = client.post(url, {"form": "floor", "region": world.regions["a"].pk, "level": "joint", "percent": "0"})
    assert "最低抽查比例须在 0%—100% 之间" in floor.content.decode()
    # read-only for staff: no form
    assert "保存抽取规则" not in world.client("a_staff").get(url).content.decode()


def test_task_page_and_scheme_show_the_rules(world: World) -> None:
    task = make_task(world)
    rules = task_rules(task, today=timezone.localdate())
    assert rules.do_not_disturb and rules.general_cap == Decimal("30")
    page = world.client("a_admin").get(task.get_absolute_url()).content.decode()
    assert "全覆盖周期：5 年" in page and "一般事项抽查比例上限：30%" in page
    from shuangsuiji.planning.scheme_template import scheme_default_body

    body = scheme_default_body(task)
    assert "全覆盖周期：5 年" in body and "非请勿扰" in body and "以来具有以下风险标记的对象必须检查" in body
