"""API of the 合法性审查 of the 抽查事项清单 (same rules as the pages: ``directory.item_review``)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import item_review
from shuangsuiji.directory.models import CheckItem, ItemReview

# Database ids: out-of-range numbers are a 422, never an overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]

router = Router(tags=["一单两库"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ReviewEntryOut(Schema):
    item_id: int
    code: str
    version: int
    name: str
    item_status: str
    content_sha256: str
    changed_since_submission: bool
    remark: str


class ReviewOut(Schema):
    id: int
    number: str
    organization: str
    status: str
    status_label: str
    note: str
    submitted_by: str
    submitted_at: datetime.datetime
    reviewer: str | None
    reviewed_at: datetime.datetime | None
    opinion: str
    entries: list[ReviewEntryOut]


class ReviewIn(Schema):
    item_ids: list[Id]
    note: str = ""


class DecisionIn(Schema):
    approve: bool = False  # true: 审查通过; false (default): 退回修改, which needs an opinion
    opinion: str = ""
    remarks: dict[Id, str] = {}


class PublishedOut(Schema):
    published: list[int]


def _out(review: ItemReview) -> dict[str, Any]:
    entries = []
    for entry in review.entries.select_related("item", "item__specialty"):
        item = entry.item
        entries.append({
            "item_id": item.pk, "code": item.code, "version": item.version, "name": item.name,
            "item_status": item.status, "content_sha256": entry.content_sha256,
            "changed_since_submission": item_review.item_content_digest(item) != entry.content_sha256,
            "remark": entry.remark,
        })
    return {
        "id": review.pk, "number": review.number, "organization": review.owner.name, "status": review.status,
        "status_label": review.get_status_display(), "note": review.note,
        "submitted_by": review.submitted_by.real_name or review.submitted_by.username,
        "submitted_at": review.submitted_at,
        "reviewer": (review.reviewer.real_name or review.reviewer.username) if review.reviewer else None,
        "reviewed_at": review.reviewed_at, "opinion": review.opinion, "entries": entries,
    }


@router.get("/item-reviews", response=list[ReviewOut], summary="抽查事项清单合法性审查记录")
def list_reviews(request: HttpRequest, status: str = "") -> Any:
    return [_out(r) for r in item_review.review_list(actor=_actor(request), status=status)[:200]]


@router.get("/item-reviews/{review_id}", response=ReviewOut, summary="合法性审查详情")
def get_review(request: HttpRequest, review_id: int) -> Any:
    return _out(item_review.review_get(actor=_actor(request), pk=review_id))


@router.post("/item-reviews", response={201: ReviewOut}, summary="提交抽查事项合法性审查（草稿或已撤回的当前版本）")
def submit_review(request: HttpRequest, payload: ReviewIn) -> Any:
    actor = _actor(request)
    bureau = user_bureau(actor)
    ids = set(payload.item_ids)
    items = list(CheckItem.objects.visible_to(actor).filter(pk__in=ids).select_related("specialty", "owner"))
    if not ids or len(items) != len(ids) or bureau is None:
        raise ApplicationError("事项不存在或不在您的数据范围内")
    return 201, _out(item_review.item_review_submit(actor=actor, items=items, note=payload.note))


@router.post("/item-reviews/{review_id}/decide", response=ReviewOut,
             summary="合法性审查：approve=true 通过，false 退回（须填写意见）")
def decide_review(request: HttpRequest, review_id: int, payload: DecisionIn) -> Any:
    actor = _actor(request)
    review = item_review.review_get(actor=actor, pk=review_id)
    return _out(item_review.item_review_decide(
        actor=actor, review=review, approve=payload.approve, opinion=payload.opinion, remarks=payload.remarks
    ))


@router.post("/item-reviews/{review_id}/publish", response=PublishedOut, summary="公布审查通过的抽查事项（须双因素认证）")
def publish_review(request: HttpRequest, review_id: int) -> Any:
    actor = _actor(request)
    review = item_review.review_get(actor=actor, pk=review_id)
    return {"published": [i.pk for i in item_review.item_review_publish(actor=actor, review=review)]}
