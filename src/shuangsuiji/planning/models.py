"""年度抽查计划, 联合抽查计划, national task lists, 抽查任务 and their 工作方案."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet, readable_owner_ids, user_bureau
from shuangsuiji.common.models import TimeStampedModel

# the rule models are registered with this app by being imported here
from shuangsuiji.planning.rule_models import CoverageFloor, DrawRuleSettings, PlanFilingDuty, default_flags  # noqa: F401

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

RISK_CLASSES = ("A", "B", "C", "D")


def format_ratios(ratios: dict[str, Any]) -> str:
    """{"A": 1.0, "B": 2.5, …} → "A 1% / B 2.5% / C 10% / D 30%"."""
    parts = []
    for risk in RISK_CLASSES:
        value = ratios.get(risk)
        parts.append(f"{risk} {float(value):g}%" if value is not None else f"{risk} —")
    return " / ".join(parts)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "起草"
    SUBMITTED = "submitted", "已提交审查"
    REVIEWED = "reviewed", "合法性审查通过"
    APPROVED = "approved", "已批准"
    FILED = "filed", "已备案"
    PUBLISHED = "published", "已公布"
    SUPERSEDED = "superseded", "已被调整后的计划取代"


# Statuses in which a plan has been 备案 to the upper level and so is readable there.
FILED_STATUSES = (PlanStatus.FILED, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)


class AnnualPlanQuerySet(OwnedQuerySet["AnnualPlan"]):
    """A plan is read by its own bureau; the upper level sees it only once it has been filed (备案)."""

    def visible_to(self, user: User) -> Any:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        bureau = user_bureau(user)
        own = bureau.pk if bureau is not None else -1
        others = [i for i in ids if i != own]
        return self.filter(models.Q(owner_id=own) | models.Q(owner_id__in=others, status__in=FILED_STATUSES))


class AnnualPlan(TimeStampedModel):
    """年度抽查计划 of a bureau for a year; an adjustment is a new version linked to the previous one."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="制定单位", on_delete=models.PROTECT)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    version = models.PositiveIntegerField("版本", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="调整前计划", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    adjustment_reason = models.TextField("调整原因", blank=True)
    status = models.CharField("状态", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    overall_goal_percent = models.DecimalField("年度抽查监管主体占比目标（%）", max_digits=5, decimal_places=2, default=3)
    description = models.TextField("说明", blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    filed_at = models.DateTimeField("备案时间", null=True, blank=True)
    # Draw rules of the plan's tasks; empty = the bureau's settings (planning.rules resolves them).
    cycle_years = models.PositiveSmallIntegerField("全覆盖周期（年）", null=True, blank=True)
    cycle_mode = models.CharField("覆盖方式", max_length=8, blank=True)
    # 玉溪: 不同地区的抽查比重 — {region code: weight}; the draw weights candidates of those regions.
    region_weights = models.JSONField("不同地区的抽查比重", default=dict, blank=True)
    coverage_justification = models.TextField("低于最低抽查比例的说明", blank=True)

    objects = AnnualPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "年度抽查计划"
        verbose_name_plural = "年度抽查计划"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["owner", "year", "version"], name="uniq_plan_version")]

    def __str__(self) -> str:
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.title}{suffix}"

    def get_absolute_url(self) -> str:
        return reverse("planning:plan_detail", args=[self.pk])


class CoverageRule(models.TextChoices):
    NONE = "none", "按比例"
    FULL = "full", "全覆盖（100%）"
    LAST_YEAR = "last_year", "不低于上年检查数量"


