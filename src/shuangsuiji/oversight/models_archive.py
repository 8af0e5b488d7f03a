"""归档 of a completed task (大洼 细则 六(六)): each archive package made, with its digests."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet


class ArchiveTrigger(models.TextChoices):
    COMPLETION = "completion", "任务检查完成时自动生成"
    MANUAL = "manual", "手动重新生成"


class TaskArchive(models.Model):
    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey("planning.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="archives")
    version = models.PositiveSmallIntegerField("第几版")
    task_state = models.CharField("归档时任务状态", max_length=24)
    storage_path = models.CharField("存储路径（私有）", max_length=255)
    zip_sha256 = models.CharField("归档包 SHA-256", max_length=64)
    manifest_sha256 = models.CharField("manifest.json SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    file_count = models.PositiveIntegerField("文件数")
    # The 总结报告 of this version, stored beside the package (the same bytes as 总结报告.pdf/.docx inside it).
    summary_pdf_path = models.CharField("总结报告 PDF 存储路径（私有）", max_length=255, blank=True)
    summary_docx_path = models.CharField("总结报告 Word 存储路径（私有）", max_length=255, blank=True)
    trigger = models.CharField("生成方式", max_length=16, choices=ArchiveTrigger.choices, default=ArchiveTrigger.MANUAL)
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="归档人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("归档时间", auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "任务归档包"
        verbose_name_plural = "任务归档包"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["task", "version"], name="uniq_task_archive_version")]

    def __str__(self) -> str:
        return f"{self.task.code} 归档第{self.version}版"

    def get_absolute_url(self) -> str:
        return reverse("oversight:task_archive", args=[self.task_id])

    @property
    def file_name(self) -> str:
        return f"归档-{self.task.code}-第{self.version}版.zip"

    def summary_file_name(self, fmt: str) -> str:
        return f"{self.task.code} 总结报告（第{self.version}版）.{fmt}"
