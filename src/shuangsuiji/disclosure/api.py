"""Read-only open-data API under /api/public/ (no authentication, OpenAPI at /api/public/docs).

Only published data, paginated (page / page_size ≤ 100; result counts stop at 1000, use the CSV downloads for
everything). Every 200 answer carries a strong ETag; a request with a matching If-None-Match gets 304.
"""


import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.decorators import decorate_view
from ninja.pagination import PaginationBase, paginate

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem
from shuangsuiji.disclosure import selectors, selectors_results, verification
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult
from shuangsuiji.disclosure.page_cache import public_page
from shuangsuiji.disclosure.ratelimit import allow, search_limit
from shuangsuiji.draws.models import TargetDraw
from shuangsuiji.planning.models import AnnualPlan, JointPlan, Task


class PublicNinjaAPI(NinjaAPI):
    """NinjaAPI whose successful GET answers carry an ETag and honour If-None-Match."""

    def create_response(
        self, request: HttpRequest, data: Any, *, status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            tag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            wanted = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
            if tag in wanted or "*" in wanted:
                response = HttpResponseNotModified()
            response["ETag"] = tag
            response["Cache-Control"] = "public, max-age=60"
        return response


public_api = PublicNinjaAPI(
    title="双随机、一公开 公开数据接口",
    version="1.0",
    description=(
        "无需认证的只读接口：已公布的抽查事项清单、年度和联合抽查计划、抽查任务及工作方案、随机抽取记录和验证、"
        "抽查结果。分页参数 page、page_size（不超过100）；响应带 ETag，携带 If-None-Match 可得到 304。"
        "大批量数据请使用 /gs/data/ 的 CSV 下载。"
    ),
    urls_namespace="public_api",
    auth=None,
)


@public_api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return public_api.create_response(request, {"detail": exc.message}, status=exc.status_code)


ID_MAX = 2_147_483_647
OptionalId = Field(None, ge=1, le=ID_MAX)


def PathId() -> Any:
    return Path(..., ge=1, le=ID_MAX)


RATE_LIMITED = "请求过于频繁，请稍后再试"


def _refused() -> HttpResponse:
    return JsonResponse({"detail": RATE_LIMITED}, status=429, json_dumps_params={"ensure_ascii": False})


def _search_gate(request: HttpRequest) -> HttpResponse | None:
    """A result search with conditions counts against the client's rate limit, cached answer or not."""
    params = {k: v for k, v in request.GET.items() if v != ""}
    if selectors_results.ResultFilters.from_params(params).is_empty and not params.get("task"):
        return None
    return None if allow(request, scope="search", limit=search_limit()) else _refused()


def _proof_gate(request: HttpRequest) -> HttpResponse | None:
    return None if allow(request, scope="proof", limit=search_limit()) else _refused()


# Every answer of this API is the same for everyone: served from the portal's shared cache (page_cache).
cached = decorate_view(public_page())


class PublicPagination(PaginationBase):
    """page / page_size; ``count`` stops at ``count_cap`` + 1 (then ``count_capped`` is true)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=10_000)
        page_size: int = Field(20, ge=1, le=100)

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool
        page: int
        page_size: int

    count_cap = 10_000

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        offset = (pagination.page - 1) * pagination.page_size
        count = selectors_results.count_capped(queryset, self.count_cap)
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": min(count, self.count_cap),
            "count_capped": count > self.count_cap,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


class ResultPagination(PublicPagination):
    count_cap = selectors_results.COUNT_CAP


# ---------------------------------------------------------------- items


class ItemOut(Schema):
    id: int
    organization: str
    code: str
    version: int
    specialty: str
    name: str
    sub_items: list[str]
    legal_basis: str
    subject: str
    target_type: str
    methods: list[str]
    ratio_percent: Decimal
    frequency: str
    kind: str
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_organization(obj: CheckItem) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_specialty(obj: CheckItem) -> str:
        return obj.specialty.name

    @staticmethod
    def resolve_methods(obj: CheckItem) -> list[str]:
        return obj.method_labels

    @staticmethod
    def resolve_kind(obj: CheckItem) -> str:
        return obj.get_kind_display()


class ItemFilters(Schema):
    organization: int | None = Field(None, ge=1, le=ID_MAX, description="单位 id")
    specialty: int | None = Field(None, ge=1, le=ID_MAX, description="专业 id")


@cached
@public_api.get("/items", response=list[ItemOut], summary="随机抽查事项清单（现行版本）", tags=["抽查事项"])
@paginate(PublicPagination)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    return selectors.public_items(organization_id=filters.organization, specialty_id=filters.specialty)


@cached
@public_api.get("/items/{item_id}", response=list[ItemOut], summary="抽查事项的全部已公布版本", tags=["抽查事项"])
def item_versions(request: HttpRequest, item_id: int = PathId()) -> Any:
    item = selectors.public_item_get(pk=item_id)
    return list(selectors.public_item_versions(item=item).select_related("owner", "specialty"))


# ---------------------------------------------------------------- plans


class PlanLineOut(Schema):
    item_code: str
    item_name: str
    ratios: dict[str, Any]
    frequency: str
    months: list[int]
    is_joint: bool


class PlanOut(Schema):
    id: int
    organization: str
    year: int
    title: str
    version: int
    status: str
    previous_id: int | None
    adjustment_reason: str
    overall_goal_percent: Decimal
    description: str
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_organization(obj: AnnualPlan) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_status(obj: AnnualPlan) -> str:
        return obj.get_status_display()


class PlanDetailOut(PlanOut):
    lines: list[PlanLineOut]

    @staticmethod
    def resolve_lines(obj: AnnualPlan) -> list[dict[str, Any]]:
        return [
            {"item_code": line.item.code, "item_name": line.item.name, "ratios": line.ratios,
             "frequency": line.frequency, "months": line.months, "is_joint": line.is_joint}
            for line in selectors.public_plan_lines(plan=obj)
        ]


class PlanFilters(Schema):
    organization: int | None = OptionalId
    year: int | None = Field(None, ge=1, le=9999)


@cached
@public_api.get("/plans", response=list[PlanOut], summary="年度抽查计划（含调整前后各版本）", tags=["抽查计划"])
@paginate(PublicPagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> Any:
    return selectors.public_annual_plans(organization_id=filters.organization, year=filters.year)


@cached
@public_api.get("/plans/{plan_id}", response=PlanDetailOut, summary="年度抽查计划详情", tags=["抽查计划"])
def get_plan(request: HttpRequest, plan_id: int = PathId()) -> Any:
    return selectors.public_annual_plan_get(pk=plan_id)


class JointPlanOut(Schema):
    id: int
    organization: str
    year: int
    title: str
    version: int
    status: str
    previous_id: int | None
    adjustment_reason: str
    target_scope: str
    ratio_percent: Decimal
    window_start: datetime.date
    window_end: datetime.date
    participants: list[dict[str, Any]]
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_organization(obj: JointPlan) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_status(obj: JointPlan) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_participants(obj: JointPlan) -> list[dict[str, Any]]:
        return [
            {"organization": p.organization.name,
             "items": [i.name for i in p.items.all()] + p.item_lines}
            for p in selectors.public_joint_participants(plan=obj)
        ]


@cached
@public_api.get("/joint-plans", response=list[JointPlanOut], summary="联合抽查计划", tags=["抽查计划"])
@paginate(PublicPagination)
def list_joint_plans(request: HttpRequest, filters: Query[PlanFilters]) -> Any:
    return selectors.public_joint_plans(organization_id=filters.organization, year=filters.year)


@cached
@public_api.get("/joint-plans/{plan_id}", response=JointPlanOut, summary="联合抽查计划详情", tags=["抽查计划"])
def get_joint_plan(request: HttpRequest, plan_id: int = PathId()) -> Any:
    return selectors.public_joint_plan_get(pk=plan_id)


# ---------------------------------------------------------------- tasks and draws


class TaskOut(Schema):
    id: int
    code: str
    title: str
    organization: str
    year: int
    state: str
    window_start: datetime.date
    window_end: datetime.date
    scheme_title: str
    scheme_document_number: str
    scheme_published_at: datetime.datetime | None

    @staticmethod
    def resolve_organization(obj: Task) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_state(obj: Task) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_scheme_title(obj: Task) -> str:
        return obj.scheme.title

    @staticmethod
    def resolve_scheme_document_number(obj: Task) -> str:
        return obj.scheme.document_number

    @staticmethod
    def resolve_scheme_published_at(obj: Task) -> datetime.datetime | None:
        return obj.scheme.published_at


class TaskDetailOut(TaskOut):
    scheme_body: str
    specialties: list[str]
    items: list[str]
    participants: list[str]
    draw_ids: list[int]

    @staticmethod
    def resolve_scheme_body(obj: Task) -> str:
        return obj.scheme.body

    @staticmethod
    def resolve_specialties(obj: Task) -> list[str]:
        return [s.name for s in obj.specialties.all()]

    @staticmethod
    def resolve_items(obj: Task) -> list[str]:
        return [i.name for i in obj.items.all()]

    @staticmethod
    def resolve_participants(obj: Task) -> list[str]:
        return [p.name for p in obj.participants.all()]

    @staticmethod
    def resolve_draw_ids(obj: Task) -> list[int]:
        return list(selectors.public_draws(task=obj).values_list("pk", flat=True))


class TaskFilters(Schema):
    organization: int | None = OptionalId
    year: int | None = Field(None, ge=1, le=9999)
    specialty: int | None = OptionalId


@cached
@public_api.get("/tasks", response=list[TaskOut], summary="抽查任务公告（工作方案已公布）", tags=["抽查任务"])
@paginate(PublicPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    return selectors.public_tasks(
        organization_id=filters.organization, year=filters.year, specialty_id=filters.specialty
    )


@cached
@public_api.get("/tasks/{task_id}", response=TaskDetailOut, summary="抽查任务详情和工作方案", tags=["抽查任务"])
def get_task(request: HttpRequest, task_id: int = PathId()) -> Any:
    return selectors.public_task_get(pk=task_id)


class DrawOut(Schema):
    id: int
    task_id: int
    task_code: str
    sequence: int
    status: str
    pool_size: int
    public_pool_digest: str = Field(description="公开对象池摘要（风险等级以加盐承诺值代替，冻结时确定）")
    params: dict[str, Any]
    randomness_kind: str
    randomness_source: str
    seed_commitment: str
    frozen_at: datetime.datetime
    randomness: list[Any] | None = Field(None, description="对象池冻结后公布；冻结前为 null")
    record: dict[str, Any] | None = Field(None, description="公开抽取记录（抽取后；不含检查对象的风险等级）")
    public_record_digest: str | None = None
    drawn_at: datetime.datetime | None = None
    previous_id: int | None
    redraw_reason: str

    @staticmethod
    def resolve_task_code(obj: TargetDraw) -> str:
        return obj.task.code

    @staticmethod
    def resolve_status(obj: TargetDraw) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_public_pool_digest(obj: TargetDraw) -> str:
        return verification.public_pool_digest(obj)

    @staticmethod
    def resolve_randomness(obj: TargetDraw) -> list[Any] | None:
        return obj.randomness if selectors.draw_has_result(obj) else None

    @staticmethod
    def resolve_record(obj: TargetDraw) -> dict[str, Any] | None:
        return json.loads(verification.record_bytes(obj)) if selectors.draw_has_result(obj) else None

    @staticmethod
    def resolve_public_record_digest(obj: TargetDraw) -> str | None:
        if not selectors.draw_has_result(obj):
            return None
        return str(json.loads(verification.record_bytes(obj))["public_record_digest"])

    @staticmethod
    def resolve_drawn_at(obj: TargetDraw) -> datetime.datetime | None:
        return obj.drawn_at if selectors.draw_has_result(obj) else None


@cached
@public_api.get("/draws/{draw_id}", response=DrawOut, summary="随机抽取公告和记录", tags=["随机抽取"])
def get_draw(request: HttpRequest, draw_id: int = PathId()) -> Any:
    return selectors.public_draw_get(pk=draw_id)


class VerificationOut(Schema):
    draw_id: int
    verdict: str = Field(description="一致 / 不一致")
    ok: bool
    messages: list[str]


@decorate_view(public_page(shared=False))  # a live re-computation, never a cached verdict
@public_api.get("/draws/{draw_id}/verification", response=VerificationOut, summary="服务器端重新计算本次抽取",
                tags=["随机抽取"])
def verify_draw(request: HttpRequest, draw_id: int = PathId()) -> Any:
    draw = selectors.public_draw_get(pk=draw_id)
    if not selectors.draw_has_result(draw):
        raise ApplicationError("本次抽取尚未进行：对象池已冻结，等待公布随机数")
    outcome = verification.verify_draw(draw)
    return {"draw_id": draw.pk, "verdict": outcome.verdict, "ok": outcome.ok, "messages": outcome.messages}


class ProofOut(Schema):
    id: str
    included: bool | None
    message: str
    proof: dict[str, Any] | None


@decorate_view(public_page(gate=_proof_gate))
@public_api.get("/draws/{draw_id}/proof", response=ProofOut, summary="本单位是否在抽取范围内（Merkle 证明）",
                tags=["随机抽取"])
def draw_proof(
    request: HttpRequest, draw_id: int = PathId(), id: str = Query(..., max_length=64, description="统一社会信用代码")
) -> Any:
    draw = selectors.public_draw_get(pk=draw_id)
    found = verification.membership(draw, id)
    return {"id": found.id, "included": found.included, "message": found.message, "proof": found.proof}


# ---------------------------------------------------------------- results


class ResultOut(Schema):
    id: int
    uscc: str
    enterprise_name: str
    region: str
    specialties: str
    task_code: str
    task_title: str
    organization: str
    inspected_on: datetime.date
    result_group: str
    result: str
    result_detail: str
    published_at: datetime.datetime

    @staticmethod
    def resolve_region(obj: PublishedResult) -> str:
        return obj.region.name

    @staticmethod
    def resolve_specialties(obj: PublishedResult) -> str:
        return obj.specialty_names

    @staticmethod
    def resolve_organization(obj: PublishedResult) -> str:
        return obj.organization_name

    @staticmethod
    def resolve_result_group(obj: PublishedResult) -> str:
        return obj.get_result_group_display()

    @staticmethod
    def resolve_result(obj: PublishedResult) -> str:
        return obj.result_label


class PenaltyOut(Schema):
    decision_no: str
    decided_on: datetime.date
    authority: str
    violation: str
    basis: str
    content: str
    published_at: datetime.datetime


class ResultDetailOut(ResultOut):
    penalties: list[PenaltyOut]

    @staticmethod
    def resolve_penalties(obj: PublishedResult) -> list[PublishedPenalty]:
        return list(selectors_results.public_penalties(result=obj))


class ResultQuery(Schema):
    q: str | None = Field(None, description="名称片段（至少2个字）或18位统一社会信用代码")
    region: int | None = Field(None, ge=1, le=ID_MAX, description="区划 id（含下级）")
    specialty: int | None = Field(None, ge=1, le=ID_MAX, description="专业 id")
    year: int | None = Field(None, ge=1, le=9999)
    result: str | None = Field(None, description="no_problem 未发现问题 / rectified 发现问题已责令整改 / penalty 行政处罚 / unreachable 无法联系 / other 其他")
    task: int | None = Field(None, ge=1, le=ID_MAX, description="任务 id")


@decorate_view(public_page(gate=_search_gate))
@public_api.get("/results", response=list[ResultOut], summary="抽查结果检索", tags=["抽查结果"])
@paginate(ResultPagination)
def list_results(request: HttpRequest, filters: Query[ResultQuery]) -> Any:
    params = filters.dict(exclude_none=True)
    query = selectors_results.ResultFilters.from_params(params)
    query.task_id = filters.task
    qs, message = selectors_results.filtered_results(query)
    if message:
        raise ApplicationError(message)
    return qs.select_related("region")


@cached
@public_api.get("/results/{result_id}", response=ResultDetailOut, summary="抽查结果详情（含行政处罚信息）",
                tags=["抽查结果"])
def get_result(request: HttpRequest, result_id: int = PathId()) -> Any:
    return selectors_results.public_result_get(pk=result_id)


class AnnouncementOut(Schema):
    kind: str
    title: str
    url: str
    published_at: datetime.datetime
    organization: str
    summary: str


@cached
@public_api.get("/announcements", response=list[AnnouncementOut], summary="最新公告", tags=["公告"])
def announcements(request: HttpRequest) -> Any:
    return selectors.recent_announcements(limit=50)
