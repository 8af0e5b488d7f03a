"""Imported 经营异常名录 / 严重违法失信名单 lists (大洼: 列入经营异常名录或者严重违法失信企业名单的 …应当纳入抽查).

A bureau imports a list published by the 市场监管 department (国家企业信用信息公示系统); rows are matched to the
bureau's targets by 统一社会信用代码, and each matched target gets a dated ``TargetFlagRecord`` that points back
to the list (its source and date). Codes of the list that are not in the bureau's 名录库 are kept on the import,
so the page can show them (most enterprises of a 市场监管 list are not under health supervision).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.models import TimeStampedModel


class FlagList(models.TextChoices):
    ABNORMAL = "abnormal_list", "经营异常名录"
    BLACKLIST = "blacklist", "严重违法失信名单"


class FlagListImport(TimeStampedModel):
    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    kind = models.CharField("名单类型", max_length=32, choices=FlagList.choices)
    source = models.CharField("名单来源", max_length=200, help_text="如：国家企业信用信息公示系统（河北）、保定市市场监督管理局")
    list_date = models.DateField("名单日期", help_text="名单公布或导出的日期")
    batch = models.CharField("批次/文号", max_length=100, blank=True)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件哈希", max_length=64)
    total_rows = models.PositiveIntegerField("名单行数", default=0)
    matched_count = models.PositiveIntegerField("匹配到的检查对象", default=0)
    created_count = models.PositiveIntegerField("新登记标记", default=0)
    existing_count = models.PositiveIntegerField("已登记过", default=0)
    ended_count = models.PositiveIntegerField("登记移出", default=0)
    unmatched = models.JSONField("未匹配的信用代码", default=list, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="导入人", on_delete=models.PROTECT, related_name="+")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "导入的名单"
        verbose_name_plural = "导入的名单"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.source}，{self.list_date_cn}{self.batch_suffix}）"

    def get_absolute_url(self) -> str:
        return reverse("directory:flag_list_detail", args=[self.pk])

    @property
    def list_date_cn(self) -> str:
        return f"{self.list_date.year}年{self.list_date.month}月{self.list_date.day}日"

    @property
    def batch_suffix(self) -> str:
        return f"，{self.batch}" if self.batch else ""

    @property
    def reference(self) -> str:
        """The source document written on every flag of the list (max 200 characters)."""
        return str(self)[:200]
