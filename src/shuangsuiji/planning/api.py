"""Planning API: annual plans, joint plans, national tasks, tasks and their transitions, 工作方案.

Body fields have defaults so that a missing value reaches the service, which answers in Chinese (and an
out-of-scope object answers 404 before anything is validated).
"""


import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.coverage import plan_estimate
from shuangsuiji.planning.models import (
    AnnualPlan,
    JointPlan,
    JointPlanParticipant,
    NationalTask,
    Task,
    WorkScheme,
)
from shuangsuiji.planning.rules import joint_ratios

router = Router(tags=["计划与任务"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _item(actor: User, code: str) -> CheckItem:
    item = CheckItem.objects.visible_to(actor).filter(code=code, is_current=True).first()
    if item is None:
        raise ApplicationError(f"未找到事项编码“{code}”的当前版本")
    return item


def _items(actor: User, codes: list[str]) -> list[CheckItem]:
    return [_item(actor, code) for code in codes]


def _org(code: str) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise ApplicationError(f"未知的单位代码：{code}")
    return org


# ---------------------------------------------------------------- annual plans


class PlanLineOut(Schema):
    id: int
    item_code: str
    item_name: str
    specialty: str
    ratios: dict[str, float]
    frequency: str
    months: list[int]
    responsible_section: str | None
    is_joint: bool
    note: str
    coverage_rule: str = "none"
    target_keywords: str = ""

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: Any) -> str:
        return obj.item.name

    @staticmethod
    def resolve_specialty(obj: Any) -> str:
        return obj.item.specialty.code

    @staticmethod
    def resolve_responsible_section(obj: Any) -> str | None:
        return obj.responsible_section.code if obj.responsible_section else None


class UncoveredOut(Schema):
    id: int
    item_code: str
    reason: str

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code


class PlanStepOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    comment: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return obj.actor.display_name


class PlanSummaryOut(Schema):
    id: int
    owner: str
    year: int
    title: str
    version: int
    previous_id: int | None
    status: str
    filed_at: datetime.datetime | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_owner(obj: AnnualPlan) -> str:
        return obj.owner.code


class PlanOut(PlanSummaryOut):
    adjustment_reason: str
    overall_goal_percent: Decimal
    description: str
    lines: list[PlanLineOut]
    uncovered: list[UncoveredOut]
    steps: list[PlanStepOut]
    missing_items: list[str]

    @staticmethod
    def resolve_lines(obj: AnnualPlan) -> Any:
        return selectors.plan_lines(plan=obj)

    @staticmethod
    def resolve_uncovered(obj: AnnualPlan) -> Any:
        return selectors.plan_uncovered(plan=obj)

    @staticmethod
    def resolve_steps(obj: AnnualPlan) -> Any:
        return obj.steps.select_related("actor")

    @staticmethod
    def resolve_missing_items(obj: AnnualPlan) -> list[str]:
        return [item.code for item in services.plan_missing_items(plan=obj)]


class PlanIn(Schema):
    year: int
    title: str
    description: str = ""
    overall_goal_percent: Decimal | None = None


class PlanLineIn(Schema):
    item_code: str = ""
    ratios: dict[str, float] = {}
    frequency: str = "每年1次"
    months: list[int] = []
    responsible_section: str | None = None
    is_joint: bool = False
    note: str = ""
    coverage_rule: str = "none"  # none | full (全覆盖) | last_year (不低于上年检查数量)
    target_keywords: str = ""


class UncoveredIn(Schema):
    item_code: str = ""
    reason: str = ""


class PlanActionIn(Schema):
    action: str = ""
    comment: str = ""
    justification: str = ""  # submit below the required coverage (recorded in the plan's history)


class JustificationIn(Schema):
    justification: str = ""


class ReasonIn(Schema):
    reason: str = ""


class LineChangeOut(Schema):
    code: str
    name: str
    kind: str
    fields: list[tuple[str, str, str]]


@router.get("/plans", response=list[PlanSummaryOut], summary="年度抽查计划列表")
def list_plans(request: HttpRequest, year: int | None = None) -> Any:
    return selectors.plan_list(actor=_actor(request), year=year)


@router.post("/plans", response={201: PlanOut}, summary="新建年度抽查计划")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    return 201, services.plan_create(actor=_actor(request), **payload.dict())


@router.get("/plans/{plan_id}", response=PlanOut, summary="年度抽查计划详情")
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return selectors.plan_get(actor=_actor(request), pk=plan_id)


class RuleCheckOut(Schema):
    item_code: str
    label: str
    coverage_rule: str
    required: int
    planned: int
    done: int
    ok: bool
    progress_percent: float
    message: str


@router.get("/plans/{plan_id}/rule-checks", response=list[RuleCheckOut],
            summary="计划事项的覆盖要求（全覆盖 / 不低于上年检查数量）：应检、计划、已检查及是否满足")
def plan_rule_checks(request: HttpRequest, plan_id: int) -> Any:
    plan = selectors.plan_get(actor=_actor(request), pk=plan_id)
    checks = plan_estimate(plan, today=timezone.localdate(), project=False).line_checks
    return [
        {"item_code": c.line.item.code, "label": c.label, "coverage_rule": c.line.coverage_rule,
         "required": c.required, "planned": c.planned, "done": c.done, "ok": c.ok,
         "progress_percent": round(c.progress_percent, 1), "message": "" if c.ok else c.message}
        for c in checks
    ]


@router.post("/plans/{plan_id}/lines", response=PlanLineOut, summary="添加或修改计划事项")
def save_plan_line(request: HttpRequest, plan_id: int, payload: PlanLineIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    section = _org(payload.responsible_section) if payload.responsible_section else None
    return services.plan_line_save(
        actor=actor, plan=plan, item=_item(actor, payload.item_code), ratios=payload.ratios,
        frequency=payload.frequency, months=payload.months, responsible_section=section,
        is_joint=payload.is_joint, note=payload.note, coverage_rule=payload.coverage_rule,
        target_keywords=payload.target_keywords,
    )


class PlanUpdateIn(Schema):
    title: str | None = None
    description: str | None = None
    overall_goal_percent: Decimal | None = None


class AddMissingIn(Schema):
    ratios: dict[str, float] = {}
    months: list[int] = []
    frequency: str = "每年1次"


@router.patch("/plans/{plan_id}", response=PlanOut, summary="修改计划（起草中）：名称、说明、总体目标")
def update_plan(request: HttpRequest, plan_id: int, payload: PlanUpdateIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return services.plan_update(actor=actor, plan=plan, data=payload.dict(exclude_none=True))


@router.delete("/plans/{plan_id}/lines/{line_id}", response={204: None}, summary="从计划中移除事项（起草中）")
def delete_plan_line(request: HttpRequest, plan_id: int, line_id: int) -> Any:
    actor = _actor(request)
    line = selectors.plan_line_get(actor=actor, pk=line_id)
    if line.plan_id != plan_id:
        raise NotFoundError("该计划中没有这一事项")
    services.plan_line_delete(actor=actor, line=line)
    return 204, None


@router.post("/plans/{plan_id}/add-missing", response=list[PlanLineOut],
             summary="把尚未纳入的已公布事项按同一比例全部纳入计划")
def add_missing_lines(request: HttpRequest, plan_id: int, payload: AddMissingIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return services.plan_lines_add_missing(
        actor=actor, plan=plan, ratios=payload.ratios, months=payload.months, frequency=payload.frequency
    )


@router.delete("/plans/{plan_id}/uncovered/{entry_id}", response={204: None}, summary="删除未纳入原因（起草中）")
def delete_plan_uncovered(request: HttpRequest, plan_id: int, entry_id: int) -> Any:
    actor = _actor(request)
    entry = selectors.plan_uncovered_get(actor=actor, pk=entry_id)
    if entry.plan_id != plan_id:
        raise NotFoundError("该计划中没有这一记录")
    services.plan_uncovered_delete(actor=actor, entry=entry)
    return 204, None


@router.post("/plans/{plan_id}/uncovered", response=UncoveredOut, summary="记录未纳入计划的事项及原因")
def save_plan_uncovered(request: HttpRequest, plan_id: int, payload: UncoveredIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return services.plan_uncovered_save(actor=actor, plan=plan, item=_item(actor, payload.item_code),
                                        reason=payload.reason)


@router.post("/plans/{plan_id}/transitions", response=PlanOut,
             summary="计划流转：submit 提交审查 / review 合法性审查 / approve 批准 / file 备案 / publish 公布 / return 退回")
def transition_plan(request: HttpRequest, plan_id: int, payload: PlanActionIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return services.plan_transition(
        actor=actor, plan=plan, action=payload.action, comment=payload.comment, justification=payload.justification
    )


@router.post("/plans/{plan_id}/adjust", response={201: PlanOut}, summary="调整已公布的计划（生成新版本）")
def adjust_plan(request: HttpRequest, plan_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return 201, services.plan_adjust(actor=actor, plan=plan, reason=payload.reason)


@router.get("/plans/{plan_id}/diff", response=list[LineChangeOut], summary="与上一版本相比的调整")
def plan_diff(request: HttpRequest, plan_id: int) -> Any:
    plan = selectors.plan_get(actor=_actor(request), pk=plan_id)
    if plan.previous is None:
        return []
    return selectors.plan_diff(old=plan.previous, new=plan)


# ---------------------------------------------------------------- joint plans


class ParticipantOut(Schema):
    id: int
    organization: str
    organization_name: str
    item_codes: list[str]
    item_titles: list[str]
    confirmed_at: datetime.datetime | None
    confirmed_by: str | None
    confirm_comment: str

    @staticmethod
    def resolve_organization(obj: JointPlanParticipant) -> str:
        return obj.organization.code

    @staticmethod
    def resolve_organization_name(obj: JointPlanParticipant) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_item_codes(obj: JointPlanParticipant) -> list[str]:
        return [i.code for i in obj.items.all()]

    @staticmethod
    def resolve_item_titles(obj: JointPlanParticipant) -> list[str]:
        return obj.item_lines

    @staticmethod
    def resolve_confirmed_by(obj: JointPlanParticipant) -> str | None:
        return obj.confirmed_by.display_name if obj.confirmed_by else None


class JointPlanOut(Schema):
    id: int
    owner: str
    year: int
    title: str
    version: int
    previous_id: int | None
    adjustment_reason: str
    target_scope: str
    ratio_percent: Decimal
    ratios: dict[str, float]
    coverage_justification: str
    window_start: datetime.date
    window_end: datetime.date
    status: str
    published_at: datetime.datetime | None
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_owner(obj: JointPlan) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_ratios(obj: JointPlan) -> dict[str, float]:
        return {k: float(v) for k, v in joint_ratios(obj).items()}

    @staticmethod
    def resolve_participants(obj: JointPlan) -> Any:
        return selectors.joint_participants(joint_plan=obj)


class JointPlanIn(Schema):
    title: str
    year: int
    target_scope: str
    ratio_percent: Decimal = Decimal("5")
    ratios: dict[str, Decimal] = {}  # per risk class (莲池: 按照企业信用风险分级分类); empty = ratio_percent for all
    window_start: datetime.date
    window_end: datetime.date
    participants: list[str]
    item_codes: list[str] = []


class ConfirmIn(Schema):
    item_titles: str | None = None
    comment: str = ""


@router.get("/joint-plans", response=list[JointPlanOut], summary="联合抽查计划列表")
def list_joint_plans(request: HttpRequest) -> Any:
    return selectors.joint_plan_list(actor=_actor(request)).prefetch_related("participants")


@router.post("/joint-plans", response={201: JointPlanOut}, summary="新建联合抽查计划")
def create_joint_plan(request: HttpRequest, payload: JointPlanIn) -> Any:
    actor = _actor(request)
    data = payload.dict(exclude={"participants", "item_codes"})
    return 201, services.joint_plan_create(
        actor=actor, data=data, participants=[_org(c) for c in payload.participants],
        owner_items=_items(actor, payload.item_codes),
    )


@router.get("/joint-plans/{joint_plan_id}", response=JointPlanOut, summary="联合抽查计划详情")
def get_joint_plan(request: HttpRequest, joint_plan_id: int) -> Any:
    return selectors.joint_plan_get(actor=_actor(request), pk=joint_plan_id)


@router.post("/joint-plans/{joint_plan_id}/send", response=JointPlanOut, summary="发送各参与部门确认")
def send_joint_plan(request: HttpRequest, joint_plan_id: int, payload: JustificationIn) -> Any:
    actor = _actor(request)
    return services.joint_plan_send(
        actor=actor, joint_plan=selectors.joint_plan_get(actor=actor, pk=joint_plan_id),
        justification=payload.justification,
    )


@router.post("/joint-plans/{joint_plan_id}/publish", response=JointPlanOut, summary="公布联合抽查计划")
def publish_joint_plan(request: HttpRequest, joint_plan_id: int) -> Any:
    actor = _actor(request)
    return services.joint_plan_publish(actor=actor, joint_plan=selectors.joint_plan_get(actor=actor, pk=joint_plan_id))


@router.post("/joint-plans/{joint_plan_id}/adjust", response={201: JointPlanOut},
             summary="调整已公布的联合抽查计划（生成新版本，各部门重新确认）")
def adjust_joint_plan(request: HttpRequest, joint_plan_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
    joint = selectors.joint_plan_get(actor=actor, pk=joint_plan_id)
    return 201, services.joint_plan_adjust(actor=actor, joint_plan=joint, reason=payload.reason)


class FieldChangeOut(Schema):
    label: str
    old: str
    new: str


class DepartmentChangeOut(Schema):
    organization: str
    kind: str
    items_added: list[str]
    items_removed: list[str]


class JointPlanDiffOut(Schema):
    previous_id: int | None
    fields: list[FieldChangeOut]
    departments: list[DepartmentChangeOut]


@router.get("/joint-plans/{joint_plan_id}/diff", response=JointPlanDiffOut, summary="联合抽查计划与上一版本相比的调整")
def joint_plan_diff(request: HttpRequest, joint_plan_id: int) -> Any:
    joint = selectors.joint_plan_get(actor=_actor(request), pk=joint_plan_id)
    if joint.previous is None:
        return {"previous_id": None, "fields": [], "departments": []}
    diff = selectors.joint_plan_diff(old=joint.previous, new=joint)
    return {
        "previous_id": joint.previous_id,
        "fields": [{"label": label, "old": old, "new": new} for label, old, new in diff.fields],
        "departments": diff.departments,
    }


@router.get("/joint-plans/{joint_plan_id}/versions", response=list[JointPlanOut],
            summary="联合抽查计划的全部版本（新版本在前）")
def joint_plan_versions(request: HttpRequest, joint_plan_id: int) -> Any:
    actor = _actor(request)
    joint = selectors.joint_plan_get(actor=actor, pk=joint_plan_id)
    return selectors.joint_plan_versions(actor=actor, plan=joint)


@router.post("/joint-plan-participants/{participant_id}/confirm", response=ParticipantOut,
             summary="参与部门确认本部门抽查内容（仅限该部门人员）")
def confirm_participant(request: HttpRequest, participant_id: int, payload: ConfirmIn) -> Any:
    actor = _actor(request)
    participant = selectors.joint_participant_get(actor=actor, pk=participant_id)
    return services.joint_participant_confirm(
        actor=actor, participant=participant, item_titles=payload.item_titles, comment=payload.comment
    )


# ---------------------------------------------------------------- national tasks


class NationalTaskOut(Schema):
    id: int
    owner: str
    source: str
    code: str
    title: str
    year: int
    specialty: str
    item_names: str
    scope_text: str
    ratios: dict[str, float]
    window_start: datetime.date
    window_end: datetime.date
    claimed_task_id: int | None

    @staticmethod
    def resolve_owner(obj: NationalTask) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_specialty(obj: NationalTask) -> str:
        return obj.specialty.code

    @staticmethod
    def resolve_claimed_task_id(obj: NationalTask) -> int | None:
        task = getattr(obj, "claimed_task", None)
        return task.pk if task is not None else None


class ClaimIn(Schema):
    title: str | None = None
    methods: list[str] | None = None
    team_size: int | None = None
    max_targets_per_inspector: int | None = None


@router.get("/national-tasks", response=list[NationalTaskOut], summary="上级下达任务列表（只读）")
def list_national_tasks(request: HttpRequest) -> Any:
    return selectors.national_task_list(actor=_actor(request))


@router.post("/national-tasks/import", response={201: list[NationalTaskOut]},
             summary="导入上级下达任务清单（.xlsx，全部通过才导入；错误在 errors 中按行列列出）")
def import_national_tasks(request: HttpRequest, file: File[UploadedFile]) -> Any:
    return 201, services.national_tasks_import(actor=_actor(request), content=file.read(), file_name=file.name or "")


# ---------------------------------------------------------------- tasks


class TaskTransitionOut(Schema):
    from_state: str
    to_state: str
    actor: str
    note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return obj.actor.display_name


class TaskOut(Schema):
    id: int
    owner: str
    code: str
    title: str
    year: int
    state: str
    plan_line_id: int | None
    joint_plan_id: int | None
    national_task_id: int | None
    item_codes: list[str]
    specialties: list[str]
    regions: list[str]
    participants: list[str]
    ratios: dict[str, float]
    floor_percent: Decimal
    min_per_stratum: int
    mandatory_flags: list[str]
    exclusion_months: int
    methods: list[str]
    team_size: int
    max_targets_per_inspector: int
    window_start: datetime.date
    window_end: datetime.date
    scope_locked: bool
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_owner(obj: Task) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_item_codes(obj: Task) -> list[str]:
        return [i.code for i in obj.items.all()]

    @staticmethod
    def resolve_specialties(obj: Task) -> list[str]:
        return [s.code for s in obj.specialties.all()]

    @staticmethod
    def resolve_regions(obj: Task) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_participants(obj: Task) -> list[str]:
        return [o.code for o in obj.participants.all()]


class TaskIn(Schema):
    plan_line_id: int | None = None
    joint_plan_id: int | None = None
    title: str | None = None
    item_codes: list[str] | None = None
    specialties: list[str] | None = None
    regions: list[str] | None = None
    participants: list[str] | None = None
    ratios: dict[str, float] | None = None
    floor_percent: Decimal | None = None
    min_per_stratum: int | None = None
    mandatory_flags: list[str] | None = None
    exclusion_months: int | None = None
    methods: list[str] | None = None
    team_size: int | None = None
    max_targets_per_inspector: int | None = None
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None


class TaskTransitionIn(Schema):
    to_state: str = ""
    comment: str = ""


def _task_data(actor: User, payload: TaskIn) -> dict[str, Any]:
    data = payload.dict(exclude_none=True, exclude={"plan_line_id", "joint_plan_id"})
    if "item_codes" in data:
        data["items"] = _items(actor, data.pop("item_codes"))
    if "specialties" in data:
        data["specialties"] = services.specialties_by_code(data["specialties"])
    if "regions" in data:
        data["regions"] = services.regions_by_code(data["regions"])
    if "participants" in data:
        data["participants"] = [_org(c) for c in data["participants"]]
    return data


def _task_list_qs(actor: User) -> Any:
    return selectors.task_list(actor=actor).prefetch_related("items", "specialties", "regions", "participants")


@router.get("/tasks", response=list[TaskOut], summary="抽查任务列表")
def list_tasks(request: HttpRequest, state: str | None = None) -> Any:
    qs = _task_list_qs(_actor(request))
    return qs.filter(state=state) if state else qs


@router.post("/tasks", response={201: TaskOut}, summary="从计划事项（plan_line_id）或联合抽查计划（joint_plan_id）创建任务")
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    actor = _actor(request)
    data = _task_data(actor, payload)
    if payload.plan_line_id:
        line = selectors.plan_line_get(actor=actor, pk=payload.plan_line_id)
        return 201, services.task_create_from_plan_line(actor=actor, line=line, data=data)
    if payload.joint_plan_id:
        joint = selectors.joint_plan_get(actor=actor, pk=payload.joint_plan_id)
        return 201, services.task_create_from_joint_plan(actor=actor, joint_plan=joint, data=data)
    raise ApplicationError("请指定 plan_line_id 或 joint_plan_id（上级下达任务请使用认领接口）")


@router.get("/tasks/{task_id}", response=TaskOut, summary="抽查任务详情")
def get_task(request: HttpRequest, task_id: int) -> Any:
    return selectors.task_get(actor=_actor(request), pk=task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, summary="修改任务（仅起草状态；上级下达任务的范围和比例不可改）")
def update_task(request: HttpRequest, task_id: int, payload: TaskIn) -> Any:
    actor = _actor(request)
    task = selectors.task_get(actor=actor, pk=task_id)
    return services.task_update(actor=actor, task=task, data=_task_data(actor, payload))


@router.get("/tasks/{task_id}/transitions", response=list[TaskTransitionOut], summary="任务流转记录")
def list_task_transitions(request: HttpRequest, task_id: int) -> Any:
    return selectors.task_get(actor=_actor(request), pk=task_id).transitions.select_related("actor")


@router.post("/tasks/{task_id}/transitions", response=TaskOut, summary="任务状态流转（仅开始检查、检查完成、公示抽查结果；须已完成相应工作）")
def transition_task(request: HttpRequest, task_id: int, payload: TaskTransitionIn) -> Any:
    actor = _actor(request)
    task = selectors.task_get(actor=actor, pk=task_id)
    return services.task_transition(
        actor=actor, task=task, to_state=payload.to_state, comment=payload.comment, manual_only=True
    )


@router.post("/national-tasks/{national_task_id}/claim", response={201: TaskOut}, summary="认领上级下达任务")
def claim_national_task(request: HttpRequest, national_task_id: int, payload: ClaimIn) -> Any:
    actor = _actor(request)
    national = selectors.national_task_get(actor=actor, pk=national_task_id)
    return 201, services.national_task_claim(actor=actor, national_task=national, data=payload.dict(exclude_none=True))


# ---------------------------------------------------------------- 工作方案


class SchemeOut(Schema):
    id: int
    task_id: int
    document_number: str
    title: str
    body: str
    status: str
    approved_by: str | None
    approved_at: datetime.datetime | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_approved_by(obj: WorkScheme) -> str | None:
        return obj.approved_by.display_name if obj.approved_by else None


class SchemeIn(Schema):
    title: str = ""
    body: str = ""
    document_number: str = ""


class SchemeGenerateIn(Schema):
    regenerate: bool = False


class CommentIn(Schema):
    comment: str = ""


def _scheme(actor: User, task_id: int) -> WorkScheme:
    task = selectors.task_get(actor=actor, pk=task_id)
    scheme = selectors.task_scheme(task=task)
    if scheme is None:
        raise ApplicationError("该任务还没有工作方案，请先生成")
    return scheme


@router.get("/tasks/{task_id}/scheme", response=SchemeOut, summary="工作方案")
def get_scheme(request: HttpRequest, task_id: int) -> Any:
    return _scheme(_actor(request), task_id)


@router.post("/tasks/{task_id}/scheme", response={201: SchemeOut}, summary="按模板生成工作方案")
def generate_scheme(request: HttpRequest, task_id: int, payload: SchemeGenerateIn) -> Any:
    actor = _actor(request)
    task = selectors.task_get(actor=actor, pk=task_id)
    return 201, services.scheme_generate(actor=actor, task=task, regenerate=payload.regenerate)


@router.put("/tasks/{task_id}/scheme", response=SchemeOut, summary="修改工作方案（已审批的回到起草）")
def update_scheme(request: HttpRequest, task_id: int, payload: SchemeIn) -> Any:
    actor = _actor(request)
    return services.scheme_update(actor=actor, scheme=_scheme(actor, task_id), **payload.dict())


@router.post("/tasks/{task_id}/scheme/approve", response=SchemeOut, summary="审批工作方案（领导或双随机办）")
def approve_scheme(request: HttpRequest, task_id: int, payload: CommentIn) -> Any:
    actor = _actor(request)
    return services.scheme_approve(actor=actor, scheme=_scheme(actor, task_id), comment=payload.comment)


@router.post("/tasks/{task_id}/scheme/publish", response=SchemeOut, summary="公布工作方案（任务进入“方案已公布”）")
def publish_scheme(request: HttpRequest, task_id: int) -> Any:
    actor = _actor(request)
    return services.scheme_publish(actor=actor, scheme=_scheme(actor, task_id))



from shuangsuiji.planning import api_nonrandom  # noqa: E402,F401  (adds its endpoints to this router)
