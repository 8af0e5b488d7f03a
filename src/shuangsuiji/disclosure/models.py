"""What the public portal publishes about results: snapshots taken at publication time.

Items, plans, tasks and draws are shown straight from their own tables (their rows are immutable once
published or versioned). Inspection results are copied into ``PublishedResult`` when they are published: the
public sees exactly what was published on that day, the search has its own indexes (1,000,000 rows and more),
and a result held back under the law (依法不宜公开) is kept here with its recorded reason but never shown.
"""

from __future__ import annotations

from django.db import models

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.models import TimeStampedModel


class ResultGroup(models.TextChoices):
    """Publication groups of seed 003 (平顶山 2021): the categories the public filters by."""

    NO_PROBLEM = "no_problem", "未发现问题"
    RECTIFIED = "rectified", "发现问题已责令整改"
    PENALTY = "penalty", "行政处罚"
    UNREACHABLE = "unreachable", "无法联系"
    OTHER = "other", "其他"


class ResultRelease(TimeStampedModel):
    """One publication (公示) of results of a task: the announcement the portal and the feed list."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="公示单位", on_delete=models.PROTECT)
    task = models.ForeignKey("planning.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("公告标题", max_length=255)
    public_count = models.PositiveIntegerField("公开户数", default=0)
    withheld_count = models.PositiveIntegerField("依法不予公开户数", default=0)
    task_completed_on = models.DateField("任务完成日期", null=True, blank=True)
    due_on = models.DateField("公示期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    published_at = models.DateTimeField("公示时间", db_index=True)
    published_by = models.ForeignKey(
        "accounts.User", verbose_name="公示人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "结果公示批次"
        verbose_name_plural = "结果公示批次"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


PUBLIC = models.Q(is_public=True)


class PublishedResult(TimeStampedModel):
    """One published result: one inspected target of one task (一企一表), as published."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="公示单位", on_delete=models.PROTECT)
    source_key = models.CharField("来源记录", max_length=64, unique=True)
    release = models.ForeignKey(
        ResultRelease, verbose_name="公示批次", null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    task = models.ForeignKey(
        "planning.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="published_results"
    )
    task_code = models.CharField("任务编号", max_length=32)
    task_title = models.CharField("任务名称", max_length=200)
    organization_name = models.CharField("检查实施机关", max_length=200)
    target = models.ForeignKey(
        "directory.Target", verbose_name="检查对象", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    enterprise_name = models.CharField("检查对象名称", max_length=200)
    name_search = models.TextField("名称（检索用）", editable=False)
    name_bigrams = models.TextField("名称二元组（检索用）", editable=False, default="")
    region = models.ForeignKey("accounts.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    specialties = models.ManyToManyField(
        "directory.Specialty", verbose_name="专业", through="PublishedResultSpecialty", related_name="+"
    )
    specialty_names = models.CharField("专业（名称）", max_length=255, blank=True)
    year = models.PositiveSmallIntegerField("年度")
    inspected_on = models.DateField("检查日期")
    result_group = models.CharField("结果类别", max_length=16, choices=ResultGroup.choices)
    result_label = models.CharField("抽查结果", max_length=128)
    result_detail = models.TextField("结果说明", blank=True)
    is_public = models.BooleanField("已公开", default=True)
    withheld_reason = models.TextField("不予公开的依据和理由", blank=True)
    withheld_by = models.ForeignKey(
        "accounts.User", verbose_name="决定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withheld_at = models.DateTimeField("决定时间", null=True, blank=True)
    published_at = models.DateTimeField("公示时间")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "公示的抽查结果"
        verbose_name_plural = "公示的抽查结果"
        # Newest publication first = highest id first (rows are written when they are published), so every
        # filter below can walk its index in order and stop at the page.
        ordering = ["-id"]
        # Partial on is_public (what every public query asks for): the counts are index-only.
        indexes = [
            models.Index(fields=["uscc", "-id"], name="pubres_uscc", condition=PUBLIC),
            models.Index(fields=["region", "year", "-id"], name="pubres_region_year", condition=PUBLIC),
            models.Index(fields=["year", "result_group", "-id"], name="pubres_year_group", condition=PUBLIC),
            models.Index(fields=["year", "-id"], name="pubres_year", condition=PUBLIC),
            models.Index(fields=["result_group", "-id"], name="pubres_group", condition=PUBLIC),
            models.Index(fields=["task", "enterprise_name"], name="pubres_task_name"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} · {self.task_code} · {self.result_label}"


class PublishedResultSpecialty(models.Model):
    result = models.ForeignKey(PublishedResult, on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey("directory.Specialty", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "公示结果专业"
        verbose_name_plural = "公示结果专业"
        constraints = [models.UniqueConstraint(fields=["specialty", "result"], name="uniq_pubres_specialty")]
        indexes = [models.Index(fields=["result", "specialty"], name="pubres_specialty_result")]

    def __str__(self) -> str:
        return f"{self.result_id}:{self.specialty_id}"


class PublishedPenalty(TimeStampedModel):
    """行政处罚 information of a result: public within 7 working days of the decision."""

    result = models.ForeignKey(PublishedResult, verbose_name="抽查结果", on_delete=models.PROTECT, related_name="penalties")
    source_key = models.CharField("来源记录", max_length=64, unique=True)
    decision_no = models.CharField("处罚决定书文号", max_length=64)
    decided_on = models.DateField("处罚决定日期")
    authority = models.CharField("处罚机关", max_length=200)
    violation = models.TextField("主要违法事实")
    basis = models.TextField("处罚依据", blank=True)
    content = models.TextField("处罚内容")
    is_public = models.BooleanField("已公开", default=True)
    withheld_reason = models.TextField("不予公开的依据和理由", blank=True)
    due_on = models.DateField("公示期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    published_at = models.DateTimeField("公示时间")
    published_by = models.ForeignKey(
        "accounts.User", verbose_name="公示人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "公示的行政处罚"
        verbose_name_plural = "公示的行政处罚"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.decision_no


# The national-export settings live in their own module; imported here so Django registers the model.
from shuangsuiji.disclosure.models_national import NationalExportProfile  # noqa: E402,F401
