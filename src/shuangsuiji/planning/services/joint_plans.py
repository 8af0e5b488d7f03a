"""联合抽查计划: the lead bureau drafts, sends, participants confirm, publish and adjust."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import BUREAU_KINDS, Perm, bureau_for_write
from shuangsuiji.accounts.security import require_second_factor_for
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.planning import deadline_hooks, events
from shuangsuiji.planning.coverage import check_justification, joint_estimate
from shuangsuiji.planning.models import (
    JointPlan,
    JointPlanParticipant,
    JointPlanStatus,
)
from shuangsuiji.planning.permissions import (
    require_confirm_for,
    require_plan_edit,
)
from shuangsuiji.planning.rule_services import joint_ratio_data
from shuangsuiji.planning.services.base import full_clean

# ---------------------------------------------------------------- 联合抽查计划

JOINT_FIELDS = ["title", "year", "target_scope", "ratio_percent", "ratios", "window_start", "window_end"]


def _lock_joint(joint_plan: JointPlan) -> JointPlan:
    return JointPlan.objects.select_for_update().select_related("owner").get(pk=joint_plan.pk)


def joint_participant_candidates(owner: Organization) -> Any:
    """Departments that may join: bureau-level units in the same region (卫健, 文广旅, 医保 …)."""
    return Organization.objects.filter(kind__in=BUREAU_KINDS, region_id=owner.region_id, is_active=True).exclude(
        pk=owner.pk
    )


def _check_window(start: datetime.date, end: datetime.date) -> None:
    if start > end:
        raise ApplicationError("开始日期不能晚于结束日期")


def _set_participants(joint_plan: JointPlan, organizations: Sequence[Organization]) -> list[str]:
    allowed = set(joint_participant_candidates(joint_plan.owner).values_list("pk", flat=True))
    wanted = {org.pk: org for org in organizations if org.pk != joint_plan.owner_id}
    for org in wanted.values():
        if org.pk not in allowed:
            raise ApplicationError(f"“{org.name}”不能作为参与部门（须为本区划的其他部门）")
    if not wanted:
        raise ApplicationError("联合抽查计划至少需要一个参与部门")
    JointPlanParticipant.objects.get_or_create(joint_plan=joint_plan, organization=joint_plan.owner)
    joint_plan.participants.exclude(organization_id__in=[*wanted, joint_plan.owner_id]).delete()
    for org in wanted.values():
        JointPlanParticipant.objects.get_or_create(joint_plan=joint_plan, organization=org)
    return sorted(org.name for org in wanted.values())


@transaction.atomic
def joint_plan_create(
    *, actor: User, data: dict[str, Any], participants: Sequence[Organization], owner_items: Sequence[CheckItem] = ()
) -> JointPlan:
    bureau = bureau_for_write(actor, Perm.PLAN_EDIT)
    data = joint_ratio_data(data)
    joint_plan = JointPlan(owner=bureau, **{k: v for k, v in data.items() if k in JOINT_FIELDS})
    full_clean(joint_plan)
    _check_window(joint_plan.window_start, joint_plan.window_end)
    joint_plan.save()
    names = _set_participants(joint_plan, participants)
    own = joint_plan.participants.get(organization=bureau)
    own.items.set(_own_items(bureau, owner_items))
    audit_record(
        actor=actor, event=events.JOINT_PLAN_CREATE, target=joint_plan,
        changes={"title": joint_plan.title, "participants": names, "items": [i.code for i in owner_items]},
    )
    deadline_hooks.on_joint_plan_created(joint_plan, actor=actor)
    return joint_plan


def _own_items(bureau: Organization, items: Sequence[CheckItem]) -> list[CheckItem]:
    for item in items:
        if item.owner_id != bureau.pk:
            raise ApplicationError(f"事项“{item.name}”不属于本单位")
    return list(items)


@transaction.atomic
def joint_plan_update(
    *, actor: User, joint_plan: JointPlan, data: dict[str, Any],
    participants: Sequence[Organization] | None = None, owner_items: Sequence[CheckItem] | None = None,
) -> JointPlan:
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.DRAFT:
        raise ApplicationError(
            f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，只有起草状态的计划可以修改"
            "（已公布的计划请使用“调整”）"
        )
    changes: dict[str, Any] = {}
    data = joint_ratio_data(data)
    for name in JOINT_FIELDS:
        if name in data and getattr(joint_plan, name) != data[name]:
            changes[name] = (getattr(joint_plan, name), data[name])
            setattr(joint_plan, name, data[name])
    full_clean(joint_plan)
    _check_window(joint_plan.window_start, joint_plan.window_end)
    joint_plan.save()
    if participants is not None:
        changes["participants"] = _set_participants(joint_plan, participants)
    if owner_items is not None:
        own = joint_plan.participants.get(organization_id=joint_plan.owner_id)
        own.items.set(_own_items(joint_plan.owner, owner_items))
        changes["items"] = [i.code for i in owner_items]
    audit_record(actor=actor, event=events.JOINT_PLAN_UPDATE, target=joint_plan, changes=changes)
    return joint_plan


@transaction.atomic
def joint_plan_send(*, actor: User, joint_plan: JointPlan, justification: str = "") -> JointPlan:
    """Send the plan to the participating departments; the 发起部门's own part counts as confirmed."""
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.DRAFT:
        raise ApplicationError("联合抽查计划已发出确认")
    joint_plan.coverage_justification = check_justification(
        joint_estimate(joint_plan), justification, what="联合抽查计划"
    )
    own = joint_plan.participants.filter(organization_id=joint_plan.owner_id).first()
    if own is None or (not own.items.exists() and not own.item_lines):
        raise ApplicationError("请先选择发起部门本部门的抽查事项")
    if joint_plan.participants.exclude(organization_id=joint_plan.owner_id).count() == 0:
        raise ApplicationError("联合抽查计划至少需要一个参与部门")
    now = timezone.now()
    own.confirmed_at, own.confirmed_by = now, actor
    own.save(update_fields=["confirmed_at", "confirmed_by"])
    joint_plan.status = JointPlanStatus.CONFIRMING
    joint_plan.save(update_fields=["status", "coverage_justification", "updated_at"])
    audit_record(actor=actor, event=events.JOINT_PLAN_SEND, target=joint_plan,
                 changes={"status": (JointPlanStatus.DRAFT, joint_plan.status),
                          "coverage_justification": joint_plan.coverage_justification})
    deadline_hooks.on_joint_plan_sent(joint_plan, actor=actor)
    return joint_plan


