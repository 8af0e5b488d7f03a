"""Draw execution inside the app: frozen pools, immutable draw/match records, drawn targets and assignments.

A record row is never updated once its result exists: a re-draw or re-match creates a new row pointing at the
previous one (``previous``) with a reason; the old row is marked superseded, its content stays as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse

from shuangsuiji.accounts.scope import OwnedQuerySet

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
from shuangsuiji.common.models import TimeStampedModel
from shuangsuiji.planning.models import Task


class TaskRecordQuerySet(OwnedQuerySet[Any]):
    """Draw records are read by the organizing bureau's scope and, read-only, by the departments taking part in
    the task (联合抽查: 文广旅局, 医保局 … see the draw and the teams of the joint task); ``editable_by`` stays the
    owner's."""

    task_field = "task_id"

    def visible_to(self, user: User) -> Any:
        condition = Task.objects.scope_condition(user, task_field=self.task_field)
        return self if condition is None else self.filter(condition)


class RedrawRequestQuerySet(TaskRecordQuerySet):
    task_field = "draw__task_id"


class DrawStatus(models.TextChoices):
    POOL_FROZEN = "pool_frozen", "对象池已冻结（待公布随机数）"
    DRAWN = "drawn", "已抽取（待确认）"
    CONFIRMED = "confirmed", "已确认"
    SUPERSEDED = "superseded", "已被重新抽取取代"
    CANCELLED = "cancelled", "已作废"


class RandomnessKind(models.TextChoices):
    ANNOUNCED = "announced", "公开发布的随机数（如彩票开奖号码）"
    COMMIT_REVEAL = "commit_reveal", "承诺—揭示随机种子"
    BEACON = "beacon", "公共随机信标"


class TargetDraw(TimeStampedModel):
    """One random draw of inspection targets for a task (抽取检查对象)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    task = models.ForeignKey("planning.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="draws")
    sequence = models.PositiveSmallIntegerField("第几次抽取", default=1)
    status = models.CharField("状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.POOL_FROZEN)
    pool_size = models.PositiveIntegerField("对象池户数", default=0)
    pool_digest = models.CharField("对象池摘要（Merkle 根）", max_length=64)
    pool_file = models.CharField("对象池文件（相对存储路径）", max_length=255)
    # The public pool's Merkle root (risk classes replaced by salted commitments), computed once at the freeze:
    # the 双人确认 registers the public record without re-reading the pool. Empty for draws frozen before.
    public_pool_digest = models.CharField("公开对象池摘要（Merkle 根）", max_length=64, blank=True)
    params = models.JSONField("抽取参数", default=dict)
    # The rules in words and each mandatory target's dated reasons (draws.rules.rule_context), fixed at the freeze.
    rules = models.JSONField("适用的抽取规则", default=dict, blank=True)
    randomness_kind = models.CharField(
        "随机数来源", max_length=16, choices=RandomnessKind.choices, default=RandomnessKind.ANNOUNCED
    )
    randomness_source = models.CharField("随机数出处说明", max_length=255, blank=True)
    seed_commitment = models.CharField("随机种子承诺值（SHA-256）", max_length=64, blank=True)
    randomness = models.JSONField("随机数", default=list, blank=True)
    record = models.JSONField("抽取记录", null=True, blank=True)
    record_digest = models.CharField("抽取记录摘要", max_length=64, blank=True, db_index=True)
    previous = models.OneToOneField(
        "self", verbose_name="被取代的抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="next_draw"
    )
    redraw_reason = models.TextField("重新抽取原因", blank=True)
    redraw_approved_by = models.ForeignKey(
        "accounts.User", verbose_name="重新抽取批准人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    frozen_by = models.ForeignKey("accounts.User", verbose_name="冻结人", on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField("冻结时间")
    drawn_by = models.ForeignKey(
        "accounts.User", verbose_name="抽取操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirm_deadline = models.DateField("双人确认期限", null=True, blank=True)
    confirm_deadline_provisional = models.BooleanField("确认期限为暂定（节假日安排未公布）", default=False)

    objects = TaskRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "对象抽取"
        verbose_name_plural = "对象抽取"
        ordering = ["task", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["task", "sequence"], name="uniq_draw_sequence")]

    def __str__(self) -> str:
        return f"{self.task.code} 第{self.sequence}次抽取"

    def get_absolute_url(self) -> str:
        return reverse("draws:draw_detail", args=[self.pk])


class DepartmentConfirmation(TimeStampedModel):
    """One participating department's check of its part of a joint draw (莲池: "由抽查部门系统管理员在两个工作日内
    完成比对和确认"). Each has its own 2-working-day deadline; the draw is 已确认 when the 发起部门's 双人确认 and every
    department's confirmation are in."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    draw = models.ForeignKey(
        TargetDraw, verbose_name="抽取", on_delete=models.PROTECT, related_name="department_confirmations"
    )
    organization = models.ForeignKey("accounts.Organization", verbose_name="参与部门", on_delete=models.PROTECT)
    target_count = models.PositiveIntegerField("本部门事项涉及的抽中对象", default=0)
    due_date = models.DateField("确认期限", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    comment = models.CharField("确认意见", max_length=255, blank=True)

    objects = RedrawRequestQuerySet.as_manager()  # scoped like a re-draw request: through draw__task_id

    class Meta:
        verbose_name = "参与部门确认"
        verbose_name_plural = "参与部门确认"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["draw", "organization"], name="uniq_draw_department")]

    def __str__(self) -> str:
        return f"{self.draw} · {self.organization}确认"

    def get_absolute_url(self) -> str:
        return self.draw.get_absolute_url()


class RedrawStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class RedrawRequest(TimeStampedModel):
    """申请重新抽取: a reason from one person, approval by a leader/双随机办 administrator other than them."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    draw = models.ForeignKey(TargetDraw, verbose_name="原抽取", on_delete=models.PROTECT, related_name="redraw_requests")
    reason = models.TextField("重新抽取原因")
    status = models.CharField("状态", max_length=16, choices=RedrawStatus.choices, default=RedrawStatus.PENDING)
    requested_by = models.ForeignKey("accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=255, blank=True)
    new_draw = models.OneToOneField(
        TargetDraw, verbose_name="重新抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="redraw_request"
    )

    objects = RedrawRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "重新抽取申请"
        verbose_name_plural = "重新抽取申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw"], condition=models.Q(status="pending"), name="uniq_pending_redraw_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.draw} 重新抽取申请"


class InclusionReason(models.TextChoices):
    DRAWN = "drawn", "随机抽取"
    MANDATORY = "mandatory", "高风险必查"
    TAKE_ALL = "take_all", "不足最低数量全部纳入"


class DrawnTarget(models.Model):
    """A target selected by a draw (one row per target and draw)."""

    draw = models.ForeignKey(TargetDraw, verbose_name="抽取", on_delete=models.PROTECT, related_name="selections")
    target = models.ForeignKey("directory.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField("层", max_length=64)
    rank = models.PositiveIntegerField("抽取顺位")
    reason = models.CharField("纳入原因", max_length=16, choices=InclusionReason.choices)

    class Meta:
        verbose_name = "抽中对象"
        verbose_name_plural = "抽中对象"
        ordering = ["draw", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "target"], name="uniq_drawn_target")]

    def __str__(self) -> str:
        return f"{self.draw} {self.target}"


class MatchStatus(models.TextChoices):
    MATCHED = "matched", "已匹配"
    CONFIRMED = "confirmed", "已确认"
    SUPERSEDED = "superseded", "已被重新匹配取代"


class InspectorMatch(TimeStampedModel):
    """One random matching of inspectors to the drawn targets of a task (匹配执法检查人员)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    task = models.ForeignKey("planning.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="matches")
    draw = models.ForeignKey(TargetDraw, verbose_name="对象抽取", on_delete=models.PROTECT, related_name="matches")
    sequence = models.PositiveSmallIntegerField("第几次匹配", default=1)
    status = models.CharField("状态", max_length=16, choices=MatchStatus.choices, default=MatchStatus.MATCHED)
    params = models.JSONField("匹配参数", default=dict)
    randomness = models.JSONField("随机数", default=list)
    inputs_file = models.CharField("匹配输入文件（相对存储路径）", max_length=255, blank=True)
    record = models.JSONField("匹配记录")
    record_digest = models.CharField("匹配记录摘要", max_length=64, db_index=True)
    fairness = models.JSONField("公平性报告", default=dict)
    unstaffed = models.JSONField("无法配齐人员的对象及原因", default=list, blank=True)
    previous = models.OneToOneField(
        "self", verbose_name="被取代的匹配", null=True, blank=True, on_delete=models.PROTECT, related_name="next_match"
    )
    rematch_reason = models.TextField("重新匹配原因", blank=True)
    matched_by = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField("匹配时间")
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = TaskRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "人员匹配"
        verbose_name_plural = "人员匹配"
        ordering = ["task", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["task", "sequence"], name="uniq_match_sequence")]

    def __str__(self) -> str:
        return f"{self.task.code} 第{self.sequence}次匹配"

    def get_absolute_url(self) -> str:
        return reverse("draws:match_detail", args=[self.pk])


