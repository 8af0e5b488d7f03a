"""API of the team of a record (/api/inspections/…): 指派 辅助检查人员 / 协助 / 专家, and removal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspections import selectors, team
from shuangsuiji.inspections.api import router
from shuangsuiji.inspections.models import RecordMember


class MemberIn(Schema):
    inspector_id: int = 0
    role: str = ""
    reason: str = ""
    sent_by_id: int | None = None


class MemberOut(Schema):
    id: int
    inspector_id: int
    name: str
    kind: str
    role: str
    role_label: str
    source: str
    source_text: str
    sent_by: str
    assign_reason: str
    counts_as_officer: bool

    @staticmethod
    def resolve_sent_by(obj: RecordMember) -> str:
        return obj.sent_by.name if obj.sent_by_id and obj.sent_by is not None else ""

    @staticmethod
    def resolve_counts_as_officer(obj: RecordMember) -> bool:
        return obj.is_counted_officer


class RemoveIn(Schema):
    reason: str = ""


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/records/{record_id}/members", response=list[MemberOut], summary="检查组成员（含产生方式）")
def list_members(request: HttpRequest, record_id: int) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    return list(record.members.select_related("sent_by").order_by("sort_order", "pk"))


@router.post("/records/{record_id}/members", response={201: MemberOut}, summary="指派辅助检查人员、协助人员或专家")
def assign_member(request: HttpRequest, record_id: int, payload: MemberIn) -> Any:
    actor = _actor(request)
    record = selectors.record_get(actor=actor, pk=record_id)
    inspector = Inspector.objects.visible_to(actor).filter(pk=payload.inspector_id).first()
    if inspector is None:
        raise NotFoundError("人员不存在或不在您的名录库范围内")
    sent_by = None
    if payload.sent_by_id is not None:
        sent_by = Organization.objects.filter(pk=payload.sent_by_id, is_active=True).first()
        if sent_by is None:
            raise NotFoundError("派出单位不存在")
    member = team.record_member_assign(
        actor=actor, record=record, inspector=inspector, role=payload.role, reason=payload.reason, sent_by=sent_by,
    )
    return 201, member


@router.post("/members/{member_id}/remove", response={204: None}, summary="移出指派的检查组成员")
def remove_member(request: HttpRequest, member_id: int, payload: RemoveIn) -> Any:
    actor = _actor(request)
    member = RecordMember.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFoundError("成员不存在")
    selectors.record_get(actor=actor, pk=member.record_id)  # 404 out of scope
    team.record_member_remove(actor=actor, member=member, reason=payload.reason)
    return 204, None
