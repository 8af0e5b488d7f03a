"""Draws API: the same operations as the pages (freeze, draw, confirm, re-draw, match, replace, verify)."""


import datetime
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.draws import selectors, services, storage
from shuangsuiji.draws.instructions import draw_verify_commands, match_verify_commands
from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import (
    Assignment,
    DepartmentConfirmation,
    InspectorMatch,
    RedrawRequest,
    TargetDraw,
)
from shuangsuiji.draws.verification import verify_draw, verify_match

router = Router(tags=["双随机抽取"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class DrawnTargetOut(Schema):
    target_id: int
    code: str
    name: str
    region: str
    stratum: str
    rank: int
    reason: str
    reason_label: str


class DrawOut(Schema):
    id: int
    task_id: int
    task_code: str
    sequence: int
    status: str
    status_label: str
    pool_size: int
    pool_digest: str
    params: dict[str, Any]
    randomness_kind: str
    randomness_source: str
    seed_commitment: str
    randomness: list[str]
    record_digest: str
    previous_id: int | None
    redraw_reason: str
    frozen_by: str
    frozen_at: datetime.datetime
    drawn_by: str | None
    drawn_at: datetime.datetime | None
    confirmed_by: str | None
    confirmed_at: datetime.datetime | None
    confirm_deadline: datetime.date | None
    verify_commands: list[str]
    rules: list[str]  # the rules applied (coverage cycle, 非请勿扰, cap, mandatory flags …), in Chinese
    department_confirmations: list[dict[str, Any]]  # joint draws: each participating department's part

    @staticmethod
    def resolve_rules(obj: TargetDraw) -> list[str]:
        return list((obj.rules or {}).get("lines", []))

    @staticmethod
    def resolve_department_confirmations(obj: TargetDraw) -> list[dict[str, Any]]:
        return [
            {"id": c.pk, "department": c.organization.name, "targets": c.target_count, "due_date": c.due_date,
             "confirmed_at": c.confirmed_at, "confirmed_by": c.confirmed_by.display_name if c.confirmed_by else None}
            for c in obj.department_confirmations.select_related("organization", "confirmed_by")
        ]

    @staticmethod
    def resolve_task_code(obj: TargetDraw) -> str:
        return obj.task.code

    @staticmethod
    def resolve_status_label(obj: TargetDraw) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_frozen_by(obj: TargetDraw) -> str:
        return obj.frozen_by.display_name

    @staticmethod
    def resolve_drawn_by(obj: TargetDraw) -> str | None:
        return obj.drawn_by.display_name if obj.drawn_by else None

    @staticmethod
    def resolve_confirmed_by(obj: TargetDraw) -> str | None:
        return obj.confirmed_by.display_name if obj.confirmed_by else None

    @staticmethod
    def resolve_verify_commands(obj: TargetDraw) -> list[str]:
        return draw_verify_commands(obj)


class DrawDetailOut(DrawOut):
    selections: list[DrawnTargetOut]

    @staticmethod
    def resolve_selections(obj: TargetDraw) -> list[dict[str, Any]]:
        return [
            {
                "target_id": s.target_id, "code": s.target.code, "name": s.target.name, "region": s.target.region.name,
                "stratum": s.stratum, "rank": s.rank, "reason": s.reason, "reason_label": s.get_reason_display(),
            }
            for s in selectors.draw_selections(draw=obj)
        ]


class AssignmentOut(Schema):
    id: int
    target_code: str
    target_name: str
    inspector_id: int
    inspector_name: str
    slot: int
    role: str
    mode: str
    direct_reason: str
    is_active: bool
    replaced_by_id: int | None
    replaced_reason: str

    @staticmethod
    def resolve_target_code(obj: Assignment) -> str:
        return obj.drawn_target.target.code

    @staticmethod
    def resolve_target_name(obj: Assignment) -> str:
        return obj.drawn_target.target.name

    @staticmethod
    def resolve_inspector_name(obj: Assignment) -> str:
        return obj.inspector.name


class MatchOut(Schema):
    id: int
    task_id: int
    draw_id: int
    sequence: int
    status: str
    params: dict[str, Any]
    randomness: list[str]
    record_digest: str
    fairness: dict[str, Any]
    unstaffed: list[dict[str, Any]]
    previous_id: int | None
    rematch_reason: str
    matched_by: str
    matched_at: datetime.datetime
    confirmed_by: str | None
    confirmed_at: datetime.datetime | None
    verify_commands: list[str]

    @staticmethod
    def resolve_matched_by(obj: InspectorMatch) -> str:
        return obj.matched_by.display_name

    @staticmethod
    def resolve_confirmed_by(obj: InspectorMatch) -> str | None:
        return obj.confirmed_by.display_name if obj.confirmed_by else None

    @staticmethod
    def resolve_verify_commands(obj: InspectorMatch) -> list[str]:
        return match_verify_commands(obj)


class MatchDetailOut(MatchOut):
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj: InspectorMatch) -> list[Assignment]:
        return list(selectors.match_assignments(match=obj))


class RedrawRequestOut(Schema):
    id: int
    draw_id: int
    reason: str
    status: str
    requested_by: str
    decided_by: str | None
    decision_comment: str
    new_draw_id: int | None

    @staticmethod
    def resolve_requested_by(obj: RedrawRequest) -> str:
        return obj.requested_by.display_name

    @staticmethod
    def resolve_decided_by(obj: RedrawRequest) -> str | None:
        return obj.decided_by.display_name if obj.decided_by else None


class TaskDrawOut(Schema):
    task_id: int
    task_code: str
    task_state: str
    step: int
    steps: list[dict[str, Any]]
    blocked_reason: str
    current_draw_id: int | None
    current_match_id: int | None
    draws: list[DrawOut]
    matches: list[MatchOut]
    redraw_requests: list[RedrawRequestOut]


class VerificationOut(Schema):
    ok: bool
    verdict: str
    messages: list[str]


class FreezeIn(Schema):
    randomness_kind: str = "announced"
    randomness_source: str = ""
    seed_commitment: str = ""


class ExecuteIn(Schema):
    randomness: list[str] = []
    reveal: str = ""


class CommentIn(Schema):
    comment: str = ""


class RedrawIn(Schema):
    reason: str = ""


class DecideIn(Schema):
    approve: bool = False
    comment: str = ""


class MatchIn(Schema):
    randomness: list[str] = []
    fallback: str = "adjacent"
    direct_assignment_reason: str = ""
    add_experts: bool = False
    allow_unstaffed: bool = False
    reason: str = ""


class ReplaceIn(Schema):
    reason: str = ""
    randomness: list[str] = []


def _overview(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = selectors.task_get(actor=_actor(request), pk=task_id)
    o = selectors.task_draw_overview(actor=_actor(request), task=task)
    return {
        "task_id": task.pk, "task_code": task.code, "task_state": task.state, "step": o.step, "steps": o.steps,
        "blocked_reason": o.blocked_reason, "current_draw_id": o.current.pk if o.current else None,
        "current_match_id": o.current_match.pk if o.current_match else None, "draws": o.draws,
        "matches": o.matches, "redraw_requests": o.requests,
    }


@router.get("/tasks/{task_id}", response=TaskDrawOut, summary="任务的抽取进度、抽取与匹配记录")
def get_task_draws(request: HttpRequest, task_id: int) -> Any:
    return _overview(request, task_id)


@router.post("/tasks/{task_id}/freeze", response={201: DrawOut}, summary="冻结对象池并公布摘要和参数")
def freeze_pool(request: HttpRequest, task_id: int, payload: FreezeIn) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=task_id)
    return 201, services.draw_freeze_pool(actor=_actor(request), task=task, **payload.dict())


@router.get("/draws/{draw_id}", response=DrawDetailOut, summary="抽取详情（含抽中对象及纳入原因）")
def get_draw(request: HttpRequest, draw_id: int) -> Any:
    return selectors.draw_get(actor=_actor(request), pk=draw_id)


@router.post("/draws/{draw_id}/execute", response=DrawDetailOut, summary="填入公开随机数（或揭示种子）并抽取")
def execute_draw(request: HttpRequest, draw_id: int, payload: ExecuteIn) -> Any:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    return services.draw_execute(actor=_actor(request), draw=draw, randomness=payload.randomness, reveal=payload.reveal)


@router.post("/draws/{draw_id}/confirm", response=DrawOut, summary="双人确认抽取结果")
def confirm_draw(request: HttpRequest, draw_id: int, payload: CommentIn) -> Any:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    return services.draw_confirm(actor=_actor(request), draw=draw, comment=payload.comment)


@router.post(
    "/department-confirmations/{confirmation_id}/confirm", response=DrawOut, summary="参与部门确认本部门的抽取结果"
)
def confirm_department_part(request: HttpRequest, confirmation_id: int, payload: CommentIn) -> Any:
    actor = _actor(request)
    confirmation = DepartmentConfirmation.objects.visible_to(actor).filter(pk=confirmation_id).first()
    if confirmation is None:
        raise NotFoundError("参与部门确认不存在或无权查看")
    return services.draw_department_confirm(actor=actor, confirmation=confirmation, comment=payload.comment)


@router.post("/draws/{draw_id}/redraw-requests", response={201: RedrawRequestOut}, summary="申请重新抽取")
def request_redraw(request: HttpRequest, draw_id: int, payload: RedrawIn) -> Any:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    return 201, services.redraw_request_create(actor=_actor(request), draw=draw, reason=payload.reason)


@router.post("/redraw-requests/{request_id}/decide", response=RedrawRequestOut, summary="审批重新抽取申请")
def decide_redraw(request: HttpRequest, request_id: int, payload: DecideIn) -> Any:
    redraw = selectors.redraw_request_get(actor=_actor(request), pk=request_id)
    return services.redraw_request_decide(
        actor=_actor(request), request=redraw, approve=payload.approve, comment=payload.comment
    )


@router.get("/draws/{draw_id}/record", summary="下载抽取记录（JSON）")
def draw_record(request: HttpRequest, draw_id: int) -> Any:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    return draw.record or {}


@router.get("/draws/{draw_id}/pool", summary="下载对象池（CSV）")
def draw_pool(request: HttpRequest, draw_id: int) -> HttpResponse:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    return HttpResponse(storage.read_file(draw.pool_file), content_type="text/csv; charset=utf-8")


@router.get("/draws/{draw_id}/verify", response=VerificationOut, summary="服务器端重新计算验证抽取")
def verify_draw_api(request: HttpRequest, draw_id: int) -> Any:
    result = verify_draw(selectors.draw_get(actor=_actor(request), pk=draw_id))
    return {"ok": result.ok, "verdict": result.verdict, "messages": result.messages}


@router.post("/draws/{draw_id}/match", response={201: MatchDetailOut}, summary="随机匹配执法检查人员")
def run_match(request: HttpRequest, draw_id: int, payload: MatchIn) -> Any:
    draw = selectors.draw_get(actor=_actor(request), pk=draw_id)
    options = MatchOptions(
        fallback=payload.fallback, direct_assignment_reason=payload.direct_assignment_reason,
        add_experts=payload.add_experts,
    )
    return 201, services.match_run(
        actor=_actor(request), draw=draw, randomness=payload.randomness, options=options,
        allow_unstaffed=payload.allow_unstaffed, reason=payload.reason,
    )


@router.get("/matches/{match_id}", response=MatchDetailOut, summary="人员匹配详情（含公平性报告）")
def get_match(request: HttpRequest, match_id: int) -> Any:
    return selectors.match_get(actor=_actor(request), pk=match_id)


@router.post("/matches/{match_id}/confirm", response=MatchOut, summary="确认人员匹配结果（匹配操作人以外的另一人）")
def confirm_match(request: HttpRequest, match_id: int, payload: CommentIn) -> Any:
    match = selectors.match_get(actor=_actor(request), pk=match_id)
    return services.match_confirm(actor=_actor(request), match=match, comment=payload.comment)


@router.get("/matches/{match_id}/record", summary="下载匹配记录（JSON）")
def match_record(request: HttpRequest, match_id: int) -> Any:
    return selectors.match_get(actor=_actor(request), pk=match_id).record


@router.get("/matches/{match_id}/inputs", summary="匹配输入文件（ssj match 的格式）")
def match_inputs(request: HttpRequest, match_id: int) -> Any:
    match = selectors.match_get(actor=_actor(request), pk=match_id)
    files = storage.read_bundle(match.inputs_file)
    return {
        name: (json.loads(content) if name.endswith(".json") else content.decode("utf-8"))
        for name, content in files.items()
    }


@router.get("/matches/{match_id}/verify", response=VerificationOut, summary="服务器端重新计算验证匹配")
def verify_match_api(request: HttpRequest, match_id: int) -> Any:
    result = verify_match(selectors.match_get(actor=_actor(request), pk=match_id))
    return {"ok": result.ok, "verdict": result.verdict, "messages": result.messages}


@router.post("/assignments/{assignment_id}/replace", response={201: MatchDetailOut}, summary="回避：只重抽该位置")
def replace_assignment(request: HttpRequest, assignment_id: int, payload: ReplaceIn) -> Any:
    assignment = selectors.assignment_get(actor=_actor(request), pk=assignment_id)
    return 201, services.assignment_replace(
        actor=_actor(request), assignment=assignment, reason=payload.reason, randomness=payload.randomness
    )


from shuangsuiji.draws import api_experts  # noqa: E402,F401  (adds its endpoints to this router)
