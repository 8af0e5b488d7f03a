"""一企一表 (InspectionRecord), result codes, evidence files and the 后续处置台账 (FollowUpCase).

One record per drawn target of a confirmed draw: the items of every participating department that apply to
the target, the team, the methods, the findings and the overall result (a multi-select from the ResultCode
table, which is data). A problem result opens follow-up cases that close only with evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import OwnedQuerySet, readable_owner_ids, user_bureau
from shuangsuiji.common.models import TimeStampedModel

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User


# ---------------------------------------------------------------- scope


class InspectionQuerySet(OwnedQuerySet[Any]):
    """Scope of records, cases and evidence.

    Readers see their bureau's (and, for upper levels, subordinates') data plus the records of joint tasks
    their department takes part in. A user with the 执法人员 role sees only the records of the teams they
    belong to (and the cases and files of those records).
    """

    record_path = ""  # "" for InspectionRecord itself, "record__" for rows hanging off a record

    def visible_to(self, user: User) -> InspectionQuerySet:
        ids = readable_owner_ids(user)
        if ids is None:
            return self
        condition = Q(owner_id__in=ids)
        bureau = user_bureau(user)
        if bureau is not None:
            from shuangsuiji.planning.models import Task

            joint_tasks = Task.participants.through.objects.filter(organization_id=bureau.pk).values("task_id")
            condition |= Q(**{f"{self.record_path}task_id__in": joint_tasks})
        qs = self.filter(condition)
        if user.role == Role.INSPECTOR and not user.is_superuser:
            own = RecordMember.objects.filter(inspector__user_id=user.pk).values("record_id")
            qs = qs.filter(**{"record_id__in" if self.record_path else "pk__in": own})
        return qs


class RecordQuerySet(InspectionQuerySet):
    record_path = ""


class RecordChildQuerySet(InspectionQuerySet):
    record_path = "record__"


# ---------------------------------------------------------------- settings per bureau


class InspectionSettings(models.Model):
    """Options of a bureau for inspections (one row per bureau, created on first use)."""

    owner = models.OneToOneField(
        "accounts.Organization", verbose_name="单位", on_delete=models.CASCADE, related_name="inspection_settings"
    )
    keep_photo_location = models.BooleanField(
        "保留照片中的位置信息", default=False, help_text="不勾选时，上传照片的 EXIF 位置（GPS）信息一律删除"
    )
    entry_workdays = models.PositiveSmallIntegerField("结果录入期限（工作日）", default=10)
    default_rectify_workdays = models.PositiveSmallIntegerField("默认整改期限（工作日）", default=15)
    documents_notice_workdays = models.PositiveSmallIntegerField("书面检查材料提交期限（工作日）", default=5)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "检查设置"
        verbose_name_plural = "检查设置"

    def __str__(self) -> str:
        return f"{self.owner} 检查设置"


# ---------------------------------------------------------------- result codes (data)


class PublicationGroup(models.TextChoices):
    """The groups results are published in (seed 003: 未发现问题 / 发现问题已责令整改 / 行政处罚 / 无法联系)."""

    NO_PROBLEM = "no_problem", "未发现问题"
    RECTIFIED = "rectified", "发现问题已责令整改"
    PENALTY = "penalty", "行政处罚"
    UNREACHABLE = "unreachable", "无法联系"
    OTHER = "other", "其他情形"


# When a record has codes in several groups, it is published under the first of these.
PUBLICATION_PRECEDENCE = [
    PublicationGroup.PENALTY,
    PublicationGroup.RECTIFIED,
    PublicationGroup.UNREACHABLE,
    PublicationGroup.OTHER,
    PublicationGroup.NO_PROBLEM,
]


class FollowUpMeasure(models.TextChoices):
    RECTIFY = "rectify", "责令整改"
    CASE = "case", "立案查处"
    TRANSFER = "transfer", "移交有管辖权的机关"
    JUDICIAL = "judicial", "移送司法机关"
    CREDIT = "credit", "信用惩戒"


class ResultCode(models.Model):
    """One entry of the hierarchical, multi-select 抽查结果 list (DESIGN §2), kept as data."""

    code = models.CharField("代码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_selectable = models.BooleanField("可选", default=True, help_text="分组标题不可直接选择")
    is_exclusive = models.BooleanField("排他", default=False, help_text="选择后不能再选其他结果")
    requires_findings = models.BooleanField("须逐项填写检查结论", default=True)
    requires_note = models.BooleanField("须填写说明", default=False)
    is_problem = models.BooleanField("发现问题（须后续处置）", default=False)
    follow_up_measures = models.JSONField("对应的后续处置措施", default=list, blank=True)
    publication_group = models.CharField(
        "公示分类", max_length=16, choices=PublicationGroup.choices, default=PublicationGroup.OTHER
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "抽查结果代码"
        verbose_name_plural = "抽查结果代码"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names: list[str] = []
        node: ResultCode | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))


# ---------------------------------------------------------------- 一企一表


class RecordStatus(models.TextChoices):
    PENDING = "pending", "待检查"
    SUBMITTED = "submitted", "已提交待审核"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "审核通过（待公示）"
    CANCELLED = "cancelled", "已作废"


ENTRY_OPEN_STATUSES = (RecordStatus.PENDING, RecordStatus.RETURNED)


class SignatureKind(models.TextChoices):
    PAD = "pad", "现场手写签名"
    SCAN = "scan", "签字盖章扫描件"
    REFUSED = "refused", "拒绝签字"


class Finding(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "na", "不适用"


class InspectionRecord(TimeStampedModel):
    """一企一表: the joint inspection record of one drawn target (进一次门、查多项事)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="组织单位", on_delete=models.PROTECT)
    task = models.ForeignKey(
        "planning.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="inspection_records"
    )
    # Empty for a non-random inspection (投诉举报、转办交办、专项检查): its target was named, not drawn.
    draw = models.ForeignKey(
        "draws.TargetDraw", verbose_name="对象抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_target = models.OneToOneField(
        "draws.DrawnTarget", verbose_name="抽中对象", null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspection_record",
    )
    target = models.ForeignKey(
        "directory.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="inspection_records"
    )
    number = models.CharField("编号", max_length=48)
    status = models.CharField("状态", max_length=16, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    methods = models.JSONField("检查方式", default=list)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    place = models.CharField("检查地点", max_length=255, blank=True)
    situation = models.TextField("检查情况", blank=True)
    result_codes = models.ManyToManyField(ResultCode, verbose_name="抽查结果", blank=True, related_name="records")
    result_note = models.TextField("结果说明", blank=True)
    rectify_workdays = models.PositiveSmallIntegerField("责令整改期限（工作日）", null=True, blank=True)
    signature_kind = models.CharField("企业签字", max_length=16, choices=SignatureKind.choices, blank=True)
    signer_name = models.CharField("签字人", max_length=64, blank=True)
    signature_file = models.ForeignKey(
        "Evidence", verbose_name="签名/扫描件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.CharField("拒签原因", max_length=255, blank=True)
    refusal_witness = models.CharField("见证人", max_length=128, blank=True)
    entry_deadline = models.DateField("结果录入期限", null=True, blank=True)
    entry_deadline_provisional = models.BooleanField("录入期限为暂定", default=False)
    entered_late = models.BooleanField("逾期录入", default=False)
    client_submission_id = models.CharField("提交标识", max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    cancel_reason = models.CharField("作废原因", max_length=255, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = "一企一表"
        verbose_name_plural = "一企一表"
        ordering = ["task", "number"]
        constraints = [models.UniqueConstraint(fields=["owner", "number"], name="uniq_record_number")]
        indexes = [models.Index(fields=["owner", "status"], name="record_owner_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.target.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:record_detail", args=[self.pk])

    @property
    def method_labels(self) -> list[str]:
        from shuangsuiji.directory.models import InspectionMethod

        labels = dict(InspectionMethod.choices)
        return [labels.get(m, m) for m in self.methods]

    @property
    def is_open_for_entry(self) -> bool:
        return self.status in ENTRY_OPEN_STATUSES


class RecordItem(models.Model):
    """One 抽查事项 on the record (snapshot of the item version used) and its finding."""

    record = models.ForeignKey(InspectionRecord, verbose_name="一企一表", on_delete=models.CASCADE, related_name="items")
    check_item = models.ForeignKey(
        "directory.CheckItem", verbose_name="抽查事项（版本）", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Organization", verbose_name="检查部门", on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField("序号", default=0)
    code = models.CharField("事项编码", max_length=32, blank=True)
    name = models.CharField("抽查事项", max_length=200)
    specialty_name = models.CharField("专业", max_length=64, blank=True)
    sub_items = models.JSONField("检查内容（小项）", default=list, blank=True)
    legal_basis = models.TextField("抽查依据", blank=True)
    methods = models.JSONField("抽查方式", default=list, blank=True)
    finding = models.CharField("检查结论", max_length=8, choices=Finding.choices, blank=True)
    note = models.TextField("问题描述/备注", blank=True)

    class Meta:
        verbose_name = "检查事项"
        verbose_name_plural = "检查事项"
        ordering = ["record", "sort_order"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    """Roles on a team. Only 组长/组员 who are 执法人员 count towards the two officers (DESIGN §5)."""

    LEADER = "leader", "组长"
    MEMBER = "member", "组员"
    EXPERT = "expert", "专家"
    HELPER = "helper", "辅助检查"
    ASSIST = "assist", "协助"


COUNTED_ROLES = (MemberRole.LEADER, MemberRole.MEMBER)


class MemberSource(models.TextChoices):
    """How the member came onto the team: at random, or 指派 by the bureau with a recorded reason."""

    MATCH = "match", "随机匹配"
    EXPERT_DRAW = "expert_draw", "专家随机抽取"
    ASSIGNED = "assigned", "指派"


class RecordMember(models.Model):
    """A member of the inspection team (from the active assignments) and whether they were present."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", on_delete=models.CASCADE, related_name="members"
    )
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="执法检查人员", on_delete=models.PROTECT, related_name="record_members"
    )
    assignment = models.ForeignKey(
        "draws.Assignment", verbose_name="分派", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=64)
    licence_no = models.CharField("执法证号", max_length=32, blank=True)
    kind = models.CharField("人员类别", max_length=16)
    role = models.CharField("角色", max_length=8)
    sort_order = models.PositiveSmallIntegerField("序号", default=0)
    present = models.BooleanField("到场", default=False)
    source = models.CharField("产生方式", max_length=16, choices=MemberSource.choices, default=MemberSource.MATCH)
    sent_by = models.ForeignKey(
        "accounts.Organization", verbose_name="派出单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    assign_reason = models.CharField("指派原因", max_length=255, blank=True)

    class Meta:
        verbose_name = "检查组成员"
        verbose_name_plural = "检查组成员"
        ordering = ["record", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["record", "inspector"], name="uniq_record_member")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_officer(self) -> bool:
        return self.kind == "officer"

    @property
    def kind_label(self) -> str:
        from shuangsuiji.directory.models import InspectorKind

        return dict(InspectorKind.choices).get(self.kind, self.kind)

    @property
    def role_label(self) -> str:
        return dict(MemberRole.choices).get(self.role, self.role)

    @property
    def is_counted_officer(self) -> bool:
        """Counts towards the ≥2 执法人员: an officer with a licence on the team proper (not 辅助/协助/专家)."""
        return self.role in COUNTED_ROLES and self.kind == "officer" and bool(self.licence_no)

    @property
    def source_text(self) -> str:
        """“随机匹配”, or “指派（派出单位：…；原因：…）” as printed on the 一企一表 and the 检查通知."""
        if self.source != MemberSource.ASSIGNED:
            return self.get_source_display()
        parts = [f"派出单位：{self.sent_by.name}"] if self.sent_by_id and self.sent_by is not None else []
        if self.assign_reason:
            parts.append(f"原因：{self.assign_reason}")
        return f"指派（{'；'.join(parts)}）" if parts else "指派"


class RecordStep(models.Model):
    """Every transition of a record (generated, submitted, returned, approved, cancelled)."""

    record = models.ForeignKey(InspectionRecord, verbose_name="一企一表", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, choices=RecordStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=RecordStatus.choices)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "一企一表流转记录"
        verbose_name_plural = "一企一表流转记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} {self.action}"


class InspectionNotice(models.Model):
    """检查通知 issued for a method that requires one (e.g. 书面检查: submit materials by a date)."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT)
    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", on_delete=models.PROTECT, related_name="notices"
    )
    method = models.CharField("检查方式", max_length=16)
    number = models.CharField("通知编号", max_length=64)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    issued_on = models.DateField("通知日期")
    respond_by = models.DateField("答复/提交期限", null=True, blank=True)
    respond_by_provisional = models.BooleanField("期限为暂定", default=False)
    issued_by = models.ForeignKey("accounts.User", verbose_name="签发人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "检查通知"
        verbose_name_plural = "检查通知"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "number"], name="uniq_notice_number")]

    def __str__(self) -> str:
        return self.number


# ---------------------------------------------------------------- evidence


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    SCAN = "scan", "扫描件"
    PDF = "pdf", "PDF 文件"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"
    SIGNATURE = "signature", "签名"


class Evidence(models.Model):
    """An evidence file; the bytes live in the private store under their SHA-256, never at a public path.

    `record` is always set (for a case's file too: the case's record), so the record scope covers every file.
    """

    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT)
    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", null=True, blank=True, on_delete=models.PROTECT,
        related_name="evidence",
    )
    case = models.ForeignKey(
        "FollowUpCase", verbose_name="后续处置", null=True, blank=True, on_delete=models.PROTECT,
        related_name="evidence",
    )
    kind = models.CharField("类别", max_length=16, choices=EvidenceKind.choices)
    sha256 = models.CharField("内容摘要（SHA-256）", max_length=64, db_index=True)
    original_sha256 = models.CharField("原始文件摘要", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    mime = models.CharField("类型", max_length=64)
    extension = models.CharField("扩展名", max_length=8)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    storage_path = models.CharField("存储路径（私有）", max_length=255)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    location_kept = models.BooleanField("保留了位置信息", default=False)
    note = models.CharField("说明", max_length=255, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name or self.sha256[:12]}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:evidence_file", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


# ---------------------------------------------------------------- 后续处置台账


class CaseStatus(models.TextChoices):
    OPEN = "open", "处置中"
    CLOSED = "closed", "已办结"


class FollowUpCase(TimeStampedModel):
    """One problem found by an inspection and everything done about it until it is closed with evidence."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT)
    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", on_delete=models.PROTECT, related_name="cases"
    )
    finding = models.ForeignKey(
        RecordItem, verbose_name="不合格事项", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    target = models.ForeignKey("directory.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("accounts.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(
        "accounts.Organization", verbose_name="责任科室", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    inspector = models.ForeignKey(
        "directory.Inspector", verbose_name="责任执法人员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField("台账编号", max_length=64)
    problem = models.TextField("发现的问题")
    planned_measures = models.JSONField("拟采取措施", default=list, blank=True)
    status = models.CharField("状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField("登记日期")
    # 应列尽列: conditions found, which the closing check enforces.
    meets_case_conditions = models.BooleanField("符合立案条件", default=False)
    meets_abnormal_list = models.BooleanField("符合列入经营异常名录情形", default=False)
    meets_serious_illegal = models.BooleanField("符合列入严重违法失信名单情形", default=False)
    # 责令整改 + 复查
    rectify_ordered_on = models.DateField("责令整改日期", null=True, blank=True)
    rectify_requirement = models.TextField("整改要求", blank=True)
    rectify_deadline = models.DateField("整改期限", null=True, blank=True)
    rectify_deadline_provisional = models.BooleanField("整改期限为暂定", default=False)
    recheck_on = models.DateField("复查日期", null=True, blank=True)
    recheck_passed = models.BooleanField("复查合格", null=True, blank=True)
    recheck_note = models.TextField("复查情况", blank=True)
    # 立案查处 + 行政处罚
    case_number = models.CharField("立案号", max_length=64, blank=True)
    case_filed_on = models.DateField("立案日期", null=True, blank=True)
    penalty_decision_number = models.CharField("行政处罚决定书文号", max_length=64, blank=True)
    penalty_decided_on = models.DateField("处罚决定日期", null=True, blank=True)
    penalty_content = models.TextField("处罚内容", blank=True)
    penalty_amount = models.DecimalField("罚没款（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    penalty_publish_deadline = models.DateField("处罚信息公示期限", null=True, blank=True)
    penalty_publish_deadline_provisional = models.BooleanField("公示期限为暂定", default=False)
    case_conclusion = models.TextField("案件办理结论（不予处罚/撤案等）", blank=True)
    # 移交 / 移送
    transfer_agency = models.CharField("移交机关", max_length=128, blank=True)
    transferred_on = models.DateField("移交日期", null=True, blank=True)
    judicial_agency = models.CharField("移送司法机关", max_length=128, blank=True)
    judicial_transferred_on = models.DateField("移送日期", null=True, blank=True)
    # 信用惩戒
    abnormal_listed_on = models.DateField("列入经营异常名录日期", null=True, blank=True)
    serious_illegal_listed_on = models.DateField("列入严重违法失信名单日期", null=True, blank=True)
    credit_note = models.TextField("信用惩戒说明", blank=True)
    # 办结
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name="办结人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField("办结说明", blank=True)

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "后续处置"
        verbose_name_plural = "后续处置台账"
        ordering = ["opened_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "number"], name="uniq_case_number")]
        indexes = [models.Index(fields=["owner", "status", "opened_on"], name="case_owner_status_opened")]

    def __str__(self) -> str:
        return f"{self.number} {self.target.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:case_detail", args=[self.pk])

    @property
    def measures_taken(self) -> list[str]:
        taken: list[str] = []
        if self.rectify_ordered_on:
            taken.append(FollowUpMeasure.RECTIFY.label)
        if self.case_filed_on:
            taken.append(FollowUpMeasure.CASE.label)
        if self.penalty_decided_on:
            taken.append("行政处罚")
        if self.transferred_on:
            taken.append(FollowUpMeasure.TRANSFER.label)
        if self.judicial_transferred_on:
            taken.append(FollowUpMeasure.JUDICIAL.label)
        if self.abnormal_listed_on:
            taken.append("列入经营异常名录")
        if self.serious_illegal_listed_on:
            taken.append("列入严重违法失信名单")
        return taken

    @property
    def penalty_amount_text(self) -> str:
        """罚没款 as the reports write it: 5,000.00 (empty when none was recorded)."""
        return "" if self.penalty_amount is None else f"{self.penalty_amount:,.2f}"

    @property
    def planned_measure_labels(self) -> list[str]:
        labels = dict(FollowUpMeasure.choices)
        return [labels.get(m, m) for m in self.planned_measures]


FOLLOW_UP_STEP_LABELS = {
    "open": "登记问题", "rectify": "责令整改", "recheck": "复查", "conditions": "认定情形", "file": "立案查处",
    "penalty": "行政处罚决定", "conclude": "办理结论", "transfer": "移交有管辖权的机关", "judicial": "移送司法机关",
    "credit": "信用惩戒", "close": "办结",
}


class FollowUpStep(models.Model):
    """Log of a case: every measure, re-check, listing and the closing, in order."""

    case = models.ForeignKey(FollowUpCase, verbose_name="后续处置", on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=32)
    occurred_on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "处置记录"
        verbose_name_plural = "处置记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind_label}"

    @property
    def kind_label(self) -> str:
        """The Chinese name of the step (``kind`` is the code written by ``followup``)."""
        return FOLLOW_UP_STEP_LABELS.get(self.kind, self.kind)


# ---------------------------------------------------------------- 检验检测 by an agency


class AgencyKind(models.TextChoices):
    """Who tests (平顶山: 原则上由当地疾控机构承担，不具备相应检测能力的，可由第三方检测机构承担)."""

    CDC = "cdc", "疾病预防控制机构"
    THIRD_PARTY = "third_party", "第三方检测机构"
    OTHER = "other", "其他有资质的机构"


class TestingStatus(models.TextChoices):
    WAITING = "waiting", "待出具报告"
    REPORTED = "reported", "已出具报告"


class TestingConclusion(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class TestingRecord(TimeStampedModel):
    """A 检验检测 of a record's samples by an agency. While its report is awaited the 10-working-day entry
    deadline of the record is 中止 (``deadlines.suspension``) with the reason; the report is attached."""

    __test__ = False  # not a pytest class

    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT)
    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", on_delete=models.PROTECT, related_name="testings"
    )
    agency_name = models.CharField("检测机构", max_length=128)
    agency_kind = models.CharField("机构类别", max_length=16, choices=AgencyKind.choices)
    agency_qualification = models.CharField("资质认定证书编号", max_length=64, blank=True)
    sample = models.CharField("样品名称及数量", max_length=255)
    test_items = models.CharField("检测项目", max_length=255)
    sampled_on = models.DateField("采样日期")
    sent_on = models.DateField("送检日期")
    status = models.CharField("状态", max_length=16, choices=TestingStatus.choices, default=TestingStatus.WAITING)
    report_number = models.CharField("检测报告编号", max_length=64, blank=True)
    report_on = models.DateField("报告出具日期", null=True, blank=True)
    conclusion = models.CharField("检测结论", max_length=8, choices=TestingConclusion.choices, blank=True)
    report_file = models.ForeignKey(
        Evidence, verbose_name="检测报告文件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suspension_reason = models.CharField("期限中止原因", max_length=255)
    held_workdays = models.PositiveSmallIntegerField("中止工作日数", default=0)
    created_by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "检验检测"
        verbose_name_plural = "检验检测"
        ordering = ["record", "sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.record.number} {self.agency_name} {self.sample}"


# ---------------------------------------------------------------- 提醒、约谈、记分 (大洼 六(六) 后续处置)


class MeasureKind(models.TextChoices):
    """综合运用提醒、培训、约谈、记分等手段落实检查对象责任 (大洼)."""

    REMINDER = "reminder", "提醒"
    TRAINING = "training", "培训"
    INTERVIEW = "interview", "约谈"
    SCORING = "scoring", "记分"


class EvaluationGrade(models.TextChoices):
    """Result of the 医疗卫生机构传染病防治分类监督综合评价 (平顶山: 评价结果与不良行为记分相衔接)."""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    KEY = "key", "重点监督"


# 专业 of a 医疗机构: its 记分 is the 医疗机构不良执业行为记分 and takes the evaluation form's result.
MEDICAL_SPECIALTIES = ("medical", "infectious_disease")


class TargetMeasure(TimeStampedModel):
    """One 提醒 / 培训 / 约谈 / 记分 of an inspected target, in the follow-up ledger of its 一企一表."""

    owner = models.ForeignKey("accounts.Organization", verbose_name="单位", on_delete=models.PROTECT)
    record = models.ForeignKey(
        InspectionRecord, verbose_name="一企一表", on_delete=models.PROTECT, related_name="measures"
    )
    target = models.ForeignKey("directory.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("措施", max_length=16, choices=MeasureKind.choices)
    occurred_on = models.DateField("日期")
    content = models.TextField("事由及内容")
    participants = models.CharField("约谈/提醒对象及参加人员", max_length=255, blank=True)
    outcome = models.TextField("结果（整改承诺、落实情况）")
    points = models.PositiveSmallIntegerField("记分分值", null=True, blank=True)
    evaluation_grade = models.CharField(
        "传染病防治分类监督综合评价结果", max_length=16, choices=EvaluationGrade.choices, blank=True
    )
    evaluation_score = models.DecimalField("综合评价得分", max_digits=5, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "提醒、约谈、记分"
        verbose_name_plural = "提醒、约谈、记分"
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["owner", "kind", "occurred_on"], name="measure_owner_kind_day")]

    def __str__(self) -> str:
        return f"{self.target} {self.get_kind_display()} {self.occurred_on}"

    @property
    def kind_label(self) -> str:
        """“不良行为记分” for a 医疗机构's 记分 (with the evaluation result), else the plain name."""
        if self.kind == MeasureKind.SCORING and self.evaluation_grade:
            return "不良行为记分"
        return self.get_kind_display()
