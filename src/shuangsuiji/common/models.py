"""Abstract base models."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """One run of a periodic job for one schedule slot (common.jobs.periodic_once): the unique pair lets only
    the first of several job consumers (one beside each app server) run a slot's job."""

    task = models.CharField("任务", max_length=200)
    slot = models.DateTimeField("计划时间")
    worker = models.CharField("运行进程", max_length=200, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    # later attempts at the same slot (other consumers' schedulers), refused
    duplicates = models.PositiveIntegerField("重复触发次数", default=0)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="common_periodic_run_once")]
        indexes = [models.Index(fields=["slot"], name="common_periodic_run_slot")]

    def __str__(self) -> str:
        return f"{self.task} @ {self.slot:%Y-%m-%d %H:%M}"
