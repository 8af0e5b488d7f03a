"""Reads of the public portal. The public "scope" is: published, and nothing else.

Every function here returns only what has been published (抽查事项 published, plans published or superseded
after publication, tasks whose 工作方案 is published, draws of those tasks). Results are in
``selectors_results``. No function returns personal data: inspectors are reduced to name and 执法证号 in
``draw_teams``; targets to name, USCC and region.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty
from shuangsuiji.draws.models import (
    Assignment,
    DrawnTarget,
    DrawStatus,
    InspectorMatch,
    MatchStatus,
    TargetDraw,
)
from shuangsuiji.planning.models import (
    AnnualPlan,
    AnnualPlanLine,
    JointPlan,
    JointPlanParticipant,
    JointPlanStatus,
    PlanStatus,
    SchemeStatus,
    Task,
)
from shuangsuiji.planning.selectors import joint_plan_chain

# ---------------------------------------------------------------- 抽查事项清单


def _published_item_versions() -> QuerySet[CheckItem]:
    return CheckItem.objects.filter(status__in=[ItemStatus.PUBLISHED, ItemStatus.RETIRED], published_at__isnull=False)


def public_items(*, organization_id: int | None = None, specialty_id: int | None = None) -> QuerySet[CheckItem]:
    """The items in force: per (单位, 事项编码) the newest published version.

    A revision still in draft leaves the previous published version in force; an item withdrawn (撤回) or
    retired (停用) in its current version is no longer listed.
    """
    withdrawn = CheckItem.objects.filter(
        owner=OuterRef("owner"), code=OuterRef("code"), is_current=True,
        status__in=[ItemStatus.UNPUBLISHED, ItemStatus.RETIRED],
    )
    newer = CheckItem.objects.filter(
        owner=OuterRef("owner"), code=OuterRef("code"), version__gt=OuterRef("version"),
        status=ItemStatus.PUBLISHED, published_at__isnull=False,
    )
    qs = (
        CheckItem.objects.filter(status=ItemStatus.PUBLISHED, published_at__isnull=False)
        .exclude(Exists(withdrawn))
        .exclude(Exists(newer))
        .select_related("owner", "specialty")
        .order_by("owner__region__code", "owner__code", "specialty__sort_order", "code")
    )
    if organization_id:
        qs = qs.filter(owner_id=organization_id)
    if specialty_id:
        qs = qs.filter(specialty_id=specialty_id)
    return qs


def public_item_get(*, pk: int) -> CheckItem:
    item = _published_item_versions().select_related("owner", "specialty").filter(pk=pk).first()
    if item is None:
        raise NotFoundError("该事项不存在或尚未公布")
    return item


def public_item_versions(*, item: CheckItem) -> QuerySet[CheckItem]:
    return _published_item_versions().filter(owner_id=item.owner_id, code=item.code).order_by("-version")


def item_in_force(*, item: CheckItem) -> bool:
    return public_items(organization_id=item.owner_id).filter(pk=item.pk).exists()


def item_organizations() -> QuerySet[Organization]:
    ids = _published_item_versions().values("owner_id")
    return Organization.objects.filter(pk__in=ids).select_related("region").order_by("region__code", "code")


def specialties() -> QuerySet[Specialty]:
    return Specialty.objects.filter(is_active=True).order_by("sort_order", "code")


# ---------------------------------------------------------------- 计划

PUBLIC_PLAN_STATUSES = [PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]


def public_annual_plans(*, organization_id: int | None = None, year: int | None = None) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.filter(status__in=PUBLIC_PLAN_STATUSES, published_at__isnull=False).select_related(
        "owner", "owner__region", "previous"
    )
    if organization_id:
        qs = qs.filter(owner_id=organization_id)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "owner__region__code", "owner__code", "-version")


def public_annual_plan_get(*, pk: int) -> AnnualPlan:
    plan = public_annual_plans().filter(pk=pk).first()
    if plan is None:
        raise NotFoundError("该计划不存在或尚未公布")
    return plan


def public_plan_lines(*, plan: AnnualPlan) -> QuerySet[AnnualPlanLine]:
    return plan.lines.select_related("item", "item__specialty", "responsible_section").order_by("item__code")


def public_plan_versions(*, plan: AnnualPlan) -> QuerySet[AnnualPlan]:
    """Every published version of the same plan (same bureau and year), newest first."""
    return public_annual_plans(organization_id=plan.owner_id, year=plan.year)


PUBLIC_JOINT_PLAN_STATUSES = [JointPlanStatus.PUBLISHED, JointPlanStatus.SUPERSEDED]


def public_joint_plans(*, organization_id: int | None = None, year: int | None = None) -> QuerySet[JointPlan]:
    """Published joint plans, adjusted ones included: a superseded version stays public with its successor."""
    qs = JointPlan.objects.filter(
        status__in=PUBLIC_JOINT_PLAN_STATUSES, published_at__isnull=False
    ).select_related("owner", "owner__region", "previous")
    if organization_id:
        qs = qs.filter(Q(owner_id=organization_id) | Q(participants__organization_id=organization_id)).distinct()
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-published_at")


def public_joint_plan_get(*, pk: int) -> JointPlan:
    plan = public_joint_plans().filter(pk=pk).first()
    if plan is None:
        raise NotFoundError("该联合抽查计划不存在或尚未公布")
    return plan


def public_joint_plan_versions(*, plan: JointPlan) -> list[JointPlan]:
    """Every published version of the joint plan (its chain of adjustments), newest first."""

    public = set(public_joint_plans(organization_id=plan.owner_id).values_list("pk", flat=True))
    return [version for version in joint_plan_chain(plan) if version.pk in public]


def public_joint_participants(*, plan: JointPlan) -> QuerySet[JointPlanParticipant]:
    return plan.participants.select_related("organization").prefetch_related(
        Prefetch("items", queryset=CheckItem.objects.select_related("specialty"))
    )


def plan_years() -> list[int]:
    years = set(public_annual_plans().values_list("year", flat=True)) | set(
        public_joint_plans().values_list("year", flat=True)
    ) | set(public_tasks().values_list("year", flat=True))
    return sorted(years, reverse=True)


# ---------------------------------------------------------------- 抽查任务公告


def public_tasks(
    *, organization_id: int | None = None, year: int | None = None, specialty_id: int | None = None
) -> QuerySet[Task]:
    """Tasks whose 工作方案 has been published (before that, a task is internal)."""
    qs = Task.objects.filter(scheme__status=SchemeStatus.PUBLISHED, scheme__published_at__isnull=False).select_related(
        "owner", "owner__region", "scheme", "joint_plan"
    )
    if organization_id:
        qs = qs.filter(Q(owner_id=organization_id) | Q(participants__id=organization_id)).distinct()
    if year:
        qs = qs.filter(year=year)
    if specialty_id:
        qs = qs.filter(specialties__id=specialty_id).distinct()
    return qs.order_by("-scheme__published_at", "-pk")


def public_task_get(*, pk: int) -> Task:
    task = public_tasks().filter(pk=pk).prefetch_related("items", "specialties", "regions", "participants").first()
    if task is None:
        raise NotFoundError("该抽查任务不存在或其工作方案尚未公布")
    return task


def task_organizations() -> QuerySet[Organization]:
    ids = public_tasks().values("owner_id")
    return Organization.objects.filter(pk__in=ids).select_related("region").order_by("region__code", "code")


def portal_organizations() -> QuerySet[Organization]:
    """Units with anything published: items, plans or tasks (filter choices)."""
    ids = (
        set(_published_item_versions().values_list("owner_id", flat=True))
        | set(public_annual_plans().values_list("owner_id", flat=True))
        | set(public_joint_plans().values_list("owner_id", flat=True))
        | set(public_tasks().values_list("owner_id", flat=True))
    )
    return Organization.objects.filter(pk__in=ids).select_related("region").order_by("region__code", "code")


def public_draws(*, task: Task) -> QuerySet[TargetDraw]:
    """All draws of a public task, including superseded and cancelled ones (nothing disappears)."""
    return TargetDraw.objects.filter(task=task).select_related("previous").order_by("-sequence")


def public_draw_get(*, pk: int) -> TargetDraw:
    draw = (
        TargetDraw.objects.filter(pk=pk, task__in=public_tasks())
        .select_related("task", "task__owner", "task__scheme", "previous")
        .first()
    )
    if draw is None:
        raise NotFoundError("该抽取记录不存在或尚未公布")
    return draw


def draw_has_result(draw: TargetDraw) -> bool:
    """Before the randomness is fixed (pool_frozen), only the pool digest and the parameters are public."""
    return draw.status != DrawStatus.POOL_FROZEN and draw.record is not None


def draw_selections(*, draw: TargetDraw) -> QuerySet[DrawnTarget]:
    """Ordered by unit code, not by stratum: the strata are the internal risk classes (DESIGN §4)."""
    return DrawnTarget.objects.filter(draw=draw).select_related("target", "target__region").order_by("target__code")


@dataclass(frozen=True)
class TeamMember:
    name: str
    licence_no: str
    role: str


@dataclass(frozen=True)
class TeamRow:
    target_name: str
    uscc: str
    members: list[TeamMember]


def public_match(*, draw: TargetDraw) -> InspectorMatch | None:
    return (
        InspectorMatch.objects.filter(draw=draw)
        .exclude(status=MatchStatus.SUPERSEDED)
        .order_by("-sequence")
        .first()
    )


def draw_teams(*, draw: TargetDraw) -> list[TeamRow]:
    """Teams of the current match: inspectors by name and 执法证号 only (as on official notices)."""
    match = public_match(draw=draw)
    if match is None:
        return []
    rows: dict[int, TeamRow] = {}
    assignments = (
        Assignment.objects.filter(match=match, is_active=True)
        .select_related("drawn_target__target", "inspector")
        .order_by("drawn_target__target__code", "slot")
    )
    for a in assignments:
        target = a.drawn_target.target
        row = rows.setdefault(a.drawn_target_id, TeamRow(target_name=target.name, uscc=target.uscc, members=[]))
        row.members.append(TeamMember(name=a.inspector.name, licence_no=a.inspector.licence_no,
                                      role=a.get_role_display()))
    return list(rows.values())


# ---------------------------------------------------------------- regions for filters


def public_regions() -> QuerySet[Region]:
    return Region.objects.exclude(level="province").order_by("code")


def region_subtree_ids(region_id: int) -> list[int]:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        return []
    return list(Region.objects.filter(path__startswith=region.path).values_list("pk", flat=True))


# ---------------------------------------------------------------- announcements (index page, Atom feed)


@dataclass(frozen=True)
class Announcement:
    kind: str
    title: str
    url: str
    published_at: datetime.datetime
    organization: str
    summary: str


def recent_announcements(*, limit: int = 30) -> list[Announcement]:
    """Newest publications of every kind, merged by publication time."""
    from shuangsuiji.disclosure.selectors_results import recent_result_announcements

    found: list[Announcement] = []
    for item in public_items().order_by("-published_at")[:limit]:
        assert item.published_at is not None
        found.append(Announcement(
            "抽查事项", f"{item.owner.name}公布抽查事项：{item.name}（第{item.version}版）",
            reverse("disclosure:item_detail", args=[item.pk]), item.published_at, item.owner.name,
            f"专业：{item.specialty.name}；抽查依据：{item.legal_basis}",
        ))
    for plan in public_annual_plans().order_by("-published_at")[:limit]:
        assert plan.published_at is not None
        adjusted = f"（调整后第{plan.version}版）" if plan.version > 1 else ""
        found.append(Announcement(
            "年度抽查计划", f"{plan.title}{adjusted}", reverse("disclosure:plan_detail", args=[plan.pk]),
            plan.published_at, plan.owner.name, plan.adjustment_reason or plan.description,
        ))
    for joint in public_joint_plans().order_by("-published_at")[:limit]:
        assert joint.published_at is not None
        found.append(Announcement(
            "联合抽查计划", joint.title, reverse("disclosure:joint_plan_detail", args=[joint.pk]),
            joint.published_at, joint.owner.name, joint.target_scope,
        ))
    for task in public_tasks()[:limit]:
        assert task.scheme.published_at is not None
        found.append(Announcement(
            "工作方案", task.scheme.title, reverse("disclosure:task_detail", args=[task.pk]),
            task.scheme.published_at, task.owner.name, f"检查时间：{task.window_start}至{task.window_end}",
        ))
    draws = TargetDraw.objects.filter(task__in=public_tasks()).select_related("task", "task__owner")
    for draw in draws.order_by("-frozen_at")[:limit]:
        found.append(Announcement(
            "抽取公告", f"{draw.task.title}：第{draw.sequence}次抽取对象池已冻结",
            reverse("disclosure:draw_detail", args=[draw.pk]), draw.frozen_at, draw.task.owner.name,
            f"对象池{draw.pool_size}户，公开对象池摘要见抽取公告",
        ))
    for draw in draws.filter(drawn_at__isnull=False).exclude(status=DrawStatus.POOL_FROZEN).order_by("-drawn_at")[:limit]:
        assert draw.drawn_at is not None
        found.append(Announcement(
            "抽取结果", f"{draw.task.title}：第{draw.sequence}次抽取结果",
            reverse("disclosure:draw_detail", args=[draw.pk]), draw.drawn_at, draw.task.owner.name,
            f"随机数：{'；'.join(str(r) for r in draw.randomness)}",
        ))
    found.extend(recent_result_announcements(limit=limit))
    found.sort(key=lambda a: a.published_at, reverse=True)
    return found[:limit]


ID_MAX = 2_147_483_647  # ids and years beyond a 32-bit integer cannot exist; refuse them before the database


def parse_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None
