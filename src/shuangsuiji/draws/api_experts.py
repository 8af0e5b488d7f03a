"""API of the expert draw (/api/draws/…): run, read with the re-computed verdict."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.draws import experts, selectors
from shuangsuiji.draws.api import router
from shuangsuiji.draws.models import ExpertDraw


class ExpertDrawIn(Schema):
    randomness: list[str] = []
    randomness_source: str = ""
    reason: str = ""


class ExpertSelectionOut(Schema):
    target_id: int
    target_name: str
    specialty: str
    inspector_id: int
    inspector_name: str
    eligible: int


class ExpertDrawOut(Schema):
    id: int
    task_id: int
    sequence: int
    status: str
    randomness: list[str]
    randomness_source: str
    record_digest: str
    selections: list[ExpertSelectionOut]
    shortfalls: list[dict[str, str]]
    verdict: str
    problems: list[str]


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _out(expert_draw: ExpertDraw) -> dict[str, Any]:
    check = experts.expert_draw_verify(expert_draw)
    return {
        "id": expert_draw.pk, "task_id": expert_draw.task_id, "sequence": expert_draw.sequence,
        "status": expert_draw.status, "randomness": expert_draw.randomness,
        "randomness_source": expert_draw.randomness_source, "record_digest": expert_draw.record_digest,
        "selections": [
            {"target_id": s.drawn_target.target_id, "target_name": s.drawn_target.target.name,
             "specialty": s.specialty.name, "inspector_id": s.inspector_id, "inspector_name": s.inspector.name,
             "eligible": s.eligible}
            for s in expert_draw.selections.select_related("drawn_target__target", "specialty", "inspector")
        ],
        "shortfalls": experts.shortfall_rows(expert_draw),
        "verdict": check.verdict,
        "problems": check.problems,
    }


@router.post("/tasks/{task_id}/expert-draws", response={201: ExpertDrawOut}, summary="专家随机抽取（需专家参与的事项）")
def run_expert_draw(request: HttpRequest, task_id: int, payload: ExpertDrawIn) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=task_id)
    done = experts.expert_draw_run(
        actor=_actor(request), task=task, randomness=payload.randomness,
        randomness_source=payload.randomness_source, reason=payload.reason,
    )
    return 201, _out(done)


@router.get("/expert-draws/{expert_draw_id}", response=ExpertDrawOut, summary="专家抽取结果及重新计算核验")
def get_expert_draw(request: HttpRequest, expert_draw_id: int) -> Any:
    return _out(get_visible_or_404(ExpertDraw.objects.all(), _actor(request), pk=expert_draw_id))