@transaction.atomic
def joint_participant_confirm(
    *, actor: User, participant: JointPlanParticipant, item_titles: str | None = None, comment: str = ""
) -> JointPlanParticipant:
    """A participating department confirms its part (its own users only); the last one makes the plan 已确认."""
    joint_plan = _lock_joint(participant.joint_plan)
    participant = JointPlanParticipant.objects.select_for_update().select_related("organization").get(
        pk=participant.pk
    )
    require_confirm_for(actor, participant.organization)
    if joint_plan.status != JointPlanStatus.CONFIRMING:
        raise ApplicationError(f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，不在确认阶段")
    if participant.confirmed_at is not None:
        raise ApplicationError("本部门已确认，无需重复确认")
    if item_titles is not None:
        participant.item_titles = item_titles.strip()
    if not participant.item_lines and not participant.items.exists():
        raise ApplicationError("请填写本部门参加联合抽查的抽查事项（每行一项）")
    participant.confirmed_at = timezone.now()
    participant.confirmed_by = actor
    participant.confirm_comment = comment.strip()[:255]
    participant.save(update_fields=["item_titles", "confirmed_at", "confirmed_by", "confirm_comment"])
    all_done = not joint_plan.participants.filter(confirmed_at__isnull=True).exists()
    if all_done:
        joint_plan.status = JointPlanStatus.CONFIRMED
        joint_plan.save(update_fields=["status", "updated_at"])
    require_second_factor_for(actor, "joint_plan.confirm")
    audit_record(
        actor=actor, event=events.JOINT_PLAN_CONFIRM, target=joint_plan,
        changes={"organization": participant.organization.name, "items": participant.item_lines,
                 "all_confirmed": all_done},
    )
    return participant


@transaction.atomic
def joint_plan_publish(*, actor: User, joint_plan: JointPlan) -> JointPlan:
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.CONFIRMED:
        waiting = [p.organization.name for p in joint_plan.participants.filter(confirmed_at__isnull=True)]
        detail = f"，尚待确认：{'、'.join(waiting)}" if waiting else ""
        raise ApplicationError(f"各参与部门全部确认后才能公布{detail}")
    joint_plan.status = JointPlanStatus.PUBLISHED
    joint_plan.published_at = timezone.now()
    joint_plan.save(update_fields=["status", "published_at", "updated_at"])
    changes: dict[str, Any] = {"status": (JointPlanStatus.CONFIRMED, joint_plan.status)}
    if joint_plan.previous_id is not None:
        previous = JointPlan.objects.select_for_update().get(pk=joint_plan.previous_id)
        changes["superseded"] = {"id": previous.pk, "version": previous.version,
                                 "status": (previous.status, JointPlanStatus.SUPERSEDED)}
        previous.status = JointPlanStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, event=events.JOINT_PLAN_SUPERSEDE, target=previous,
                     changes={"status": (JointPlanStatus.PUBLISHED, previous.status), "next": joint_plan.pk,
                              "reason": f"被第{joint_plan.version}版取代：{joint_plan.adjustment_reason}"})
    require_second_factor_for(actor, "joint_plan.publish")
    audit_record(actor=actor, event=events.JOINT_PLAN_PUBLISH, target=joint_plan, changes=changes)
    deadline_hooks.on_joint_plan_published(joint_plan, actor=actor)
    return joint_plan


