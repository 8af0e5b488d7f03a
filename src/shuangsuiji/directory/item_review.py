"""合法性审查 of the 抽查事项清单 before publication (玉溪 2020), the same way plans are reviewed.

submit (科室/双随机办, draft item versions) → review (the bureau's 政策法规 section, or the 双随机办 administrator
where there is none: ``accounts.legal``) → approve or return with an opinion → publish (2FA; the approved
versions become the published list). ``item_set_published`` refuses an item whose current content has no
approval, so no page, API or import can publish an unreviewed item.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.accounts.legal import can_legal_review, legal_reviewer_text
from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, get_visible_or_404
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import CheckItem, ItemReview, ItemReviewEntry, ItemReviewStatus, ItemStatus

# What the reviewer reads: every field of an item version that says what is checked, on what basis, how often.
CONTENT_FIELDS = (
    "code", "version", "specialty", "name", "sub_items", "legal_basis", "subject", "target_type", "methods",
    "ratio_percent", "frequency", "kind", "needs_expert",
)
REVIEWABLE_STATUSES = (ItemStatus.DRAFT, ItemStatus.UNPUBLISHED)


def item_content_digest(item: CheckItem) -> str:
    """SHA-256 of the item version's reviewed content (canonical JSON)."""
    content: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = getattr(item, name)
        if name == "specialty":
            value = item.specialty.code
        elif name == "ratio_percent":  # 5, "5", Decimal("5.00") are the same ratio
            value = f"{Decimal(str(value)):.2f}"
        content[name] = value
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- reads


def approved_entry(item: CheckItem) -> ItemReviewEntry | None:
    """The approval covering the item's current content, if any."""
    digest = item_content_digest(item)
    return (
        ItemReviewEntry.objects.filter(item=item, content_sha256=digest, review__status=ItemReviewStatus.APPROVED)
        .select_related("review")
        .order_by("-review__reviewed_at")
        .first()
    )


def pending_entry(item: CheckItem) -> ItemReviewEntry | None:
    return (
        ItemReviewEntry.objects.filter(item=item, review__status=ItemReviewStatus.SUBMITTED)
        .select_related("review")
        .first()
    )


def item_review_state(item: CheckItem) -> dict[str, Any]:
    """For the item page: 审查通过 / 审查中 / 未审查 (or changed since the approval)."""
    approved = approved_entry(item)
    pending = pending_entry(item)
    ever = ItemReviewEntry.objects.filter(item=item, review__status=ItemReviewStatus.APPROVED).exists()
    if approved is not None:
        label = "合法性审查通过"
    elif pending is not None:
        label = "合法性审查中"
    elif ever:
        label = "审查通过后已修改，须重新审查"
    else:
        label = "未经合法性审查"
    return {"label": label, "approved": approved, "pending": pending, "reviewer_text": legal_reviewer_text(item.owner)}


def require_reviewed(item: CheckItem) -> ItemReviewEntry:
    """Publication guard: called by ``item_set_published`` and ``item_review_publish``."""
    entry = approved_entry(item)
    if entry is None:
        if ItemReviewEntry.objects.filter(item=item, review__status=ItemReviewStatus.APPROVED).exists():
            raise ApplicationError(
                f"事项“{item.code} {item.name}”在合法性审查通过后内容已修改，须重新提交合法性审查后才能公布"
            )
        raise ApplicationError(f"事项“{item.code} {item.name}”尚未通过合法性审查，不能公布。请先提交合法性审查")
    return entry


def review_list(*, actor: User, status: str = "") -> QuerySet[ItemReview]:
    qs = ItemReview.objects.visible_to(actor).select_related("owner", "submitted_by", "reviewer")
    if status:
        qs = qs.filter(status=status)
    return qs


def review_get(*, actor: User, pk: int) -> ItemReview:
    return get_visible_or_404(ItemReview.objects.select_related("owner", "submitted_by", "reviewer"), actor, pk=pk)


def reviewable_items(*, bureau: Organization) -> QuerySet[CheckItem]:
    """Current draft/withdrawn versions of the bureau not already under review."""
    pending = ItemReviewEntry.objects.filter(review__status=ItemReviewStatus.SUBMITTED).values("item_id")
    return (
        CheckItem.objects.filter(owner=bureau, is_current=True, status__in=REVIEWABLE_STATUSES)
        .exclude(pk__in=pending)
        .select_related("specialty")
        .order_by("specialty__sort_order", "code")
    )


def can_review(user: User, review: ItemReview) -> bool:
    return can_legal_review(user, review.owner)


# ---------------------------------------------------------------- writes


def _lock(review: ItemReview) -> ItemReview:
    return ItemReview.objects.select_for_update().select_related("owner").get(pk=review.pk)


def _next_number(owner: Organization, year: int) -> str:
    prefix = f"SCQD{year}-"
    count = ItemReview.objects.filter(owner=owner, number__startswith=prefix).count()
    return f"{prefix}{count + 1:03d}"