class AnnualPlanLine(models.Model):
    """One item of the plan: which item, ratios per risk class, months, responsible 科室."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("directory.CheckItem", verbose_name="抽查事项", on_delete=models.PROTECT)
    responsible_section = models.ForeignKey(
        "accounts.Organization", verbose_name="责任科室", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    ratios = models.JSONField("各风险类别抽查比例（%）", default=dict)
    frequency = models.CharField("抽查频次", max_length=64, default="每年1次")
    months = models.JSONField("实施月份", default=list, blank=True)
    is_joint = models.BooleanField("部门联合抽查", default=False)
    note = models.CharField("备注", max_length=255, blank=True)
    # 平顶山 2021: full coverage of a target class (煤矿和非煤矿山、职业卫生技术服务机构) or not below last year's count.
    coverage_rule = models.CharField("覆盖要求", max_length=16, choices=CoverageRule.choices, default="none")
    target_keywords = models.CharField(
        "对象类别（名称关键词）", max_length=200, blank=True, help_text="多个以顿号或逗号分隔；空则为本事项专业的全部对象"
    )

    class Meta:
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["item__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="uniq_plan_item")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.item.name}"

    @property
    def ratio_text(self) -> str:
        return format_ratios(self.ratios)


class PlanUncoveredItem(models.Model):
    """A published item the plan does not cover, with the recorded reason (e.g. 已纳入国家监督抽检)."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="uncovered")
    item = models.ForeignKey("directory.CheckItem", verbose_name="抽查事项", on_delete=models.PROTECT)
    reason = models.CharField("未纳入原因", max_length=255)

    class Meta:
        verbose_name = "未纳入计划的事项"
        verbose_name_plural = "未纳入计划的事项"
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="uniq_plan_uncovered")]

    def __str__(self) -> str:
        return f"{self.item.name}：{self.reason}"


class PlanStep(models.Model):
    """Every transition of a plan (submit, review, approve, file, publish, return, adjust)."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField("新状态", max_length=16, choices=PlanStatus.choices)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "计划流转记录"
        verbose_name_plural = "计划流转记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan} {self.action}"


class JointPlanStatus(models.TextChoices):
    DRAFT = "draft", "起草"
    CONFIRMING = "confirming", "待参与部门确认"
    CONFIRMED = "confirmed", "各部门已确认"
    PUBLISHED = "published", "已公布"
    SUPERSEDED = "superseded", "已被调整后的计划取代"


class JointPlanQuerySet(OwnedQuerySet["JointPlan"]):
    """Read by the 发起部门's scope and, once sent for confirmation, by every 参与部门."""

    def visible_to(self, user: User) -> Any:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        joined = JointPlanParticipant.objects.filter(organization_id__in=ids).values("joint_plan_id")
        return self.filter(
            models.Q(owner_id__in=ids) | (models.Q(pk__in=joined) & ~models.Q(status=JointPlanStatus.DRAFT))
        )


