"""API of non-random tasks (/api/planning/nonrandom-tasks): record one with its source and named targets."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import CheckItem, Target
from shuangsuiji.planning.api import router
from shuangsuiji.planning.nonrandom import nonrandom_task_create


class NonRandomTaskIn(Schema):
    title: str = ""
    source: str = ""
    reference: str = ""
    received_on: datetime.date | None = None
    summary: str = ""
    item_ids: list[int] = []
    target_ids: list[int] = []
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None
    methods: list[str] = ["on_site"]


class NonRandomTaskOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    state: str
    source: str
    reference: str
    received_on: datetime.date
    target_ids: list[int]

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return str(obj.nonrandom_basis.get_source_display())

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return str(obj.nonrandom_basis.reference)

    @staticmethod
    def resolve_received_on(obj: Any) -> datetime.date:
        return obj.nonrandom_basis.received_on  # type: ignore[no-any-return]

    @staticmethod
    def resolve_target_ids(obj: Any) -> list[int]:
        return sorted(obj.nonrandom_basis.targets.values_list("pk", flat=True))


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.post("/nonrandom-tasks", response={201: NonRandomTaskOut},
             summary="登记非随机检查任务（投诉举报、转办交办、专项检查等），写明来源和检查对象")
def create_nonrandom_task(request: HttpRequest, payload: NonRandomTaskIn) -> Any:
    actor = _actor(request)
    bureau = user_bureau(actor)
    if payload.received_on is None or payload.window_start is None or payload.window_end is None:
        raise ApplicationError("请填写受理/交办日期和检查起止日期")
    owner_id = bureau.pk if bureau is not None else -1
    items = list(CheckItem.objects.filter(owner_id=owner_id, pk__in=payload.item_ids))
    targets = list(Target.objects.filter(owner_id=owner_id, pk__in=payload.target_ids))
    missing_items = set(payload.item_ids) - {i.pk for i in items}
    missing_targets = set(payload.target_ids) - {t.pk for t in targets}
    if missing_items or missing_targets:
        raise ApplicationError("抽查事项或检查对象不存在，或不属于本单位")
    task = nonrandom_task_create(
        actor=actor, title=payload.title, source=payload.source, reference=payload.reference,
        received_on=payload.received_on, summary=payload.summary, items=items, targets=targets,
        window_start=payload.window_start, window_end=payload.window_end, methods=payload.methods,
    )
    return 201, task