class AssignmentRole(models.TextChoices):
    LEADER = "leader", "组长"
    MEMBER = "member", "组员"
    EXPERT = "expert", "专家"


class AssignmentMode(models.TextChoices):
    SAME_REGION = "same_region", "本区域随机匹配"
    ADJACENT_REGION = "adjacent_region", "相邻区域随机匹配"
    DIRECT = "direct", "直接委派"


class Assignment(models.Model):
    """An inspector assigned to a drawn target by a match. A re-matched slot gets a new row; the old one stays."""

    match = models.ForeignKey(InspectorMatch, verbose_name="匹配", on_delete=models.PROTECT, related_name="assignments")
    drawn_target = models.ForeignKey(
        DrawnTarget, verbose_name="抽中对象", on_delete=models.PROTECT, related_name="assignments"
    )
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="执法检查人员", on_delete=models.PROTECT, related_name="assignments"
    )
    slot = models.PositiveSmallIntegerField("组内序号")
    role = models.CharField("角色", max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.MEMBER)
    mode = models.CharField("匹配方式", max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.SAME_REGION)
    direct_reason = models.CharField("直接委派原因", max_length=255, blank=True)
    is_active = models.BooleanField("有效", default=True)
    replaced_by = models.OneToOneField(
        "self", verbose_name="替换为", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    replaced_reason = models.CharField("替换原因（回避等）", max_length=255, blank=True)

    class Meta:
        verbose_name = "人员分派"
        verbose_name_plural = "人员分派"
        ordering = ["match", "drawn_target", "slot"]
        indexes = [models.Index(fields=["inspector", "is_active"], name="assignment_inspector_active")]

    def __str__(self) -> str:
        return f"{self.drawn_target.target} ← {self.inspector}"


class ExpertDrawStatus(models.TextChoices):
    CURRENT = "current", "有效"
    SUPERSEDED = "superseded", "已被重新抽取取代"


class ExpertDraw(TimeStampedModel):
    """Random draw of 专家 from the 专家库 for the drawn targets whose items need one (``core.experts``).

    Immutable once written: a new draw (new randomness, changed 专家库) supersedes it with a reason.
    """

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    task = models.ForeignKey("planning.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="expert_draws")
    match = models.ForeignKey(InspectorMatch, verbose_name="人员匹配", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField("第几次抽取", default=1)
    status = models.CharField(
        "状态", max_length=16, choices=ExpertDrawStatus.choices, default=ExpertDrawStatus.CURRENT
    )
    randomness_source = models.CharField("随机数出处说明", max_length=255)
    randomness = models.JSONField("随机数", default=list)
    record = models.JSONField("专家抽取记录")
    record_digest = models.CharField("记录摘要", max_length=64, db_index=True)
    previous = models.OneToOneField(
        "self", verbose_name="被取代的抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="next_draw"
    )
    reason = models.CharField("重新抽取原因", max_length=255, blank=True)
    drawn_by = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")

    objects = TaskRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "专家抽取"
        verbose_name_plural = "专家抽取"
        ordering = ["task", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["task", "sequence"], name="uniq_expert_draw_sequence")]

    def __str__(self) -> str:
        return f"{self.task.code} 第{self.sequence}次专家抽取"

    def get_absolute_url(self) -> str:
        return reverse("draws:expert_draw_detail", args=[self.pk])


class ExpertSelection(models.Model):
    """One expert drawn for one drawn target and 专业."""

    expert_draw = models.ForeignKey(
        ExpertDraw, verbose_name="专家抽取", on_delete=models.PROTECT, related_name="selections"
    )
    drawn_target = models.ForeignKey(
        DrawnTarget, verbose_name="抽中对象", on_delete=models.PROTECT, related_name="expert_selections"
    )
    specialty = models.ForeignKey("directory.Specialty", verbose_name="专业", on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="专家", on_delete=models.PROTECT, related_name="expert_selections"
    )
    eligible = models.PositiveIntegerField("可选专家人数")

    class Meta:
        verbose_name = "抽中专家"
        verbose_name_plural = "抽中专家"
        ordering = ["expert_draw", "drawn_target", "specialty"]

    def __str__(self) -> str:
        return f"{self.drawn_target.target} ← {self.inspector}（专家）"
