"""Upper-level supervision of subordinate bureaus (玉溪 2020: "通过督查检查、交叉检查、网络监督等方式进行督查检查，并将相关
情况进行通报"; 涞源 2024: "县双随机办将适时开展专项督查，督查情况在全县范围内通报").

A ``Campaign`` (专项督查 or 交叉检查) of a city/province bureau covers some subordinate bureaus; each has a
``CampaignPart`` with its findings, the 通报's rating and its 整改 answer, tracked by a deadline of the reminder
chain (提醒 → 督办 → 问责). The upper level writes; a subordinate bureau reads and answers only its own part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet, readable_owner_ids
from shuangsuiji.common.models import TimeStampedModel

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


class CampaignKind(models.TextChoices):
    SPECIAL = "special", "专项督查"
    CROSS = "cross", "交叉检查"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "起草"
    OPEN = "open", "督查中"
    ISSUED = "issued", "已通报（整改中）"
    CLOSED = "closed", "已办结"


class PartStatus(models.TextChoices):
    PENDING = "pending", "待督查"
    CHECKED = "checked", "已督查"
    NO_ACTION = "no_action", "无需整改"
    RECTIFYING = "rectifying", "待整改答复"
    ANSWERED = "answered", "已答复待审核"
    RETURNED = "returned", "整改不到位（退回）"
    ACCEPTED = "accepted", "整改到位"


class Rating(models.TextChoices):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"


class FindingCategory(models.TextChoices):
    LISTS = "lists", "一单两库"
    PLAN = "plan", "计划与工作方案"
    DRAW = "draw", "随机抽取与人员匹配"
    INSPECTION = "inspection", "检查实施与结果录入"
    PUBLICATION = "publication", "结果公示"
    FOLLOWUP = "followup", "后续处置"
    OTHER = "other", "其他"


class CampaignQuerySet(OwnedQuerySet["Campaign"]):
    """Read by the organizing bureau's scope, and by a subordinate bureau that has a part (once opened)."""

    def visible_to(self, user: User) -> Any:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        own_part = CampaignPart.objects.filter(bureau_id__in=ids).values("campaign_id")
        return self.filter(
            models.Q(owner_id__in=ids) | (models.Q(pk__in=own_part) & ~models.Q(status=CampaignStatus.DRAFT))
        )


class Campaign(TimeStampedModel):
    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField("方式", max_length=16, choices=CampaignKind.choices, default=CampaignKind.SPECIAL)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    basis = models.TextField("督查依据和内容")
    window_start = models.DateField("督查开始日期")
    window_end = models.DateField("督查结束日期")
    status = models.CharField("状态", max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    rectify_workdays = models.PositiveSmallIntegerField("整改答复期限（工作日）", default=15)
    notice_number = models.CharField("通报文号", max_length=64, blank=True)
    notice_summary = models.TextField("通报总体情况", blank=True)
    notice_requirements = models.TextField("整改要求", blank=True)
    issued_on = models.DateField("通报日期", null=True, blank=True)
    issued_by = models.ForeignKey("accounts.User", verbose_name="通报签发人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("办结日期", null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "专项督查/交叉检查"
        verbose_name_plural = "专项督查/交叉检查"
        ordering = ["-year", "-window_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:campaign_detail", args=[self.pk])


class PartQuerySet(models.QuerySet["CampaignPart"]):
    def visible_to(self, user: User) -> Any:
        """The organizer's scope sees every part; a subordinate bureau only its own, once the campaign is open."""
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        return self.filter(
            models.Q(campaign__owner_id__in=ids)
            | (models.Q(bureau_id__in=ids) & ~models.Q(campaign__status=CampaignStatus.DRAFT))
        )


class CampaignPart(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, verbose_name="督查", on_delete=models.CASCADE, related_name="parts")
    bureau = models.ForeignKey("accounts.Organization", verbose_name="被督查单位", on_delete=models.PROTECT,
                               related_name="+")
    checked_by = models.ForeignKey("accounts.Organization", verbose_name="检查单位（交叉检查）", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=PartStatus.choices, default=PartStatus.PENDING)
    checked_on = models.DateField("督查日期", null=True, blank=True)
    rating = models.CharField("总体评价", max_length=16, choices=Rating.choices, blank=True)
    summary = models.TextField("督查情况", blank=True)
    rectify_due = models.DateField("整改答复期限", null=True, blank=True)
    answer = models.TextField("整改情况答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey("accounts.User", verbose_name="答复人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_comment = models.TextField("审核意见", blank=True)
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)

    objects = PartQuerySet.as_manager()

    class Meta:
        verbose_name = "被督查单位"
        verbose_name_plural = "被督查单位"
        ordering = ["campaign", "bureau__region__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "bureau"], name="uniq_campaign_bureau")]

    def __str__(self) -> str:
        return f"{self.campaign.title}·{self.bureau.name}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:part_detail", args=[self.pk])


class Finding(models.Model):
    part = models.ForeignKey(CampaignPart, verbose_name="被督查单位", on_delete=models.CASCADE, related_name="findings")
    sort_order = models.PositiveSmallIntegerField("序号", default=0)
    category = models.CharField("类别", max_length=16, choices=FindingCategory.choices)
    description = models.TextField("发现的问题")
    requires_rectification = models.BooleanField("须整改", default=True)
    rectification = models.TextField("整改情况", blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "督查发现的问题"
        verbose_name_plural = "督查发现的问题"
        ordering = ["part", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.description[:40]