@transaction.atomic
def item_review_submit(*, actor: User, items: Sequence[CheckItem], note: str = "") -> ItemReview:
    """Submit draft (or withdrawn) current item versions of one bureau for 合法性审查."""
    if not items:
        raise ApplicationError("请至少选择一项抽查事项提交合法性审查")
    locked = list(CheckItem.objects.select_for_update().filter(pk__in=[i.pk for i in items]).select_related("specialty", "owner"))
    owners = {item.owner_id for item in locked}
    if len(owners) != 1:
        raise ApplicationError("一次审查只能提交同一单位的抽查事项")
    owner = locked[0].owner
    check_can_edit(actor, owner.pk, Perm.LIBRARY_EDIT)
    problems: list[str] = []
    for item in locked:
        if not item.is_current:
            problems.append(f"{item.code}：不是当前版本")
        elif item.status not in REVIEWABLE_STATUSES:
            problems.append(f"{item.code}：当前状态为“{item.get_status_display()}”，只有草稿或已撤回的事项需要审查")
        elif pending_entry(item) is not None:
            problems.append(f"{item.code}：已在审查中")
    if problems:
        raise ApplicationError("以下事项不能提交合法性审查：" + "；".join(problems), extra={"problems": problems})
    now = timezone.now()
    review = ItemReview.objects.create(
        owner=owner, number=_next_number(owner, timezone.localdate(now).year), note=note.strip(),
        submitted_by=actor, submitted_at=now,
    )
    ItemReviewEntry.objects.bulk_create(
        ItemReviewEntry(review=review, item=item, content_sha256=item_content_digest(item)) for item in locked
    )
    audit_record(
        actor=actor, event="item_review.submit", target=review,
        changes={"items": [f"{i.code} 第{i.version}版" for i in locked], "note": note.strip()},
    )
    return review


@transaction.atomic
def item_review_decide(
    *, actor: User, review: ItemReview, approve: bool, opinion: str, remarks: dict[int, str] | None = None
) -> ItemReview:
    """The reviewer approves the whole batch or returns it (an opinion is required to return)."""
    review = _lock(review)
    if not can_legal_review(actor, review.owner):
        raise PermissionDeniedError(f"抽查事项清单的合法性审查须由{legal_reviewer_text(review.owner)}进行")
    if review.status != ItemReviewStatus.SUBMITTED:
        raise ApplicationError(f"该审查当前状态为“{review.get_status_display()}”，不能再次审查")
    opinion = opinion.strip()
    if not approve and not opinion:
        raise ApplicationError("退回修改须填写审查意见")
    entries = list(review.entries.select_related("item", "item__specialty"))
    changed = [e.item for e in entries if item_content_digest(e.item) != e.content_sha256]
    if approve and changed:
        raise ApplicationError(
            "以下事项在提交后内容已被修改，不能按提交时的内容审查通过，请退回后重新提交："
            + "、".join(f"{i.code} {i.name}" for i in changed)
        )
    valid_ids = {e.item_id for e in entries}
    for item_id, remark in (remarks or {}).items():
        if item_id not in valid_ids:
            raise ApplicationError(f"逐项意见中的事项（{item_id}）不在本次审查中")
        ItemReviewEntry.objects.filter(review=review, item_id=item_id).update(remark=remark.strip()[:2000])
    old = review.status
    review.status = ItemReviewStatus.APPROVED if approve else ItemReviewStatus.RETURNED
    review.reviewer = actor
    review.reviewed_at = timezone.now()
    review.opinion = opinion
    review.save(update_fields=["status", "reviewer", "reviewed_at", "opinion", "updated_at"])
    audit_record(
        actor=actor, event="item_review.approve" if approve else "item_review.return", target=review,
        changes={"status": (old, review.status), "opinion": opinion, "remarks": {str(k): v for k, v in (remarks or {}).items()}},
    )
    return review


@transaction.atomic
def item_review_publish(*, actor: User, review: ItemReview) -> list[CheckItem]:
    """Publish every approved item of the batch that is still current and unchanged (2FA: ``*.publish``)."""
    review = _lock(review)
    check_can_edit(actor, review.owner_id, Perm.LIBRARY_EDIT)
    if review.status != ItemReviewStatus.APPROVED:
        raise ApplicationError("只有合法性审查通过的事项才能公布")
    published: list[CheckItem] = []
    skipped: list[str] = []
    now = timezone.now()
    for entry in review.entries.select_related("item", "item__specialty"):
        item = CheckItem.objects.select_for_update().select_related("specialty", "owner").get(pk=entry.item_id)
        if item.status == ItemStatus.PUBLISHED:
            continue
        if not item.is_current or item.status == ItemStatus.RETIRED:
            skipped.append(f"{item.code}（已有新版本或已停用）")
            continue
        if item_content_digest(item) != entry.content_sha256:
            skipped.append(f"{item.code}（审查后已修改，须重新审查）")
            continue
        item.status = ItemStatus.PUBLISHED
        item.published_at = now
        item.save(update_fields=["status", "published_at", "updated_at"])
        published.append(item)
    if not published:
        detail = "；".join(skipped) if skipped else "全部事项均已公布"
        raise ApplicationError(f"没有可公布的事项：{detail}")
    audit_record(
        actor=actor, event="item_review.publish", target=review,
        changes={"published": [f"{i.code} 第{i.version}版" for i in published], "skipped": skipped},
    )
    return published