@transaction.atomic
def joint_plan_adjust(*, actor: User, joint_plan: JointPlan, reason: str) -> JointPlan:
    """Start an adjustment of a published joint plan: a new draft version with the same participants and items,
    which every department confirms again; the published version stays in force (and readable) until the new
    one is published, then it becomes 已被取代."""
    joint_plan = _lock_joint(joint_plan)
    require_plan_edit(actor, joint_plan.owner_id)
    if joint_plan.status != JointPlanStatus.PUBLISHED:
        raise ApplicationError(
            f"联合抽查计划当前状态为“{joint_plan.get_status_display()}”，只有已公布的联合抽查计划可以调整"
        )
    if JointPlan.objects.filter(previous=joint_plan).exists():
        raise ApplicationError("该联合抽查计划已有一个调整中的新版本，请在新版本上继续")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("调整联合抽查计划须填写调整原因")
    new = JointPlan.objects.create(
        owner=joint_plan.owner, year=joint_plan.year, title=joint_plan.title, version=joint_plan.version + 1,
        previous=joint_plan, adjustment_reason=reason, target_scope=joint_plan.target_scope,
        ratio_percent=joint_plan.ratio_percent, ratios=joint_plan.ratios, window_start=joint_plan.window_start,
        window_end=joint_plan.window_end,
    )
    for part in joint_plan.participants.prefetch_related("items").order_by("pk"):
        copy = JointPlanParticipant.objects.create(
            joint_plan=new, organization_id=part.organization_id, item_titles=part.item_titles
        )
        copy.items.set(part.items.all())
    audit_record(
        actor=actor, event=events.JOINT_PLAN_ADJUST, target=new,
        changes={"previous": joint_plan.pk, "version": (joint_plan.version, new.version), "reason": reason},
    )
    deadline_hooks.on_joint_plan_created(new, actor=actor)
    return new
