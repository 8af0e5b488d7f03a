"""A demo-like published world for portal tests: everything the portal shows, plus things it must hide.

Published: items (one with a draft revision pending, so version 1 stays in force), an annual plan adjusted once
(v1 superseded, v2 with reason), a joint plan, a task with its 工作方案, a confirmed draw with a matched team, a
second task whose draw is only frozen, results (one with a 行政处罚), one result held back (依法不宜公开).
Hidden: a draft item, a withdrawn item, a draft plan, a draft joint plan, a task whose 工作方案 is a draft.
Personal data is planted everywhere it could leak from (inspectors' ID numbers and phones, contacts' phones).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty, Target
from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import PublishedResult, ResultGroup
from shuangsuiji.draws.models import TargetDraw
from shuangsuiji.planning.models import (
    AnnualPlan,
    AnnualPlanLine,
    JointPlan,
    JointPlanParticipant,
    JointPlanStatus,
    PlanStatus,
    Task,
    TaskState,
)
from tests.conftest import World
from tests.draws.factories import add_inspectors, add_targets, make_task, matched

PHONE = "13912345678"
ID_NUMBER = "110101199003071233"  # valid check digit
WORLD_ID_NUMBER = "110101199003071234"  # planted by tests/conftest.py (its check digit is wrong)


@dataclass
class Portal:
    world: World
    item: CheckItem
    item_v1: CheckItem
    hidden_items: list[CheckItem]
    plan_v1: AnnualPlan
    plan_v2: AnnualPlan
    draft_plan: AnnualPlan
    joint: JointPlan
    draft_joint: JointPlan
    task: Task
    draft_task: Task
    frozen_task: Task
    draw: TargetDraw
    frozen_draw: TargetDraw
    results: list[PublishedResult] = field(default_factory=list)
    withheld: PublishedResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def build_portal(world: World) -> Portal:
    from shuangsuiji.draws import services as draw_services

    a = world.orgs["a"]
    public_places = Specialty.objects.get(code="public_places")
    item = world.items["a"]
    item.published_at = _at(datetime.date(2026, 1, 5))
    item.legal_basis = "《公共场所卫生管理条例》第三条、第四条"
    item.save()
    # A published item with a pending draft revision: version 1 stays in force.
    item_v1 = CheckItem.objects.create(
        owner=a, code="YYS-01", version=1, is_current=False, specialty=public_places, name="对生活饮用水供水单位的监督检查",
        legal_basis="《生活饮用水卫生监督管理办法》", subject=a.name, methods=["on_site"], status=ItemStatus.PUBLISHED,
        published_at=_at(datetime.date(2026, 1, 6)),
    )
    CheckItem.objects.create(
        owner=a, code="YYS-01", version=2, is_current=True, specialty=public_places, name="草稿修订中的饮用水事项",
        legal_basis="修订中", subject=a.name, status=ItemStatus.DRAFT, change_note="依新办法修订",
    )
    hidden = [
        CheckItem.objects.create(owner=a, code="CG-01", specialty=public_places, name="未公布的草稿事项",
                                 legal_basis="无", subject=a.name, status=ItemStatus.DRAFT),
        CheckItem.objects.create(owner=a, code="CH-01", specialty=public_places, name="已撤回的事项",
                                 legal_basis="无", subject=a.name, status=ItemStatus.UNPUBLISHED,
                                 published_at=_at(datetime.date(2026, 1, 2))),
    ]

    plan_v1 = AnnualPlan.objects.create(
        owner=a, year=2026, title="莲池区卫生健康局2026年度双随机抽查工作计划", status=PlanStatus.SUPERSEDED,
        published_at=_at(datetime.date(2026, 1, 20)),
    )
    AnnualPlanLine.objects.create(plan=plan_v1, item=item, ratios={"A": 1, "B": 2, "C": 10, "D": 30}, months=[3, 4])
    plan_v2 = AnnualPlan.objects.create(
        owner=a, year=2026, title="莲池区卫生健康局2026年度双随机抽查工作计划", version=2, previous=plan_v1,
        adjustment_reason="根据省卫生健康委通知增加托育机构专项抽查", status=PlanStatus.PUBLISHED,
        published_at=_at(datetime.date(2026, 2, 10)),
    )
    AnnualPlanLine.objects.create(plan=plan_v2, item=item, ratios={"A": 1, "B": 3, "C": 10, "D": 30}, months=[3, 4, 5])
    draft_plan = AnnualPlan.objects.create(owner=world.orgs["b"], year=2026, title="涞源县未公布的草稿计划")

    joint = JointPlan.objects.create(
        owner=a, year=2026, title="2026年莲池区卫生健康局部门联合抽查方案", target_scope="托育机构、医疗机构、公共场所",
        ratio_percent=5, window_start=datetime.date(2026, 7, 20), window_end=datetime.date(2026, 10, 30),
        status=JointPlanStatus.PUBLISHED, published_at=_at(datetime.date(2026, 3, 1)),
    )
    participant = JointPlanParticipant.objects.create(
        joint_plan=joint, organization=world.orgs["a_culture"], item_titles="娱乐场所“双随机”抽查"
    )
    participant.items.set([])
    draft_joint = JointPlan.objects.create(
        owner=a, year=2026, title="未公布的联合计划草稿", target_scope="x", window_start=datetime.date(2026, 7, 1),
        window_end=datetime.date(2026, 8, 1),
    )

    targets = add_targets(world)
    for target in targets[:5]:
        Target.objects.filter(pk=target.pk).update(contact_phone=PHONE, contact_person="王联系人")
    inspectors = add_inspectors(world)
    for inspector in inspectors:
        inspector.id_number = ID_NUMBER
        inspector.phone = PHONE
        inspector.save()

    task = make_task(world, code="RW-2026-001")
    match = matched(world, task)
    draw = match.draw
    task.scheme.published_at = _at(datetime.date(2026, 2, 20))
    task.scheme.document_number = "莲卫监〔2026〕3号"
    task.scheme.save()

    draft_task = make_task(world, code="RW-2026-009", state=TaskState.DRAFT, title="未公布方案的任务")
    frozen_task = make_task(world, code="RW-2026-002", title="2026年生活饮用水卫生双随机抽查")
    frozen_task.scheme.published_at = _at(datetime.date(2026, 2, 25))
    frozen_task.scheme.save()
    frozen_draw = draw_services.draw_freeze_pool(
        actor=world.users["a_admin"], task=frozen_task, randomness_kind="announced",
        randomness_source="2026年4月1日 福彩3D开奖号码",
    )

    Task.objects.filter(pk=task.pk).update(completed_at=_at(datetime.date(2026, 4, 1)), state=TaskState.COMPLETED)
    task.refresh_from_db()
    drawn_targets = [s.target for s in draw.selections.select_related("target").order_by("stratum", "rank")]
    groups = [ResultGroup.NO_PROBLEM, ResultGroup.RECTIFIED, ResultGroup.PENALTY]
    labels = {ResultGroup.NO_PROBLEM: "未发现问题", ResultGroup.RECTIFIED: "发现问题已责令改正",
              ResultGroup.PENALTY: "发现问题待后续处理（立案查处）"}
    entries = []
    for n, target in enumerate(drawn_targets):
        group = groups[n % 3]
        entries.append(services.ResultEntry(
            source_key=f"test:{task.pk}:{target.pk}", target=target, inspected_on=datetime.date(2026, 3, 10),
            result_group=group, result_label=labels[group], specialties=(public_places,),
            withheld_reason="涉及正在侦查的刑事案件，依《政府信息公开条例》第十四条不予公开" if n == len(drawn_targets) - 1 else "",
        ))
    services.results_publish(actor=world.users["a_admin"], task=task, entries=entries,
                             published_at=_at(datetime.date(2026, 4, 20)))
    results = list(PublishedResult.objects.filter(task=task, is_public=True).order_by("pk"))
    withheld = PublishedResult.objects.get(task=task, is_public=False)
    penalized = next(r for r in results if r.result_group == ResultGroup.PENALTY)
    services.penalty_publish(
        actor=world.users["a_admin"], result=penalized,
        entry=services.PenaltyEntry(
            source_key=f"test-penalty:{penalized.pk}", decision_no="莲卫公罚〔2026〕12号",
            decided_on=datetime.date(2026, 4, 15), authority=a.name, violation="从业人员未取得健康合格证明",
            basis="《公共场所卫生管理条例实施细则》第三十八条", content="警告，罚款人民币贰仟元",
        ),
        published_at=_at(datetime.date(2026, 4, 22)),
    )
    return Portal(
        world=world, item=item, item_v1=item_v1, hidden_items=hidden, plan_v1=plan_v1, plan_v2=plan_v2,
        draft_plan=draft_plan, joint=joint, draft_joint=draft_joint, task=task, draft_task=draft_task,
        frozen_task=frozen_task, draw=draw, frozen_draw=frozen_draw, results=results, withheld=withheld,
    )
