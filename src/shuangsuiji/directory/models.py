"""一单两库: 抽查事项清单 (CheckItem), 检查对象名录库 (Target), 执法检查人员名录库 (Inspector)."""

from __future__ import annotations

import datetime

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from shuangsuiji.accounts.scope import OwnedQuerySet
from shuangsuiji.common.crypto import EncryptedTextField, mask_id_number, mask_phone
from shuangsuiji.common.models import TimeStampedModel


class Specialty(models.Model):
    """专业 category (公共场所卫生, 放射卫生 …); data, editable by administrators."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "专业"
        verbose_name_plural = "专业"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    GENERAL = "general", "一般检查事项"
    KEY = "key", "重点检查事项"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公布"
    UNPUBLISHED = "unpublished", "已撤回"
    RETIRED = "retired", "已停用"


class InspectionMethod(models.TextChoices):
    ON_SITE = "on_site", "现场检查"
    DOCUMENTS = "documents", "书面检查"
    ONLINE = "online", "网络检查"
    ENTRUSTED = "entrusted", "委托专业机构"
    TESTING = "testing", "检验检测"


class CheckItem(TimeStampedModel):
    """One version of an item of the 抽查事项清单. Editing a published item creates a new version."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    code = models.CharField("事项编码", max_length=32)
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    specialty = models.ForeignKey(Specialty, verbose_name="专业", on_delete=models.PROTECT)
    name = models.CharField("抽查事项", max_length=200)
    sub_items = models.JSONField("检查内容（小项）", default=list, blank=True)
    legal_basis = models.TextField("抽查依据")
    subject = models.CharField("抽查主体", max_length=128)
    target_type = models.CharField("抽查对象类型", max_length=200, blank=True)
    methods = models.JSONField("抽查方式", default=list, blank=True)
    ratio_percent = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2, default=5)
    frequency = models.CharField("抽查频次", max_length=64, default="每年不少于1次")
    kind = models.CharField("事项类别", max_length=16, choices=ItemKind.choices, default=ItemKind.GENERAL)
    # 专业性强的事项 (玉溪: 专家库): each target checked for it gets an expert of the item's 专业 drawn at random.
    needs_expert = models.BooleanField("需专家参与", default=False)
    status = models.CharField("状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    change_note = models.CharField("修订说明", max_length=255, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["specialty__sort_order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "code", "version"], name="uniq_item_version"),
            models.UniqueConstraint(
                fields=["owner", "code"], condition=models.Q(is_current=True), name="uniq_item_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("directory:item_detail", args=[self.pk])

    @property
    def method_labels(self) -> list[str]:
        labels = dict(InspectionMethod.choices)
        return [labels.get(m, m) for m in self.methods]


class TargetStatus(models.TextChoices):
    OPERATING = "operating", "在营"
    SUSPENDED = "suspended", "停业"
    CANCELLED = "cancelled", "注销"


class RiskClass(models.TextChoices):
    A = "A", "A类（信用风险低）"
    B = "B", "B类（信用风险一般）"
    C = "C", "C类（信用风险较高）"
    D = "D", "D类（信用风险高）"


class RiskFlag(models.TextChoices):
    COMPLAINTS = "complaints", "投诉举报多"
    PENALIZED = "penalized", "受过行政处罚"
    INCIDENT = "incident", "发生突发事件"
    SAMPLING_FAILED = "sampling_failed", "抽检不合格"
    ABNORMAL_LIST = "abnormal_list", "列入经营异常名录"
    BLACKLIST = "blacklist", "严重违法失信名单"


class Target(TimeStampedModel):
    """检查对象: an enterprise or institution under supervision."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    # Stable id for the draw: the USCC, or "L:<licence no.>" for legacy units without one.
    code = models.CharField("对象编码", max_length=64)
    name = models.CharField("名称", max_length=200, db_index=True)
    address = models.CharField("地址", max_length=255, blank=True)
    region = models.ForeignKey("accounts.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    specialties = models.ManyToManyField(Specialty, verbose_name="专业类别", related_name="targets")
    licence_numbers = models.CharField("许可证号", max_length=255, blank=True, help_text="多个以分号分隔")
    legal_representative = models.CharField("法定代表人/负责人", max_length=64, blank=True)
    contact_person = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    status = models.CharField("经营状态", max_length=16, choices=TargetStatus.choices, default=TargetStatus.OPERATING)
    risk_class = models.CharField("信用风险分类", max_length=1, choices=RiskClass.choices, default=RiskClass.B)
    risk_flags = models.JSONField("风险标记", default=list, blank=True)
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True)
    last_result = models.CharField("最近检查结果", max_length=64, blank=True)
    is_retired = models.BooleanField("已移出名录", default=False)

    history = HistoricalRecords(excluded_fields=["contact_phone", "updated_at"])
    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="uniq_target_code")]
        indexes = [models.Index(fields=["owner", "status", "risk_class"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:target_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def risk_flag_labels(self) -> list[str]:
        labels = dict(RiskFlag.choices)
        return [labels.get(f, f) for f in self.risk_flags]


class InspectorStatus(models.TextChoices):
    ON_DUTY = "on_duty", "在岗"
    ON_LEAVE = "on_leave", "休假"
    TRANSFERRED = "transferred", "调离"


class InspectorKind(models.TextChoices):
    OFFICER = "officer", "执法人员"
    ASSISTANT = "assistant", "辅助检查人员"
    EXPERT = "expert", "专家"


class Inspector(TimeStampedModel):
    """执法检查人员."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位（名录库）", on_delete=models.PROTECT)
    name = models.CharField("姓名", max_length=64)
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="工作单位", on_delete=models.PROTECT, related_name="inspectors"
    )
    region = models.ForeignKey("accounts.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    kind = models.CharField("人员类别", max_length=16, choices=InspectorKind.choices, default=InspectorKind.OFFICER)
    licence_no = models.CharField("行政执法证号", max_length=32, blank=True)
    licence_valid_from = models.DateField("执法证有效期起", null=True, blank=True)
    licence_valid_to = models.DateField("执法证有效期止", null=True, blank=True)
    qualifications = models.ManyToManyField(Specialty, verbose_name="可检查专业", related_name="inspectors")
    expertise = models.CharField("业务专长", max_length=255, blank=True)
    tags = models.JSONField("技术特点", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=InspectorStatus.choices, default=InspectorStatus.ON_DUTY)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    phone = EncryptedTextField("手机号", blank=True, default="")
    user = models.OneToOneField(
        "accounts.User", verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inspector_profile",
    )
    is_retired = models.BooleanField("已移出名录", default=False)

    history = HistoricalRecords(excluded_fields=["id_number", "phone", "updated_at"])
    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录库"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "licence_no"], condition=~models.Q(licence_no=""), name="uniq_inspector_licence"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:inspector_detail", args=[self.pk])

    def licence_valid_on(self, day: datetime.date) -> bool:
        if not self.licence_no or self.licence_valid_to is None:
            return False
        start_ok = self.licence_valid_from is None or self.licence_valid_from <= day
        return start_ok and day <= self.licence_valid_to

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class ConflictDeclaration(TimeStampedModel):
    """利害关系申报 (回避): the inspector must never be matched to this target in the period."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    inspector = models.ForeignKey(Inspector, verbose_name="执法人员", on_delete=models.CASCADE, related_name="conflicts")
    target = models.ForeignKey(Target, verbose_name="检查对象", on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField("利害关系", max_length=255)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.inspector} — {self.target}"


class FlagSource(models.TextChoices):
    INSPECTION = "inspection", "检查结果"
    PENALTY = "penalty", "行政处罚决定"
    COMPLAINT = "complaint", "投诉举报"
    SAMPLING = "sampling", "抽检结果"
    INCIDENT = "incident", "突发事件报告"
    IMPORTED_LIST = "imported_list", "导入的经营异常/严重违法失信名单"
    MANUAL = "manual", "人工登记"


class FlagStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    ENDED = "ended", "已解除"
    WITHDRAWN = "withdrawn", "已撤销"


# Flags that are a state with a start and an end (on a list until 移出), not a dated event: they count for a draw
# when the target was on the list at any time of the look-back window.
STATE_FLAGS = frozenset({"abnormal_list", "blacklist"})


class TargetFlagRecord(TimeStampedModel):
    """A dated risk flag with its source (大洼: "上年度投诉举报较多、受到同类处罚……应当纳入年度随机抽查范围").

    The draw counts a flag when it occurred in the look-back window before the draw day (上年度 and this year by
    default), so an old penalty stops making a target mandatory; undated flags in ``Target.risk_flags`` (entered
    before flags had dates) count as current.
    """

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    target = models.ForeignKey(Target, verbose_name="检查对象", on_delete=models.CASCADE, related_name="flag_records")
    flag = models.CharField("风险标记", max_length=32, choices=RiskFlag.choices)
    occurred_on = models.DateField("发生日期")
    source = models.CharField("来源", max_length=16, choices=FlagSource.choices)
    reference = models.CharField("来源文书/编号", max_length=200, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 解除 (a list flag: 移出名录 on ``ended_on``) or 撤销 (entered in error, never counts); the row is kept as history.
    status = models.CharField("状态", max_length=16, choices=FlagStatus.choices, default=FlagStatus.ACTIVE)
    ended_on = models.DateField("解除日期", null=True, blank=True)
    closed_reason = models.CharField("解除/撤销原因", max_length=255, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name="解除/撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("解除/撤销时间", null=True, blank=True)
    list_import = models.ForeignKey(
        "directory.FlagListImport", verbose_name="导入的名单", null=True, blank=True, on_delete=models.PROTECT,
        related_name="flags",
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "风险标记记录"
        verbose_name_plural = "风险标记记录"
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "flag", "occurred_on", "source", "reference"], name="uniq_target_flag_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.get_flag_display()}（{self.occurred_on}，{self.get_source_display()}）"

    @property
    def is_state(self) -> bool:
        return self.flag in STATE_FLAGS

    @property
    def reason_text(self) -> str:
        ref = f"，{self.reference}" if self.reference else ""
        day = _cn_date(self.occurred_on)
        if self.is_state:
            until = f"，{_cn_date(self.ended_on)}移出" if self.ended_on else ""
            return f"{self.get_flag_display()}（{day}列入{until}，{self.get_source_display()}{ref}）"
        return f"{self.get_flag_display()}（{day}，{self.get_source_display()}{ref}）"


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class ImportKind(models.TextChoices):
    TARGETS = "targets", "检查对象"
    INSPECTORS = "inspectors", "执法检查人员"
    ITEMS = "items", "抽查事项"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "导入中"
    FAILED = "failed", "校验未通过"
    DONE = "done", "已完成"
    ERROR = "error", "出错"


class ImportJob(TimeStampedModel):
    """An Excel/CSV import: validated as a whole, saved all-or-nothing, progress visible while running."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="所属单位", on_delete=models.PROTECT)
    created_by = models.ForeignKey("accounts.User", verbose_name="导入人", on_delete=models.PROTECT)
    kind = models.CharField("导入类型", max_length=16, choices=ImportKind.choices)
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("文件路径", max_length=500)
    file_sha256 = models.CharField("文件哈希", max_length=64)
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    message = models.CharField("说明", max_length=255, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


# The 合法性审查 models live in their own module; imported here so Django registers them with the app.
from shuangsuiji.directory.models_flags import FlagList, FlagListImport  # noqa: E402,F401
from shuangsuiji.directory.models_review import ItemReview, ItemReviewEntry, ItemReviewStatus  # noqa: E402,F401
