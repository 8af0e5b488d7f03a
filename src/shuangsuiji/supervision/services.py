"""Writes of the upper-level supervision: every function checks permission and scope, runs in one transaction
and writes one audit entry. The organizing (upper-level) bureau writes campaigns, findings, the 通报 and the
review of answers; a subordinate bureau writes only the 整改 answer of its own part.

The 整改 answer of each bureau with findings to rectify is a deadline of the reminder chain
(``DeadlineKind.SUPERVISION_RECTIFICATION``, N working days from the 通报): 提醒 before it falls due, 督办 to the
bureau's leaders after, 问责 when long overdue; the answer completes it, a return (整改不到位) reopens it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, readable_owner_ids, user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.deadlines.models import DeadlineKind, NotificationKind
from shuangsuiji.deadlines.services import deadline_complete, deadline_open, deadline_reschedule, notify
from shuangsuiji.supervision.models import (
    Campaign,
    CampaignKind,
    CampaignPart,
    CampaignStatus,
    Finding,
    FindingCategory,
    PartStatus,
    Rating,
)

KIND = DeadlineKind.SUPERVISION_RECTIFICATION


def subordinate_bureaus(owner: Organization) -> list[Organization]:
    """The same-line health bureaus in the regions below ``owner`` (those it may supervise)."""
    return list(
        Organization.objects.filter(
            kind=OrganizationKind.HEALTH_BUREAU, system=owner.system, region__path__startswith=owner.region.path,
            is_active=True,
        ).exclude(region_id=owner.region_id).select_related("region").order_by("region__code", "code")
    )


def _require_organizer(actor: User, campaign: Campaign) -> None:
    check_can_edit(actor, campaign.owner_id, Perm.PLAN_EDIT)


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("owner").get(pk=campaign.pk)


def _lock_part(part: CampaignPart) -> CampaignPart:
    return CampaignPart.objects.select_for_update().select_related("campaign", "bureau").get(pk=part.pk)


@transaction.atomic
def campaign_create(
    *, actor: User, kind: str, title: str, basis: str, window_start: datetime.date, window_end: datetime.date,
    bureaus: Sequence[Organization], checked_by: dict[int, Organization] | None = None,
    rectify_workdays: int = 15,
) -> Campaign:
    """Open a 专项督查 or 交叉检查 of the actor's bureau on some of its subordinate bureaus (status 起草)."""
    owner = user_bureau(actor)
    if owner is None:
        raise PermissionDeniedError("您的账号未关联单位")
    check_can_edit(actor, owner.pk, Perm.PLAN_EDIT)
    if kind not in CampaignKind.values:
        raise ApplicationError(f"未知的督查方式：{kind}")
    if not title.strip() or not basis.strip():
        raise ApplicationError("请填写督查名称和督查依据、内容")
    if len(title.strip()) > 200:
        raise ApplicationError("督查名称不能超过200个字")
    if window_end < window_start:
        raise ApplicationError("督查结束日期不能早于开始日期")
    if not 1 <= rectify_workdays <= 90:
        raise ApplicationError("整改答复期限应为1到90个工作日")
    allowed = {b.pk: b for b in subordinate_bureaus(owner)}
    if not allowed:
        raise PermissionDeniedError("本单位没有下级卫生健康行政部门，不能组织专项督查或交叉检查")
    chosen = list(dict.fromkeys(b.pk for b in bureaus))
    if not chosen:
        raise ApplicationError("请至少选择一个被督查单位")
    outside = [b.name for b in bureaus if b.pk not in allowed]
    if outside:
        raise PermissionDeniedError(f"以下单位不是本单位的下级卫生健康行政部门：{'、'.join(outside)}")
    checked_by = checked_by or {}
    if kind == CampaignKind.CROSS:
        for pk in chosen:
            checker = checked_by.get(pk)
            if checker is None:
                raise ApplicationError(f"交叉检查须为“{allowed[pk].name}”指定检查单位")
            if checker.pk == pk:
                raise ApplicationError(f"“{allowed[pk].name}”不能检查本单位（交叉检查）")
            if checker.pk not in allowed:
                raise PermissionDeniedError(f"检查单位“{checker.name}”不是本单位的下级卫生健康行政部门")
    campaign = Campaign.objects.create(
        owner=owner, kind=kind, year=window_start.year, title=title.strip(), basis=basis.strip(),
        window_start=window_start, window_end=window_end, rectify_workdays=rectify_workdays, created_by=actor,
    )
    CampaignPart.objects.bulk_create(
        CampaignPart(campaign=campaign, bureau=allowed[pk],
                     checked_by=checked_by.get(pk) if kind == CampaignKind.CROSS else None)
        for pk in chosen
    )
    audit_record(actor=actor, event="supervision.create", target=campaign, changes={
        "kind": campaign.get_kind_display(), "bureaus": [allowed[pk].name for pk in chosen],
        "window": [window_start, window_end],
    })
    return campaign


