"""The bureau's codes written into the national export files (``disclosure.national_export``)."""

from __future__ import annotations

from django.db import models

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.models import TimeStampedModel


class NationalExportProfile(TimeStampedModel):
    owner = models.OneToOneField(
        "accounts.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="national_export_profile"
    )
    agency_uscc = models.CharField("本机关统一社会信用代码", max_length=18, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name="修改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "国家系统导出设置"
        verbose_name_plural = "国家系统导出设置"

    def __str__(self) -> str:
        return f"{self.owner} {self.agency_uscc}"
