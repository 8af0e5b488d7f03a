"""Draw services: freeze → draw → 双人确认, re-draw with approval, refusals with Chinese messages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from shuangsuiji.accounts.models import Organization, OrganizationKind
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import Specialty, Target
from shuangsuiji.draws import services
from shuangsuiji.draws.models import DrawnTarget, DrawStatus, RedrawRequest, RedrawStatus, TargetDraw
from shuangsuiji.planning.models import DrawRuleSettings, Task, TaskState, TaskTransition
from tests.conftest import World
from tests.draws.factories import add_targets, confirmed, drawn, make_task, populated_task


def test_freeze_needs_published_scheme(world: World) -> None:
    add_targets(world)
    task = make_task(world, state=TaskState.DRAFT)
    with pytest.raises(ApplicationError, match="工作方案尚未公布"):
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert not TargetDraw.objects.exists()


def test_freeze_writes_readonly_content_addressed_pool(world: World) -> None:
    task = populated_task(world)
    draw = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert draw.status == DrawStatus.POOL_FROZEN and draw.sequence == 1
    assert draw.pool_size == 40 + 1  # the world's own target of county A is in scope too
    path = Path(settings.VAR_DIR) / "draws" / draw.pool_file
    content = path.read_bytes()
    assert hashlib.sha256(content).hexdigest() in draw.pool_file
    assert not path.stat().st_mode & 0o222  # read-only
    assert AuditEntry.objects.filter(event="draw.freeze", object_id=str(draw.pk)).count() == 1


def test_empty_pool_is_explained_and_nothing_is_made(world: World) -> None:
    task = make_task(world)
    Target.objects.filter(owner=world.orgs["a"]).update(status="cancelled")
    with pytest.raises(ApplicationError, match="对象池为空") as error:
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert "没有在营" in error.value.message
    assert not TargetDraw.objects.exists()


def test_freeze_requires_randomness_source_or_commitment(world: World) -> None:
    task = populated_task(world)
    with pytest.raises(ApplicationError, match="随机数的来源"):
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task)
    with pytest.raises(ApplicationError, match="承诺值"):
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_kind="commit_reveal")


def test_only_draw_runners_of_the_bureau_may_freeze(world: World) -> None:
    task = populated_task(world)
    for user in ("a_staff", "a_inspector", "b_admin", "city_admin"):
        with pytest.raises(PermissionDeniedError):
            services.draw_freeze_pool(actor=world.users[user], task=task, randomness_source="福彩3D")


def test_second_freeze_is_refused(world: World) -> None:
    task = populated_task(world)
    services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    with pytest.raises(ApplicationError, match="不能再次冻结"):
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")


def test_draw_stores_record_selections_and_moves_task(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    assert draw.status == DrawStatus.DRAWN and draw.record and draw.record_digest
    selections = DrawnTarget.objects.filter(draw=draw)
    assert selections.count() > 0
    # every target flagged 投诉举报多 (a mandatory flag of the task) is included with that reason
    flagged = {t.pk for t in Target.objects.filter(owner=world.orgs["a"]) if "complaints" in t.risk_flags}
    mandatory = set(selections.filter(reason="mandatory").values_list("target_id", flat=True))
    assert flagged and flagged <= mandatory
    task.refresh_from_db()
    assert task.state == TaskState.TARGETS_DRAWN
    assert TaskTransition.objects.filter(task=task, to_state=TaskState.TARGETS_DRAWN).count() == 1
    assert draw.confirm_deadline is not None and draw.confirm_deadline > draw.drawn_at.date()  # type: ignore[union-attr]


def test_draw_needs_randomness(world: World) -> None:
    task = populated_task(world)
    draw = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    with pytest.raises(ApplicationError, match="公开随机数"):
        services.draw_execute(actor=world.users["a_admin"], draw=draw, randomness=["  "])
    draw.refresh_from_db()
    assert draw.status == DrawStatus.POOL_FROZEN and not DrawnTarget.objects.exists()


def test_commit_reveal(world: World) -> None:
    task = populated_task(world)
    seed = "莲池区双随机办 2026 第一季度 种子 7f3a"
    commitment = services.seed_commitment_of(seed)
    draw = services.draw_freeze_pool(
        actor=world.users["a_admin"], task=task, randomness_kind="commit_reveal", seed_commitment=commitment
    )
    with pytest.raises(ApplicationError, match="承诺值不符"):
        services.draw_execute(actor=world.users["a_admin"], draw=draw, randomness=[], reveal="另一个种子")
    draw = services.draw_execute(actor=world.users["a_admin"], draw=draw, randomness=[], reveal=seed)
    assert draw.status == DrawStatus.DRAWN and draw.randomness == [seed]


def test_confirmation_by_a_second_person(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    with pytest.raises(ApplicationError, match="另一人"):
        services.draw_confirm(actor=world.users["a_admin"], draw=draw)
    with pytest.raises(PermissionDeniedError):
        services.draw_confirm(actor=world.users["a_inspector"], draw=draw)
    with pytest.raises(PermissionDeniedError):
        services.draw_confirm(actor=world.users["b_admin"], draw=draw)
    draw = services.draw_confirm(actor=world.users["a_staff"], draw=draw)
    assert draw.status == DrawStatus.CONFIRMED and draw.confirmed_by == world.users["a_staff"]
    with pytest.raises(ApplicationError, match="已由a_staff于.*确认"):
        services.draw_confirm(actor=world.users["a_leader"], draw=draw)


def test_redraw_needs_reason_and_approval_by_someone_else(world: World) -> None:
    task = populated_task(world)
    draw = confirmed(world, task)
    with pytest.raises(ApplicationError, match="原因"):
        services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason=" ")
    request = services.redraw_request_create(
        actor=world.users["a_admin"], draw=draw, reason="对象池漏掉了新登记的12户宾馆"
    )
    with pytest.raises(ApplicationError, match="等待审批"):
        services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason="再申请一次试试")
    with pytest.raises(ApplicationError, match="自己的申请"):
        services.redraw_request_decide(actor=world.users["a_admin"], request=request, approve=True)
    with pytest.raises(PermissionDeniedError):
        services.redraw_request_decide(actor=world.users["a_staff"], request=request, approve=True)
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.SUPERSEDED
    old_record = dict(draw.record or {})
    # the new pool is frozen by the normal step; the old draw stays readable and unchanged
    new = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="2026年3月5日 福彩3D")
    assert new.sequence == 2 and new.previous == draw and new.redraw_reason.startswith("对象池漏掉")
    assert new.redraw_approved_by == world.users["a_leader"]
    new = services.draw_execute(actor=world.users["a_admin"], draw=new, randomness=["2026-03-05 福彩3D 9 9 1"])
    draw.refresh_from_db()
    assert draw.record == old_record and DrawnTarget.objects.filter(draw=draw).exists()
    assert RedrawRequest.objects.get(pk=request.pk).new_draw == new
    assert list(TargetDraw.objects.filter(task=task).order_by("sequence").values_list("status", flat=True)) == [
        DrawStatus.SUPERSEDED, DrawStatus.DRAWN,
    ]


def test_rejected_redraw_keeps_the_draw(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    request = services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason="随机数录入有误")
    with pytest.raises(ApplicationError, match="审批意见"):
        services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=False)
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=False, comment="随机数无误")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert RedrawRequest.objects.get().status == RedrawStatus.REJECTED
    with pytest.raises(ApplicationError, match="不能重复审批"):
        services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)


def test_joint_task_pool_is_the_union_each_target_once(world: World) -> None:
    culture = world.orgs["a_culture"]
    shared = add_targets(world, counts={"B": 3})
    # the culture department's own library: one target shared with health (same USCC), two of its own
    public_places = Specialty.objects.get(code="public_places")
    culture.specialties.set([public_places])
    for n, code in enumerate([shared[0].code, "L:文旅娱字001", "L:文旅娱字002"]):
        target = Target.objects.create(
            owner=culture, code=code, uscc=code if not code.startswith("L:") else "", name=f"文旅对象{n}",
            region=world.regions["a"], risk_class="D" if n == 0 else "B",
        )
        target.specialties.set([public_places])
    medical_bureau = Organization.objects.create(
        name="莲池区医疗保障局", code="A_MEDINS", kind=OrganizationKind.OTHER_DEPARTMENT, region=world.regions["a"],
        system="医疗保障",
    )
    # every target drawn: no 一般 cap, no 非请勿扰 for this bureau
    DrawRuleSettings.objects.create(
        organization=world.orgs["a"], general_cap_percent=100, do_not_disturb=False, cycle_start_year=2026
    )
    task = make_task(world, ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    task.participants.set([culture, medical_bureau])
    draw = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    # 1 world target + 3 health targets + 2 culture-only targets; the shared one counted once
    assert draw.pool_size == 6
    pool = (Path(settings.VAR_DIR) / "draws" / draw.pool_file).read_text(encoding="utf-8")
    assert pool.count(shared[0].code) == 1
    draw = services.draw_execute(actor=world.users["a_admin"], draw=draw, randomness=["1 2 3"])
    # the shared target is represented by the task bureau's own record and took the higher risk class (D)
    selected = DrawnTarget.objects.get(draw=draw, target__code=shared[0].code)
    assert selected.target.owner == world.orgs["a"] and selected.stratum == "D"
    culture_only = DrawnTarget.objects.filter(draw=draw, target__owner=culture).count()
    assert culture_only == 2 and DrawnTarget.objects.filter(draw=draw).count() == 6


def test_task_states_follow_the_draw(world: World) -> None:
    task = populated_task(world)
    confirmed(world, task)
    assert Task.objects.get(pk=task.pk).state == TaskState.TARGETS_DRAWN


def test_task_without_ratios_is_explained(world: World) -> None:
    add_targets(world)
    task = make_task(world, ratios={})
    with pytest.raises(ApplicationError, match="抽查比例"):
        services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    assert not TargetDraw.objects.exists()


def test_redraw_must_use_new_randomness(world: World) -> None:
    task = populated_task(world)
    draw = drawn(world, task)
    request = services.redraw_request_create(actor=world.users["a_admin"], draw=draw, reason="随机数录入有误")
    services.redraw_request_decide(actor=world.users["a_leader"], request=request, approve=True)
    new = services.draw_freeze_pool(actor=world.users["a_admin"], task=task, randomness_source="福彩3D")
    with pytest.raises(ApplicationError, match="新的公开随机数"):
        services.draw_execute(actor=world.users["a_admin"], draw=new, randomness=list(draw.randomness))
    new.refresh_from_db()
    assert new.status == DrawStatus.POOL_FROZEN


def test_recently_inspected_targets_are_excluded(world: World) -> None:
    import datetime

    from django.utils import timezone

    targets = add_targets(world, counts={"B": 20})
    recent = targets[:10]
    Target.objects.filter(pk__in=[t.pk for t in recent]).update(
        last_inspected_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    task = make_task(world, ratios={"B": 100}, exclusion_months=6, mandatory_flags=[])
    draw = drawn(world, task)
    chosen = set(DrawnTarget.objects.filter(draw=draw).values_list("target_id", flat=True))
    assert chosen and not chosen & {t.pk for t in recent}
    assert draw.params["exclude_recent_days"] >= 180
