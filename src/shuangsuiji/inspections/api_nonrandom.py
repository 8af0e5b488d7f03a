"""API: 指派 the team of a non-random task and generate its 一企一表 (/api/inspections/tasks/{id}/nonrandom-records)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspections import selectors
from shuangsuiji.inspections.api import RecordOut, router
from shuangsuiji.inspections.nonrandom import nonrandom_records_generate


class NonRandomTeamIn(Schema):
    leader_id: int = 0
    member_ids: list[int] = []


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.post("/tasks/{task_id}/nonrandom-records", response={201: list[RecordOut]},
             summary="非随机检查：指派检查组（组长＋组员，均为执法人员）并生成一企一表")
def generate_nonrandom_records(request: HttpRequest, task_id: int, payload: NonRandomTeamIn) -> Any:
    actor = _actor(request)
    task = selectors.task_get(actor=actor, pk=task_id)
    people = {i.pk: i for i in Inspector.objects.visible_to(actor).filter(pk__in=[payload.leader_id, *payload.member_ids])}
    if payload.leader_id not in people or any(m not in people for m in payload.member_ids):
        raise ApplicationError("检查组成员不存在或不在本单位名录库中")
    records = nonrandom_records_generate(
        actor=actor, task=task, leader=people[payload.leader_id], members=[people[m] for m in payload.member_ids],
    )
    return 201, records