@transaction.atomic
def campaign_open(*, actor: User, campaign: Campaign) -> Campaign:
    """起草 → 督查中: the subordinate bureaus are told and see their part from now on."""
    campaign = _lock(campaign)
    _require_organizer(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ApplicationError(f"督查当前状态为“{campaign.get_status_display()}”，不能再次启动")
    campaign.status = CampaignStatus.OPEN
    campaign.save(update_fields=["status", "updated_at"])
    for part in campaign.parts.select_related("bureau"):
        _notify_bureau(part, title=f"{campaign.owner.name}{campaign.get_kind_display()}：{campaign.title}",
                       body=f"督查时间{campaign.window_start:%Y年%m月%d日}至{campaign.window_end:%Y年%m月%d日}。"
                            f"{campaign.basis[:200]}", key=f"supervision{campaign.pk}:open:{part.pk}")
    audit_record(actor=actor, event="supervision.open", target=campaign,
                 changes={"status": (CampaignStatus.DRAFT, CampaignStatus.OPEN)})
    return campaign


def _notify_bureau(part: CampaignPart, *, title: str, body: str, key: str) -> None:
    """The subordinate bureau's 双随机办 administrators and leaders get an in-app notification (and e-mail)."""
    users = User.objects.filter(is_active=True, role__in=(Role.PROGRAM_ADMIN, Role.LEADER)).select_related("organization")
    for user in users:
        if user.organization is not None and user.organization.bureau.pk == part.bureau_id:
            notify(recipient=user, kind=NotificationKind.INFO, title=title[:200], body=body, key=f"{key}:u{user.pk}",
                   url=part.get_absolute_url())


def _require_writable_findings(part: CampaignPart) -> None:
    if part.campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        raise ApplicationError("通报印发后不能再修改督查发现的问题")


@transaction.atomic
def finding_add(
    *, actor: User, part: CampaignPart, category: str, description: str, requires_rectification: bool = True
) -> Finding:
    part = _lock_part(part)
    _require_organizer(actor, part.campaign)
    _require_writable_findings(part)
    if category not in FindingCategory.values:
        raise ApplicationError(f"未知的问题类别：{category}")
    if not description.strip():
        raise ApplicationError("请填写发现的问题")
    order = part.findings.count() + 1
    finding = Finding.objects.create(part=part, sort_order=order, category=category,
                                     description=description.strip(),
                                     requires_rectification=requires_rectification, created_by=actor)
    audit_record(actor=actor, event="supervision.finding_add", target=part, changes={
        "category": finding.get_category_display(), "description": finding.description,
        "requires_rectification": requires_rectification,
    })
    return finding


@transaction.atomic
def finding_delete(*, actor: User, finding: Finding) -> None:
    part = _lock_part(finding.part)
    _require_organizer(actor, part.campaign)
    _require_writable_findings(part)
    audit_record(actor=actor, event="supervision.finding_delete", target=part,
                 changes={"description": finding.description})
    finding.delete()


@transaction.atomic
def part_conclude(
    *, actor: User, part: CampaignPart, checked_on: datetime.date, rating: str, summary: str
) -> CampaignPart:
    """The result of checking one bureau: date, 总体评价 and the situation in words."""
    part = _lock_part(part)
    _require_organizer(actor, part.campaign)
    _require_writable_findings(part)
    if part.campaign.status != CampaignStatus.OPEN:
        raise ApplicationError("督查启动后才能登记督查情况")
    if rating not in Rating.values:
        raise ApplicationError("请选择总体评价")
    if not summary.strip():
        raise ApplicationError("请填写督查情况")
    if not part.campaign.window_start <= checked_on <= max(part.campaign.window_end, timezone.localdate()):
        raise ApplicationError("督查日期应在督查期间内")
    old = part.status
    part.checked_on, part.rating, part.summary, part.status = checked_on, rating, summary.strip(), PartStatus.CHECKED
    part.save(update_fields=["checked_on", "rating", "summary", "status", "updated_at"])
    audit_record(actor=actor, event="supervision.conclude", target=part,
                 changes={"status": (old, part.status), "rating": part.get_rating_display()})
    return part


@transaction.atomic
def campaign_issue(
    *, actor: User, campaign: Campaign, notice_number: str, summary: str, requirements: str,
    issued_on: datetime.date | None = None,
) -> Campaign:
    """Issue the 通报 (2FA: ``*.publish``): every part checked; bureaus with problems to rectify get a
    deadline of the reminder chain for their 整改 answer."""
    campaign = _lock(campaign)
    _require_organizer(actor, campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise ApplicationError(f"督查当前状态为“{campaign.get_status_display()}”，不能印发通报")
    parts = list(campaign.parts.select_related("bureau").prefetch_related("findings"))
    unchecked = [p.bureau.name for p in parts if p.status == PartStatus.PENDING]
    if unchecked:
        raise ApplicationError(f"以下单位尚未登记督查情况，不能印发通报：{'、'.join(unchecked)}")
    if not notice_number.strip() or not summary.strip():
        raise ApplicationError("请填写通报文号和总体情况")
    if len(notice_number.strip()) > 64:
        raise ApplicationError("通报文号不能超过64个字")
    issued_on = issued_on or timezone.localdate()
    if not campaign.window_start <= issued_on <= timezone.localdate():
        raise ApplicationError("通报日期应在督查开始之后、不晚于今天")
    campaign.status = CampaignStatus.ISSUED
    campaign.notice_number, campaign.notice_summary = notice_number.strip(), summary.strip()
    campaign.notice_requirements, campaign.issued_on, campaign.issued_by = requirements.strip(), issued_on, actor
    campaign.save()
    rectifying = []
    for part in parts:
        if any(f.requires_rectification for f in part.findings.all()):
            deadline = deadline_open(
                subject=part, kind=KIND, organization=part.bureau, start_date=issued_on,
                workdays=campaign.rectify_workdays, start_event="通报印发", actor=actor,
            )
            part.status, part.rectify_due = PartStatus.RECTIFYING, deadline.due_date
            rectifying.append(part.bureau.name)
            _notify_bureau(part, title=f"请于{deadline.due_date:%Y年%m月%d日}前答复整改情况：{campaign.title}",
                           body=f"{campaign.owner.name}印发{campaign.notice_number}，通报了本单位"
                                f"{sum(1 for f in part.findings.all() if f.requires_rectification)}个须整改的问题。",
                           key=f"supervision{campaign.pk}:issue:{part.pk}")
        else:
            part.status = PartStatus.NO_ACTION
        part.save(update_fields=["status", "rectify_due", "updated_at"])
    audit_record(actor=actor, event="supervision_notice.publish", target=campaign, changes={
        "notice_number": campaign.notice_number, "issued_on": issued_on, "rectifying": rectifying,
    })
    if not rectifying:
        campaign.status, campaign.closed_on = CampaignStatus.CLOSED, issued_on
        campaign.save(update_fields=["status", "closed_on", "updated_at"])
    return campaign


@transaction.atomic
def part_answer(
    *, actor: User, part: CampaignPart, answer: str, rectifications: dict[int, str] | None = None
) -> CampaignPart:
    """The subordinate bureau answers how it rectified (its own part only); completes the deadline."""
    part = _lock_part(part)
    check_can_edit(actor, part.bureau_id, Perm.PLAN_EDIT)
    if part.status not in (PartStatus.RECTIFYING, PartStatus.RETURNED):
        raise ApplicationError(f"当前状态为“{part.get_status_display()}”，不需要答复整改情况")
    if not answer.strip():
        raise ApplicationError("请填写整改情况")
    rectifications = rectifications or {}
    findings = {f.pk: f for f in part.findings.filter(requires_rectification=True)}
    unknown = set(rectifications) - set(findings)
    if unknown:
        raise ApplicationError("逐项整改情况中有不属于本单位的问题")
    missing = [f.sort_order for pk, f in findings.items() if not rectifications.get(pk, f.rectification).strip()]
    if missing:
        raise ApplicationError(f"请逐项填写整改情况（第{'、'.join(str(n) for n in sorted(missing))}项未填写）")
    for pk, text in rectifications.items():
        Finding.objects.filter(pk=pk).update(rectification=text.strip())
    old = part.status
    part.status, part.answer, part.answered_on, part.answered_by = (
        PartStatus.ANSWERED, answer.strip(), timezone.localdate(), actor,
    )
    part.save(update_fields=["status", "answer", "answered_on", "answered_by", "updated_at"])
    deadline_complete(subject=part, kind=KIND, actor=actor)
    audit_record(actor=actor, event="supervision.answer", target=part, changes={"status": (old, part.status)})
    return part


@transaction.atomic
def part_review(*, actor: User, part: CampaignPart, accept: bool, comment: str = "") -> CampaignPart:
    """The upper level accepts the answer (整改到位) or returns it with a comment: the deadline reopens."""
    part = _lock_part(part)
    _require_organizer(actor, part.campaign)
    if part.status != PartStatus.ANSWERED:
        raise ApplicationError(f"当前状态为“{part.get_status_display()}”，没有待审核的整改答复")
    if not accept and not comment.strip():
        raise ApplicationError("退回须填写整改不到位的原因")
    old = part.status
    today = timezone.localdate()
    part.review_comment, part.reviewed_on, part.reviewed_by = comment.strip(), today, actor
    if accept:
        part.status = PartStatus.ACCEPTED
    else:
        part.status = PartStatus.RETURNED
        part.return_count += 1
        deadline = deadline_reschedule(subject=part, kind=KIND, start_date=today,
                                       workdays=part.campaign.rectify_workdays, start_event="退回",
                                       reopen=True, actor=actor)
        if deadline is not None:
            part.rectify_due = deadline.due_date
        _notify_bureau(part, title=f"整改不到位，请重新答复：{part.campaign.title}", body=comment.strip(),
                       key=f"supervision{part.campaign_id}:return{part.return_count}:{part.pk}")
    part.save()
    audit_record(actor=actor, event="supervision.review", target=part,
                 changes={"status": (old, part.status), "comment": comment.strip()})
    campaign = _lock(part.campaign)
    if campaign.status == CampaignStatus.ISSUED and not campaign.parts.exclude(
        status__in=(PartStatus.ACCEPTED, PartStatus.NO_ACTION)
    ).exists():
        campaign.status, campaign.closed_on = CampaignStatus.CLOSED, today
        campaign.save(update_fields=["status", "closed_on", "updated_at"])
    return part


# ---------------------------------------------------------------- reads


def campaign_list(*, actor: User) -> Any:
    return Campaign.objects.visible_to(actor).select_related("owner")


def parts_for(*, actor: User, campaign: Campaign) -> Any:
    return CampaignPart.objects.visible_to(actor).filter(campaign=campaign).select_related(
        "bureau", "checked_by").prefetch_related("findings")


def can_organize(user: User, campaign: Campaign) -> bool:
    try:
        check_can_edit(user, campaign.owner_id, Perm.PLAN_EDIT)
    except ApplicationError:
        return False
    return True


def can_answer(user: User, part: CampaignPart) -> bool:
    try:
        check_can_edit(user, part.bureau_id, Perm.PLAN_EDIT)
    except ApplicationError:
        return False
    return part.status in (PartStatus.RECTIFYING, PartStatus.RETURNED)


def findings_visible(user: User, part: CampaignPart) -> bool:
    """Findings are the organizer's working notes until the 通报 is issued."""
    ids = readable_owner_ids(user)
    return ids is None or part.campaign.owner_id in ids or part.campaign.status in (
        CampaignStatus.ISSUED, CampaignStatus.CLOSED)
