"""Working-day calendar table, statutory deadlines and the reminder chain (事前提醒 / 事中督办 / 事后问责).

Scope: ``Deadline``, ``Supervision`` and ``Accountability`` belong to a bureau-level ``owner`` (the readable
scope of ``accounts.scope``); ``Notification`` belongs to its recipient only. The calendar is national and
read by everyone; only administrators change it (through ``deadlines.calendar_services``).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import NoReverseMatch, reverse

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.models import TimeStampedModel

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


# ---------------------------------------------------------------------------------------- calendar


class CalendarSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", "chinesecalendar 软件包"
    NOTICE = "notice", "国务院办公厅通知导入"
    MANUAL = "manual", "管理员录入"


class CalendarYear(models.Model):
    """A year whose official holiday notice is in the table: dates in it are exact, not provisional."""

    year = models.PositiveIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=32, choices=CalendarSource.choices)
    notice_title = models.CharField("通知名称", max_length=200, blank=True)
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name="更新人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "oversight_calendaryear"  # created by the oversight app before deadlines existed
        verbose_name = "已录入放假安排的年份"
        verbose_name_plural = "已录入放假安排的年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", "放假"
    MAKEUP_WORKDAY = "makeup_workday", "调休上班"


class CalendarDay(models.Model):
    """One exception to Monday–Friday: an official day off or a 调休 weekend working day.

    ``year`` is the notice the day belongs to: 元旦 days at the end of December belong to the next year's
    notice (2018年12月30日 was set by the 2019 notice).
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=CalendarDayKind.choices)
    year = models.PositiveIntegerField("所属年度通知", db_index=True)
    name = models.CharField("节日名称", max_length=32)
    source = models.CharField("来源", max_length=32, choices=CalendarSource.choices, default=CalendarSource.MANUAL)
    note = models.CharField("备注", max_length=255, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name="更新人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "oversight_calendarday"  # created by the oversight app before deadlines existed
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日 {self.get_kind_display()}（{self.name}）"

    def clean(self) -> None:
        if self.kind == CalendarDayKind.MAKEUP_WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": "周一至周五本来就是工作日，不能登记为调休上班"})
        if self.date and self.year and self.year not in (self.date.year, self.date.year + 1):
            raise ValidationError({"year": "所属年度通知应为该日期所在年份（元旦调休可为下一年）"})


class CalendarRevision(models.Model):
    """One row whose token changes with every calendar change: the process caches compare it (one query)."""

    token = models.CharField(max_length=36, default="initial")

    class Meta:
        db_table = "oversight_calendarrevision"  # created by the oversight app before deadlines existed
        verbose_name = "工作日历版本"
        verbose_name_plural = "工作日历版本"

    def __str__(self) -> str:
        return self.token

    @classmethod
    def bump(cls) -> None:
        updated = cls.objects.filter(pk=1).update(token=str(uuid.uuid4()))
        if not updated:
            cls.objects.create(pk=1, token=str(uuid.uuid4()))


# ---------------------------------------------------------------------------------------- deadlines


class DeadlineKind(models.TextChoices):
    ANNUAL_PLAN_FILING = "annual_plan_filing", "年度抽查计划报送"
    JOINT_PLAN_FILING = "joint_plan_filing", "联合抽查计划报送"
    DRAW_CONFIRMATION = "draw_confirmation", "抽取结果确认"
    RESULT_ENTRY = "result_entry", "检查结果录入"
    INSPECTION_REVIEW = "inspection_review", "检查结果审核"
    RESULT_PUBLICATION = "result_publication", "抽查结果公示"
    PENALTY_PUBLICATION = "penalty_publication", "行政处罚信息公示"
    RECTIFICATION = "rectification", "责令整改复查"
    HALF_YEAR_REPORT = "half_year_report", "半年工作情况报告"
    ANNUAL_REPORT = "annual_report", "全年工作情况报告"
    MONTHLY_REPORT = "monthly_report", "月报表报送"
    SUPERVISION_RECTIFICATION = "supervision_rectification", "督查整改答复"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "未到期"
    NEAR = "near", "临近"
    OVERDUE = "overdue", "逾期"
    COMPLETED = "completed", "已完成"


STATUS_BADGE = {
    DeadlineStatus.PENDING: "bg-blue-lt",
    DeadlineStatus.NEAR: "bg-yellow text-yellow-fg",
    DeadlineStatus.OVERDUE: "bg-red text-red-fg",
    DeadlineStatus.COMPLETED: "bg-green text-green-fg",
}


class DeadlineSettings(models.Model):
    """Time limits of a region (and the regions below it); the row without region is the national default.

    Fixed dates (年度计划 1月31日 …) roll to the next working day when they fall on a day off (民法典第二百零三条).
    """

    region = models.OneToOneField(
        "accounts.Region", verbose_name="适用区划（空为默认）", null=True, blank=True, on_delete=models.CASCADE,
        related_name="deadline_settings",
    )
    annual_plan_month = models.PositiveSmallIntegerField("年度抽查计划报送截止月", default=1)
    annual_plan_day = models.PositiveSmallIntegerField("年度抽查计划报送截止日", default=31)
    joint_plan_month = models.PositiveSmallIntegerField("联合抽查计划报送截止月", default=3)
    joint_plan_day = models.PositiveSmallIntegerField("联合抽查计划报送截止日", default=31)
    half_year_report_month = models.PositiveSmallIntegerField("半年报告截止月", default=7)
    half_year_report_day = models.PositiveSmallIntegerField("半年报告截止日", default=2)
    annual_report_month = models.PositiveSmallIntegerField("全年报告截止月", default=11)
    annual_report_day = models.PositiveSmallIntegerField("全年报告截止日", default=15)
    draw_confirmation_workdays = models.PositiveSmallIntegerField("抽取结果确认（工作日）", default=2)
    result_entry_workdays = models.PositiveSmallIntegerField("检查结果录入（工作日）", default=10)
    inspection_review_workdays = models.PositiveSmallIntegerField("检查结果审核（工作日，提交后）", default=5)
    result_publication_workdays = models.PositiveSmallIntegerField("抽查结果公示（工作日）", default=20)
    penalty_publication_workdays = models.PositiveSmallIntegerField("行政处罚信息公示（工作日）", default=7)
    reminder_workdays = models.PositiveSmallIntegerField("到期前提醒（工作日）", default=3)
    accountability_after_workdays = models.PositiveSmallIntegerField(
        "逾期超过该工作日数仍未完成即启动问责", default=5
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "oversight_deadlinesettings"  # created by the oversight app before deadlines existed
        verbose_name = "时限设置"
        verbose_name_plural = "时限设置"
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(region__isnull=True), name="uniq_default_deadline_settings"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region.name if self.region else '默认'}时限设置"

    def clean(self) -> None:
        for prefix, label in (
            ("annual_plan", "年度抽查计划"), ("joint_plan", "联合抽查计划"),
            ("half_year_report", "半年报告"), ("annual_report", "全年报告"),
        ):
            month, day = getattr(self, f"{prefix}_month"), getattr(self, f"{prefix}_day")
            try:
                datetime.date(2025, month, day)  # a common year: 2月29日 is not a valid yearly date
            except (TypeError, ValueError):
                raise ValidationError(f"{label}截止日期 {month}月{day}日 无效") from None


class DeadlineQuerySet(OwnedQuerySet["Deadline"]):
    def open(self) -> DeadlineQuerySet:
        return self.filter(completed_at__isnull=True)

    def with_status(self, today: datetime.date) -> DeadlineQuerySet:
        """Annotate ``current_status`` as of ``today`` (status is never stored, so it is never stale)."""
        return self.annotate(
            current_status=Case(
                When(completed_at__isnull=False, then=Value(DeadlineStatus.COMPLETED.value)),
                When(suspended_since__isnull=False, then=Value(DeadlineStatus.PENDING.value)),
                When(due_date__lt=today, then=Value(DeadlineStatus.OVERDUE.value)),
                When(remind_on__lte=today, then=Value(DeadlineStatus.NEAR.value)),
                default=Value(DeadlineStatus.PENDING.value),
                output_field=models.CharField(),
            )
        )

    def in_status(self, status: str, today: datetime.date) -> DeadlineQuerySet:
        if status == DeadlineStatus.COMPLETED:
            return self.filter(completed_at__isnull=False)
        if status == DeadlineStatus.OVERDUE:
            return self.open().filter(due_date__lt=today, suspended_since__isnull=True)
        if status == DeadlineStatus.NEAR:
            return self.open().filter(due_date__gte=today, remind_on__lte=today, suspended_since__isnull=True)
        if status == DeadlineStatus.PENDING:  # a suspended (中止) deadline cannot fall due
            return self.open().filter(Q(remind_on__gt=today) | Q(suspended_since__isnull=False))
        return self.none()


class Deadline(TimeStampedModel):
    """A statutory time limit attached to its subject (plan, task, record, decision, report …)."""

    owner = models.ForeignKey(
        "accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="责任单位", on_delete=models.PROTECT, related_name="deadlines"
    )
    content_type = models.ForeignKey(ContentType, verbose_name="事项类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("事项编号")
    subject = GenericForeignKey("content_type", "object_id")
    subject_repr = models.CharField("事项", max_length=255)
    kind = models.CharField("期限类型", max_length=32, choices=DeadlineKind.choices)
    responsible = models.ForeignKey(
        "accounts.User", verbose_name="责任人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="deadlines",
    )
    start_date = models.DateField("起算日", null=True, blank=True)
    workdays = models.PositiveSmallIntegerField("工作日数", null=True, blank=True)
    nominal_due = models.DateField("规定截止日（顺延前）", null=True, blank=True)
    due_explicit = models.BooleanField("截止日由业务直接指定", default=False)
    rule = models.CharField("计算规则", max_length=255)
    due_date = models.DateField("截止日期")
    remind_workdays = models.PositiveSmallIntegerField("提前提醒工作日数", default=3)
    remind_on = models.DateField("提醒日期")
    provisional = models.BooleanField("暂定", default=False)
    provisional_reason = models.CharField("暂定原因", max_length=255, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User", verbose_name="完成操作人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_late = models.BooleanField("逾期完成", default=False)
    late_workdays = models.PositiveIntegerField("逾期工作日数", default=0)
    # 中止: the time limit stops while a recorded reason holds it (e.g. waiting for a 检验检测报告); on resumption
    # the due date moves by the working days it was held (``deadlines.suspension``).
    suspended_since = models.DateField("中止起始日", null=True, blank=True)
    suspension_reason = models.CharField("中止原因", max_length=255, blank=True)
    suspended_workdays = models.PositiveIntegerField("已中止工作日数", default=0)
    suspensions = models.JSONField("中止记录", default=list, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        db_table = "oversight_deadline"  # created by the oversight app before deadlines existed
        verbose_name = "期限"
        verbose_name_plural = "期限台账"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "kind"], name="uniq_deadline_subject_kind")
        ]
        indexes = [
            models.Index(fields=["owner", "due_date"], name="deadline_owner_due"),
            models.Index(fields=["completed_at", "remind_on"], name="deadline_open_remind"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_repr} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("deadlines:deadline_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return str(self)

    @property
    def subject_url(self) -> str:
        subject = self.subject
        getter = getattr(subject, "get_absolute_url", None)
        if getter is None:
            return ""
        try:
            return str(getter())
        except NoReverseMatch:  # the subject's pages may not exist yet
            return ""

    def status_on(self, today: datetime.date) -> DeadlineStatus:
        if self.completed_at is not None:
            return DeadlineStatus.COMPLETED
        if self.suspended_since is not None:
            return DeadlineStatus.PENDING
        if self.due_date < today:
            return DeadlineStatus.OVERDUE
        if self.remind_on <= today:
            return DeadlineStatus.NEAR
        return DeadlineStatus.PENDING

    @property
    def current_status_label(self) -> str:
        status = getattr(self, "current_status", None)
        return DeadlineStatus(status).label if status else ""

    @property
    def current_status_badge(self) -> str:
        status = getattr(self, "current_status", None)
        return STATUS_BADGE.get(DeadlineStatus(status), "") if status else ""


# ---------------------------------------------------------------------------------------- notifications


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "懒政提醒"
    SUPERVISION = "supervision", "怠政督办"
    SUPERVISION_ANSWER = "supervision_answer", "督办答复"
    PROMISE_BROKEN = "promise_broken", "承诺期限已过"
    ACCOUNTABILITY = "accountability", "失职问责"
    INFO = "info", "通知"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    NO_ADDRESS = "no_address", "无邮箱"
    FAILED = "failed", "发送失败"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user, also sent by email. ``key`` makes every sending idempotent."""

    recipient = models.ForeignKey(
        "accounts.User", verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=24, choices=NotificationKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=255, blank=True)
    deadline = models.ForeignKey(
        Deadline, verbose_name="期限", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField("去重键", max_length=160, unique=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    email_status = models.CharField(
        "邮件", max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING, db_index=True
    )
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_error = models.CharField("邮件错误", max_length=255, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "oversight_notification"  # created by the oversight app before deadlines existed
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------- 督办 / 问责


class SupervisionStatus(models.TextChoices):
    AWAITING_ANSWER = "awaiting", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class Supervision(models.Model):
    """督办: an overdue deadline escalated to the responsible person's leaders and the 双随机办."""

    owner = models.ForeignKey(
        "accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.OneToOneField(
        Deadline, verbose_name="期限", on_delete=models.CASCADE, related_name="supervision"
    )
    responsible = models.ForeignKey(
        "accounts.User", verbose_name="被督办人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="supervisions",
    )
    addressees = models.ManyToManyField(
        "accounts.User", verbose_name="督办人（领导、双随机办）", blank=True, related_name="supervising"
    )
    overdue_workdays = models.PositiveIntegerField("督办时已逾期工作日数", default=0)
    status = models.CharField(
        "状态", max_length=16, choices=SupervisionStatus.choices, default=SupervisionStatus.AWAITING_ANSWER
    )
    answer_reason = models.TextField("逾期原因", blank=True)
    promised_date = models.DateField("承诺完成日期", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", verbose_name="答复人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("督办时间", auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        db_table = "oversight_supervision"  # created by the oversight app before deadlines existed
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"督办：{self.deadline}"

    def get_absolute_url(self) -> str:
        return reverse("deadlines:supervision_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"督〔{self.created_at.year}〕{self.pk}号"


class AccountabilityTrigger(models.TextChoices):
    OVERDUE = "overdue", "逾期超过时限仍未完成"
    COMPLETED_LATE = "completed_late", "逾期完成"


class AccountabilityStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CONCLUDED = "concluded", "已处理"


class Accountability(models.Model):
    """事后失职问责: who missed what, by how many working days; visible to leaders and supervisors."""

    owner = models.ForeignKey(
        "accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.OneToOneField(
        Deadline, verbose_name="期限", on_delete=models.CASCADE, related_name="accountability"
    )
    person = models.ForeignKey(
        "accounts.User", verbose_name="责任人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="accountabilities",
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    what = models.CharField("事项", max_length=255)
    due_date = models.DateField("截止日期")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    late_workdays = models.PositiveIntegerField("逾期工作日数")
    trigger = models.CharField("启动原因", max_length=16, choices=AccountabilityTrigger.choices)
    status = models.CharField(
        "处理状态", max_length=16, choices=AccountabilityStatus.choices, default=AccountabilityStatus.OPEN
    )
    conclusion = models.TextField("处理意见", blank=True)
    concluded_by = models.ForeignKey(
        "accounts.User", verbose_name="处理人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concluded_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        db_table = "oversight_accountability"  # created by the oversight app before deadlines existed
        verbose_name = "问责记录"
        verbose_name_plural = "问责记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"问责：{self.what}"

    def get_absolute_url(self) -> str:
        return reverse("deadlines:accountability_detail", args=[self.pk])
