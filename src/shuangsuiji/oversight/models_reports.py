"""Models of statistics and reports: the organization register, the 月报表 and the 半年/全年情况报告, and the
maintained summary of the 检查对象名录库 the dashboards read.

* Register (seed 001 “完善领导小组机构建设”, seed 003 附件): ``LeadingGroupMember`` (领导小组), ``DutyAssignment``
  (数据汇总工作分工 / 业务指导专家), ``WorkEvent`` (the meetings, documents and trainings the 月报表 asks for —
  they are not otherwise in the system). Phones are personal data: encrypted at rest, masked in pages.
* Reports: ``MonthlyReport`` (seed 001 附件) and ``PeriodReport`` (seed 003: 半年 due 7月2日, 全年 due 11月15日).
  A draft is editable; submitting freezes a JSON snapshot (with its SHA-256) that every later download is
  rendered from, and the upper level lists submitted reports only.
* ``TargetStat``: counts of targets per bureau × 专业 × status × risk class × year of the last inspection,
  refreshed by ``oversight.summary`` (a county's library is re-counted when it changes, the province-wide
  dashboard reads a few thousand rows instead of a million targets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet, readable_owner_ids, user_bureau
from shuangsuiji.common.crypto import EncryptedTextField, mask_phone
from shuangsuiji.common.models import TimeStampedModel

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


# ---------------------------------------------------------------------------------------- register


class GroupRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"
    LIAISON = "liaison", "联络员"


class LeadingGroupMember(TimeStampedModel):
    """A member of the bureau's “双随机、一公开”监管工作领导小组 (seed 000: 组长/副组长/成员/联络员)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT,
                              related_name="+")
    name = models.CharField("姓名", max_length=64)
    group_role = models.CharField("小组职务", max_length=16, choices=GroupRole.choices, default=GroupRole.MEMBER)
    position = models.CharField("单位及职务", max_length=128, help_text="如：市卫生健康委副主任")
    duties = models.CharField("分工职责", max_length=255, blank=True)
    phone = EncryptedTextField("联系电话", blank=True, default="")
    email = models.EmailField("邮箱", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("在任", default=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "领导小组成员"
        verbose_name_plural = "领导小组成员"
        ordering = ["owner", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_group_role_display()} {self.name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class DutyKind(models.TextChoices):
    DIVISION = "division", "数据汇总工作分工"
    EXPERT = "expert", "业务指导专家"


class DutyAssignment(TimeStampedModel):
    """One line of the 工作分工暨业务指导专家名单 (seed 003 附件): 工作内容, 责任科室, 负责人, 联系方式."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT,
                              related_name="+")
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类别", max_length=16, choices=DutyKind.choices, default=DutyKind.DIVISION)
    work_content = models.CharField("工作内容", max_length=255)
    specialties = models.ManyToManyField("directory.Specialty", verbose_name="对应专业", blank=True, related_name="+")
    section = models.CharField("责任科室", max_length=64)
    person = models.CharField("负责人/专家", max_length=64)
    phone = EncryptedTextField("电话", blank=True, default="")
    email = models.EmailField("邮箱", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "工作分工/业务指导专家"
        verbose_name_plural = "工作分工/业务指导专家"
        ordering = ["owner", "-year", "kind", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.work_content}：{self.section} {self.person}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class WorkEventKind(models.TextChoices):
    MEETING = "meeting", "会议"
    DOCUMENT = "document", "印发文件"
    TRAINING = "training", "业务培训"


class WorkEvent(TimeStampedModel):
    """A meeting, a document issued or a training about 双随机 work (月报表 rows 1–3)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField("类别", max_length=16, choices=WorkEventKind.choices)
    title = models.CharField("名称", max_length=200, help_text="会议名称 / 文件名称 / 培训班名称")
    held_on = models.DateField("日期", help_text="召开日期 / 印发日期 / 培训日期")
    document_number = models.CharField("文号", max_length=64, blank=True)
    participants = models.PositiveIntegerField("参加人数", null=True, blank=True)
    content = models.TextField("内容", blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "会议/文件/培训登记"
        verbose_name_plural = "会议/文件/培训登记"
        ordering = ["owner", "-held_on", "-pk"]
        indexes = [models.Index(fields=["owner", "held_on"], name="workevent_owner_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


# ---------------------------------------------------------------------------------------- reports


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "编辑中"
    SUBMITTED = "submitted", "已报送"


class ReportQuerySet(OwnedQuerySet[Any]):
    """A report is read by its own bureau; the upper level sees it only once it has been submitted."""

    def visible_to(self, user: User) -> Any:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        bureau = user_bureau(user)
        own = bureau.pk if bureau is not None else -1
        others = [i for i in ids if i != own]
        return self.filter(models.Q(owner_id=own) | models.Q(owner_id__in=others, status=ReportStatus.SUBMITTED))


class ReportBase(TimeStampedModel):
    owner = models.ForeignKey("accounts.Organization", verbose_name="报送单位", on_delete=models.PROTECT,
                              related_name="+")
    year = models.PositiveIntegerField("年度")
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # What the user typed over the generated text, by field key; absent keys use the data.
    texts = models.JSONField("填写内容", default=dict, blank=True)
    contact_person = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    mobile = EncryptedTextField("手机", blank=True, default="")
    snapshot = models.JSONField("报送时的内容（冻结）", null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField("冻结内容摘要（SHA-256）", max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="报送人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class MonthlyReport(ReportBase):
    """“双随机、一公开”监管工作月报表 (seed 001 附件) of a bureau for one month."""

    month = models.PositiveSmallIntegerField("月份")
    filled_on = models.DateField("填表时间", null=True, blank=True)
    website = models.CharField("结果公示网站", max_length=200, blank=True)

    class Meta:
        verbose_name = "月报表"
        verbose_name_plural = "月报表"
        ordering = ["-year", "-month", "owner"]
        constraints = [models.UniqueConstraint(fields=["owner", "year", "month"], name="uniq_monthly_report")]

    def __str__(self) -> str:
        return f"{self.owner.name}{self.year}年{self.month}月“双随机、一公开”监管工作月报表"

    def get_absolute_url(self) -> str:
        return reverse("oversight:monthly_detail", args=[self.pk])


class PeriodKind(models.TextChoices):
    HALF_YEAR = "half_year", "半年情况报告"
    ANNUAL = "annual", "全年情况报告"


class PeriodReport(ReportBase):
    """半年 / 全年情况报告 (seed 003): figures, per-专业 tables, charts and the user's text sections."""

    kind = models.CharField("类别", max_length=16, choices=PeriodKind.choices)
    period_end = models.DateField("统计截止日期")

    class Meta:
        verbose_name = "半年/全年情况报告"
        verbose_name_plural = "半年/全年情况报告"
        ordering = ["-year", "kind", "owner"]
        constraints = [models.UniqueConstraint(fields=["owner", "year", "kind"], name="uniq_period_report")]

    def __str__(self) -> str:
        label = "半年" if self.kind == PeriodKind.HALF_YEAR else "全年"
        return f"{self.owner.name}{self.year}年“双随机、一公开”抽查工作{label}情况报告"

    def get_absolute_url(self) -> str:
        return reverse("oversight:period_detail", args=[self.pk])


# ---------------------------------------------------------------------------------------- summary


class TargetStat(models.Model):
    """Count of a bureau's targets (not removed from the library) per 专业 (NULL: all 专业), status, risk
    class and year of the last inspection (NULL: never). Written only by ``oversight.summary``."""

    owner = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey("directory.Specialty", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    status = models.CharField(max_length=16)
    risk_class = models.CharField(max_length=1)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = "检查对象统计"
        verbose_name_plural = "检查对象统计"
        indexes = [models.Index(fields=["owner", "specialty"], name="targetstat_owner_spec")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.specialty_id}/{self.status}/{self.risk_class}/{self.last_year}: {self.count}"


class TargetStatStamp(models.Model):
    """When a bureau's ``TargetStat`` rows were counted, and whether its library changed since."""

    owner = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()
    dirty = models.BooleanField(default=False)
    target_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "检查对象统计时间"
        verbose_name_plural = "检查对象统计时间"

    def __str__(self) -> str:
        return f"{self.owner_id} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class FigureSnapshot(models.Model):
    """A bureau's work figures of a year as of one day (tasks, draws, results, cases, penalties, reminder chain,
    per 专业 / month / result code), so that an upper level's dashboard sums a few hundred rows instead of
    re-aggregating every record. Written only by ``oversight.snapshots``; stale when ``dirty`` (something of
    the bureau was saved), of another day, or older than ``SSJ_DASHBOARD_SNAPSHOT_MAX_AGE`` seconds."""

    owner = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    dirty = models.BooleanField(default=False)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        constraints = [models.UniqueConstraint(fields=["owner", "year"], name="uniq_figure_snapshot")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.year} @ {self.as_of}"
