"""The source documents' rules in the application's own draws (issue 18): through the services and pages."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from shuangsuiji.core.draw import read_pool_csv, run_draw, selected_ids, verify_record
from shuangsuiji.directory import flag_services
from shuangsuiji.directory.models import CheckItem, FlagSource, ItemKind, Specialty, Target
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawnTarget, TargetDraw
from shuangsuiji.draws.rules import batch_order
from shuangsuiji.planning.models import AnnualPlan, AnnualPlanLine, DrawRuleSettings, NationalTask
from tests.conftest import World
from tests.draws.factories import add_inspectors, add_targets, drawn, make_task

pytestmark = pytest.mark.django_db


def _selected(draw: TargetDraw) -> dict[str, str]:
    return dict(DrawnTarget.objects.filter(draw=draw).values_list("target__code", "reason"))


def test_default_draw_records_cycle_do_not_disturb_cap_and_all_mandatory_flags(world: World) -> None:
    add_targets(world)
    task = make_task(world, mandatory_flags=sorted(["abnormal_list", "blacklist", "complaints", "incident",
                                                    "penalized", "sampling_failed"]))
    draw = drawn(world, task)
    params = draw.record["params"]
    year = timezone.localdate().year
    assert params["coverage_cycle"] == {"start": f"{year - 4}-01-01", "years": 5, "mode": "prefer"}
    assert params["do_not_disturb"]["mode"] == "exclude"
    assert params["do_not_disturb"]["key_specialties"] == ["drinking_water", "medical", "tableware_disinfection"]
    assert params["general_ratio_cap"] == "3/10" and params["item_kind"] == "一般"
    assert len(params["mandatory_flags"]) == 6
    # the public record verifies with the frozen pool (what `ssj draw verify` does)
    pool = read_pool_csv(Path(settings.VAR_DIR) / "draws" / draw.pool_file)
    assert verify_record(draw.record, pool).ok
    # 非请勿扰: the 10 A类 targets without flags are excluded; A类 quota therefore drawn from nobody
    a_stratum = next(s for s in draw.record["strata"] if s["key"] == "A")
    assert a_stratum["excluded_do_not_disturb"] == 10 and a_stratum["eligible"] == 0


def test_do_not_disturb_spares_key_specialties_flagged_and_adverse_targets(world: World) -> None:
    medical = Specialty.objects.get(code="medical")
    targets = add_targets(world, counts={"A": 6})
    targets[0].specialties.add(medical)  # key 专业: never left alone
    Target.objects.filter(pk=targets[1].pk).update(last_result="发现问题已责令改正")  # adverse record
    flag_services.record_flag(actor=None, target=targets[2], flag="complaints", source=FlagSource.COMPLAINT,
                              occurred_on=timezone.localdate(), reference="投诉2026-001")
    task = make_task(world, ratios={"A": 30, "B": 30, "C": 30, "D": 30}, mandatory_flags=["complaints"])
    draw = drawn(world, task)
    a_stratum = next(s for s in draw.record["strata"] if s["key"] == "A")
    # 1 world target + 6 new A targets: the mandatory one (complaint) and the two spared are not excluded
    assert a_stratum["mandatory"] == 1
    assert a_stratum["excluded_do_not_disturb"] == a_stratum["size"] - 3


def test_national_task_and_key_items_are_not_left_alone(world: World) -> None:
    add_targets(world)
    national = NationalTask.objects.create(
        owner=world.orgs["a"], code="GJ-1", title="国家随机监督抽查", year=2026,
        specialty=Specialty.objects.get(code="public_places"), item_names="公共场所", scope_text="辖区",
        window_start=datetime.date(2026, 3, 1), window_end=datetime.date(2026, 3, 31),
    )
    task = make_task(world, national_task=national, ratios={"A": 10, "B": 10, "C": 10, "D": 10})
    draw = drawn(world, task)
    assert draw.record["params"]["do_not_disturb"]["mode"] == "off"
    assert any("上级下达任务" in line for line in draw.rules["lines"])

    key_item = CheckItem.objects.create(
        owner=world.orgs["a"], code="ZD-1", specialty=Specialty.objects.get(code="public_places"),
        name="重点事项", legal_basis="x", subject="x", kind=ItemKind.KEY, status="published",
    )
    task2 = make_task(world, code="RW-2026-002", ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    task2.items.set([key_item])
    draw2 = drawn(world, task2)
    params = draw2.record["params"]
    assert params["item_kind"] == "重点" and params["general_ratio_cap"] is None
    assert params["do_not_disturb"]["mode"] == "off"
    assert draw2.selections.count() == draw2.pool_size  # 100%, uncapped
    batches = batch_order(draw2.record, start=task2.window_start, end=task2.window_end)
    assert sum(len(b.ids) for b in batches) == draw2.pool_size
    assert batch_order(draw2.record, start=task2.window_start, end=task2.window_end) == batches


def test_general_cap_limits_the_ratio_and_says_so(world: World) -> None:
    add_targets(world, counts={"B": 40})
    DrawRuleSettings.objects.create(organization=world.orgs["a"], general_cap_percent=10, cycle_start_year=2026)
    task = make_task(world, ratios={"A": 5, "B": 50, "C": 20, "D": 50}, mandatory_flags=[])
    draw = drawn(world, task)
    b = next(s for s in draw.record["strata"] if s["key"] == "B")
    assert b["quota"] == 5  # ceil(10% of 41)
    assert any("一般事项比例上限 10.00%" in n for n in draw.record["notes"])


def test_mandatory_flags_count_by_date_and_the_page_lists_the_reason(world: World) -> None:
    targets = add_targets(world, counts={"B": 30})
    today = timezone.localdate()
    fresh, old = targets[0], targets[1]
    flag_services.record_flag(actor=None, target=fresh, flag="penalized", source=FlagSource.PENALTY,
                              occurred_on=datetime.date(today.year - 1, 6, 1), reference="莲卫罚〔2025〕3号")
    flag_services.record_flag(actor=None, target=old, flag="penalized", source=FlagSource.PENALTY,
                              occurred_on=datetime.date(today.year - 3, 6, 1), reference="莲卫罚〔2022〕9号")
    task = make_task(world, ratios={"A": 1, "B": 1, "C": 1, "D": 1}, mandatory_flags=["penalized"])
    draw = drawn(world, task)
    picked = _selected(draw)
    assert picked[fresh.code] == "mandatory"
    assert picked.get(old.code) != "mandatory"  # a penalty three years ago is not 上年度
    assert "莲卫罚〔2025〕3号" in draw.rules["mandatory"][fresh.code][0]
    page = world.client("a_admin").get(draw.get_absolute_url()).content.decode()
    assert "莲卫罚〔2025〕3号" in page and "全覆盖周期" in page and "非请勿扰" in page


def test_coverage_cycle_prefers_targets_not_inspected_in_the_cycle(world: World) -> None:
    targets = add_targets(world, counts={"B": 40})
    today = timezone.localdate()
    for t in targets[:30]:  # 30 inspected this cycle, 10 (+1 world target) not
        Target.objects.filter(pk=t.pk).update(last_inspected_on=today - datetime.timedelta(days=400))
    DrawRuleSettings.objects.create(organization=world.orgs["a"], cycle_years=3, cycle_start_year=today.year - 2)
    task = make_task(world, ratios={"A": 1, "B": 20, "C": 1, "D": 1}, mandatory_flags=[])
    uncovered = {t.code for t in targets[30:]} | {world.targets["a"].code}
    draw = drawn(world, task)
    for n in range(5):
        if n:
            draw = _redraw(world, draw, n)
        picked = set(_selected(draw))
        # quota ceil(20% of 41) = 9 ≤ 11 uncovered: all drawn from the uncovered part
        assert len(picked) == 9 and picked <= uncovered


def _redraw(world: World, draw: TargetDraw, n: int) -> TargetDraw:
    services.draw_confirm(actor=world.users["a_leader"], draw=draw)
    request = services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason=f"测试第{n}次重抽")
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    new = services.draw_freeze_pool(actor=world.users["a_admin"], task=draw.task, randomness_source="福彩3D")
    return services.draw_execute(actor=world.users["a_admin"], draw=new, randomness=[f"第{n}次 {n} {n + 1}"])


def test_region_weights_of_the_plan_are_recorded_and_applied(world: World) -> None:
    add_targets(world, counts={"B": 20})
    plan = AnnualPlan.objects.create(owner=world.orgs["a"], year=2026, title="计划",
                                     region_weights={world.regions["a"].code: "2"})
    line = AnnualPlanLine.objects.create(plan=plan, item=world.items["a"], ratios={"A": 5, "B": 10, "C": 10, "D": 10})
    task = make_task(world, plan_line=line, mandatory_flags=[])
    draw = drawn(world, task)
    assert draw.record["params"]["weighting"] == {"by": "risk_score", "weights": {}}
    pool = (Path(settings.VAR_DIR) / "draws" / draw.pool_file).read_text(encoding="utf-8")
    assert ",2\n" in pool or ",2\r\n" in pool
    assert any("不同地区的抽查比重" in line for line in draw.rules["lines"])


def test_do_not_disturb_distribution_over_many_randomness_strings(world: World) -> None:
    """Sceptical check: over 30 randomness strings, A类 unflagged targets are never drawn for a 一般 item, every
    mandatory target always is, and each B target's share stays near the ratio."""
    add_targets(world, counts={"A": 20, "B": 30, "D": 4})
    add_inspectors(world)
    task = make_task(world, ratios={"A": 10, "B": 20, "C": 10, "D": 30}, mandatory_flags=["complaints"])
    draw = drawn(world, task)
    counts: Counter[str] = Counter()
    runs = 30
    record = draw.record
    pool = read_pool_csv(Path(settings.VAR_DIR) / "draws" / draw.pool_file)
    params = {k: v for k, v in record["params"].items() if v is not None}
    for n in range(runs):
        counts.update(selected_ids(run_draw(pool, params, [f"r{n}"])))
    a_codes = {t.code for t in Target.objects.filter(risk_class="A") if not t.risk_flags}
    assert a_codes and not (set(counts) & a_codes)
    flagged = {t.code for t in Target.objects.all() if "complaints" in t.risk_flags}
    assert flagged and all(counts[c] == runs for c in flagged)
    b_codes = [t.code for t in Target.objects.filter(risk_class="B")]
    share = sum(counts[c] for c in b_codes) / (runs * len(b_codes))
    assert 0.15 <= share <= 0.3  # ceil(20% of 30) = 6 of 30 per run