class JointPlan(TimeStampedModel):
    """联合抽查计划: one 发起部门 and several 参与部门 (also outside health); an adjustment is a new version
    linked to the previous one (like ``AnnualPlan``)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="发起部门", on_delete=models.PROTECT)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    version = models.PositiveIntegerField("版本", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="调整前计划", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    adjustment_reason = models.TextField("调整原因", blank=True)
    target_scope = models.TextField("抽查对象范围")
    ratio_percent = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2, default=5)
    # 莲池: "按照企业信用风险分级分类，抽查比例5%以上" — per risk class; empty = ratio_percent for every class.
    ratios = models.JSONField("各风险类别抽查比例（%）", default=dict, blank=True)
    coverage_justification = models.TextField("低于最低抽查比例的说明", blank=True)
    window_start = models.DateField("开始日期")
    window_end = models.DateField("结束日期")
    status = models.CharField(
        "状态", max_length=16, choices=JointPlanStatus.choices, default=JointPlanStatus.DRAFT
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    objects = JointPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "联合抽查计划"
        verbose_name_plural = "联合抽查计划"
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.title}{suffix}"

    def get_absolute_url(self) -> str:
        return reverse("planning:joint_detail", args=[self.pk])


class JointPlanParticipant(models.Model):
    joint_plan = models.ForeignKey(
        JointPlan, verbose_name="联合抽查计划", on_delete=models.CASCADE, related_name="participants"
    )
    organization = models.ForeignKey("accounts.Organization", verbose_name="参与部门", on_delete=models.PROTECT)
    items = models.ManyToManyField("directory.CheckItem", verbose_name="本部门抽查事项", blank=True)
    item_titles = models.TextField("本部门抽查事项（文字）", blank=True, help_text="部门事项不在本系统时填写，每行一项")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirm_comment = models.CharField("确认意见", max_length=255, blank=True)

    class Meta:
        verbose_name = "联合抽查参与部门"
        verbose_name_plural = "联合抽查参与部门"
        constraints = [models.UniqueConstraint(fields=["joint_plan", "organization"], name="uniq_joint_participant")]

    def __str__(self) -> str:
        return f"{self.joint_plan} · {self.organization}"

    @property
    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.item_titles.splitlines() if line.strip()]


class NationalTask(TimeStampedModel):
    """A task handed down by the national/provincial system: scope and ratios are read-only locally."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="接收单位", on_delete=models.PROTECT)
    source = models.CharField("下达系统", max_length=100, default="国家卫生健康监督信息报告系统")
    code = models.CharField("任务编号", max_length=64)
    title = models.CharField("任务名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    specialty = models.ForeignKey("directory.Specialty", verbose_name="专业", on_delete=models.PROTECT)
    item_names = models.TextField("抽查事项")
    scope_text = models.TextField("抽查范围")
    ratios = models.JSONField("各风险类别抽查比例（%）", default=dict)
    window_start = models.DateField("开始日期")
    window_end = models.DateField("结束日期")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "上级下达任务"
        verbose_name_plural = "上级下达任务"
        ordering = ["-year", "code"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="uniq_national_task")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def ratio_text(self) -> str:
        return format_ratios(self.ratios)


class TaskState(models.TextChoices):
    DRAFT = "draft", "起草"
    SCHEME_PUBLISHED = "scheme_published", "方案已公布"
    TARGETS_DRAWN = "targets_drawn", "已抽取对象"
    INSPECTORS_MATCHED = "inspectors_matched", "已匹配人员"
    INSPECTING = "inspecting", "检查中"
    COMPLETED = "completed", "已完成"
    PUBLISHED = "published", "已公示"


class TaskQuerySet(OwnedQuerySet["Task"]):
    """Read by the organizing bureau's scope and by the participating departments of a joint task."""

    def visible_to(self, user: User) -> Any:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        joined = Task.participants.through.objects.filter(organization_id__in=ids).values("task_id")
        return self.filter(models.Q(owner_id__in=ids) | models.Q(pk__in=joined))


class TaskKind(models.TextChoices):
    """双随机 tasks are drawn; non-random ones (投诉举报、转办交办、专项检查: 玉溪, 大洼) name their targets and are
    counted apart, never in 双随机 coverage figures."""

    RANDOM = "random", "双随机抽查"
    NONRANDOM = "nonrandom", "非随机检查"


class Task(TimeStampedModel):
    """抽查任务: created from a plan line, a joint plan or a claimed national task."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    kind = models.CharField("任务类别", max_length=16, choices=TaskKind.choices, default=TaskKind.RANDOM, db_index=True)
    code = models.CharField("任务编号", max_length=32)
    title = models.CharField("任务名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    plan_line = models.ForeignKey(
        AnnualPlanLine, verbose_name="计划事项", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    joint_plan = models.ForeignKey(
        JointPlan, verbose_name="联合抽查计划", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    national_task = models.OneToOneField(
        NationalTask, verbose_name="上级下达任务", null=True, blank=True, on_delete=models.PROTECT,
        related_name="claimed_task",
    )
    items = models.ManyToManyField("directory.CheckItem", verbose_name="抽查事项", related_name="tasks")
    specialties = models.ManyToManyField("directory.Specialty", verbose_name="抽查专业", related_name="tasks")
    regions = models.ManyToManyField(
        "accounts.Region", verbose_name="抽查区域", blank=True, help_text="不选则为本单位全部辖区", related_name="+"
    )
    participants = models.ManyToManyField(
        "accounts.Organization", verbose_name="参与部门", blank=True, related_name="joint_tasks"
    )
    ratios = models.JSONField("各风险类别抽查比例（%）", default=dict)
    floor_percent = models.DecimalField("各类别最低抽查比例（%）", max_digits=5, decimal_places=2, default=0)
    min_per_stratum = models.PositiveIntegerField("各类别最少抽取户数", default=1)
    mandatory_flags = models.JSONField("必查风险标记", default=default_flags, blank=True)
    exclusion_months = models.PositiveIntegerField("近期已检查排除期（月）", default=0)
    methods = models.JSONField("检查方式", default=list)
    team_size = models.PositiveSmallIntegerField("每组执法人员数", default=2)
    max_targets_per_inspector = models.PositiveSmallIntegerField("每人最多检查户数", default=8)
    window_start = models.DateField("检查开始日期")
    window_end = models.DateField("检查结束日期")
    scope_locked = models.BooleanField("范围和比例由上级确定（不可修改）", default=False)
    state = models.CharField("状态", max_length=24, choices=TaskState.choices, default=TaskState.DRAFT)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["-year", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="uniq_task_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("planning:task_detail", args=[self.pk])

    @property
    def is_joint(self) -> bool:
        return self.joint_plan_id is not None

    @property
    def ratio_text(self) -> str:
        return format_ratios(self.ratios)

    @property
    def method_labels(self) -> list[str]:
        from shuangsuiji.directory.models import InspectionMethod

        labels = dict(InspectionMethod.choices)
        return [labels.get(m, m) for m in self.methods]


class TaskTransition(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField("原状态", max_length=24, choices=TaskState.choices)
    to_state = models.CharField("新状态", max_length=24, choices=TaskState.choices)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=255, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "任务流转记录"
        verbose_name_plural = "任务流转记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.from_state}→{self.to_state}"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "起草"
    APPROVED = "approved", "已审批"
    PUBLISHED = "published", "已公布"


class WorkScheme(TimeStampedModel):
    """工作方案 of a task: generated from a template, edited, approved and published before the draw."""

    task = models.OneToOneField(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="scheme")
    document_number = models.CharField("文号", max_length=64, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    status = models.CharField("状态", max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    approved_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作方案"
        verbose_name_plural = "工作方案"

    def __str__(self) -> str:
        return self.title


class NonRandomSource(models.TextChoices):
    """Why a target is inspected without a draw (玉溪: 投诉举报、转办交办、数据监测; 大洼: 上级交办、其他部门移送、专项整治)."""

    COMPLAINT = "complaint", "投诉举报"
    ASSIGNED = "assigned", "上级交办/转办"
    REFERRAL = "referral", "其他部门移送"
    MONITORING = "monitoring", "数据监测发现"
    SPECIAL = "special", "专项检查"


class NonRandomBasis(TimeStampedModel):
    """The source of a non-random task and the targets it names (chosen, not drawn)."""

    task = models.OneToOneField(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="nonrandom_basis")
    source = models.CharField("来源", max_length=16, choices=NonRandomSource.choices)
    reference = models.CharField("来源编号/文号", max_length=100, blank=True)
    received_on = models.DateField("受理/交办日期")
    # Internal: may name a complainant, never published (the portal shows only the source kind).
    summary = models.TextField("线索/任务内容（内部）")
    targets = models.ManyToManyField("directory.Target", verbose_name="检查对象", related_name="+")

    class Meta:
        verbose_name = "非随机检查来源"
        verbose_name_plural = "非随机检查来源"

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.reference}".strip()
