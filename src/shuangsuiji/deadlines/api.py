"""Oversight API (read-only): the statutory deadlines in the caller's scope, with their status as of today.

Deadlines are opened and completed by the workflow (plans, draws, records, publication), never through the API;
督办 answers and 问责 handling stay on the pages, where the 2FA and role checks of those steps apply.
"""

# No `from __future__ import annotations`: django-ninja reads the Query[...] and Schema annotations at runtime.
import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.models import User
from shuangsuiji.common.pagination import PageNumberPagination
from shuangsuiji.deadlines import selectors
from shuangsuiji.deadlines.models import Deadline, DeadlineKind, DeadlineStatus

router = Router(tags=["期限督办"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class DeadlineFilters(Schema):
    status: DeadlineStatus | None = None
    kind: DeadlineKind | None = None
    mine: bool | None = None


class DeadlineOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    organization: str
    responsible: str | None
    start_date: datetime.date | None
    workdays: int | None
    rule: str
    due_date: datetime.date
    remind_on: datetime.date
    provisional: bool
    provisional_reason: str
    status: str
    status_label: str
    completed_on: datetime.date | None
    completed_late: bool
    late_workdays: int

    @staticmethod
    def resolve_kind_label(obj: Deadline) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_subject(obj: Deadline) -> str:
        return obj.subject_repr

    @staticmethod
    def resolve_organization(obj: Deadline) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_responsible(obj: Deadline) -> str | None:
        return obj.responsible.display_name if obj.responsible is not None else None

    @staticmethod
    def resolve_status(obj: Deadline) -> str:
        return str(obj.current_status)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_status_label(obj: Deadline) -> str:
        return obj.current_status_label


@router.get("/deadlines", response=list[DeadlineOut], summary="法定期限台账（本单位范围，状态按今日计算）")
@paginate(PageNumberPagination, page_size=50)
def list_deadlines(request: HttpRequest, filters: Query[DeadlineFilters]) -> Any:
    params: dict[str, str] = {}
    if filters.status:
        params["status"] = filters.status.value
    if filters.kind:
        params["kind"] = filters.kind.value
    if filters.mine is not None:
        params["mine"] = "true" if filters.mine else "false"
    return selectors.deadline_list(actor=_actor(request), filters=params).order_by("due_date", "pk")


@router.get("/deadlines/{deadline_id}", response=DeadlineOut, summary="法定期限详情")
def get_deadline(request: HttpRequest, deadline_id: int) -> Any:
    return selectors.deadline_get(actor=_actor(request), pk=deadline_id)
