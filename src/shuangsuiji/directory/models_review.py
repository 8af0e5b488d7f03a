"""合法性审查 of the 抽查事项清单 (玉溪 2020: 政策法规科 reviews the item list before it is published).

A 科室 submits a batch of draft item versions (one ``ItemReview``); the reviewer approves or returns the batch
with an opinion. Each entry keeps the SHA-256 of the item's content at submission, so an approval covers
exactly the text that was reviewed: a draft changed afterwards must be reviewed again before publication.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.models import TimeStampedModel


class ItemReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审查"
    APPROVED = "approved", "审查通过"
    RETURNED = "returned", "退回修改"


class ItemReview(TimeStampedModel):
    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    number = models.CharField("审查编号", max_length=32)
    status = models.CharField(
        "状态", max_length=16, choices=ItemReviewStatus.choices, default=ItemReviewStatus.SUBMITTED
    )
    note = models.TextField("提交说明", blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间")
    reviewer = models.ForeignKey(
        "accounts.User", verbose_name="审查人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)
    opinion = models.TextField("审查意见", blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查事项清单合法性审查"
        verbose_name_plural = "抽查事项清单合法性审查"
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "number"], name="uniq_item_review_number")]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("directory:item_review_detail", args=[self.pk])


class ItemReviewEntry(models.Model):
    review = models.ForeignKey(ItemReview, verbose_name="审查", on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(
        "directory.CheckItem", verbose_name="抽查事项（版本）", on_delete=models.PROTECT, related_name="review_entries"
    )
    content_sha256 = models.CharField("提交时内容摘要（SHA-256）", max_length=64)
    remark = models.TextField("逐项意见", blank=True)

    class Meta:
        verbose_name = "审查事项"
        verbose_name_plural = "审查事项"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="uniq_item_review_entry")]

    def __str__(self) -> str:
        return f"{self.review.number} {self.item}"
