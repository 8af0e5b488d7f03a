"""API of 提醒、培训、约谈、记分 (/api/inspections/records/{id}/measures)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Schema

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.inspections import measures, selectors
from shuangsuiji.inspections.api import router


class MeasureIn(Schema):
    kind: str = ""
    occurred_on: datetime.date | None = None
    content: str = ""
    outcome: str = ""
    participants: str = ""
    points: int | None = None
    evaluation_grade: str = ""
    evaluation_score: Decimal | None = None


class MeasureOut(Schema):
    id: int
    record_id: int
    target_id: int
    kind: str
    kind_label: str
    occurred_on: datetime.date
    content: str
    participants: str
    outcome: str
    points: int | None
    evaluation_grade: str
    evaluation_score: Decimal | None


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/records/{record_id}/measures", response=list[MeasureOut], summary="检查对象的提醒、培训、约谈、记分")
def list_measures(request: HttpRequest, record_id: int) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    return list(record.measures.order_by("occurred_on", "pk"))


@router.post("/records/{record_id}/measures", response={201: MeasureOut},
             summary="登记提醒、培训、约谈或记分（医疗机构记分须附传染病防治分类监督综合评价结果）")
def create_measure(request: HttpRequest, record_id: int, payload: MeasureIn) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    if payload.occurred_on is None:
        raise ApplicationError("请填写日期")
    return 201, measures.measure_record(
        actor=_actor(request), record=record, kind=payload.kind, occurred_on=payload.occurred_on,
        content=payload.content, outcome=payload.outcome, participants=payload.participants, points=payload.points,
        evaluation_grade=payload.evaluation_grade, evaluation_score=payload.evaluation_score,
    )
