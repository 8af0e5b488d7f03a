"""API of the upper-level supervision (same services and scope as the pages)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.supervision import services
from shuangsuiji.supervision.models import Campaign, CampaignPart

# Database ids: out-of-range numbers are a 422, never an overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]

router = Router(tags=["专项督查与交叉检查"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class FindingOut(Schema):
    id: int
    sort_order: int
    category: str
    description: str
    requires_rectification: bool
    rectification: str


class PartOut(Schema):
    id: int
    bureau: str
    checked_by: str | None
    status: str
    status_label: str
    rating: str
    summary: str
    rectify_due: datetime.date | None
    answer: str
    review_comment: str
    findings: list[FindingOut]


class CampaignOut(Schema):
    id: int
    kind: str
    title: str
    organization: str
    status: str
    window_start: datetime.date
    window_end: datetime.date
    notice_number: str
    issued_on: datetime.date | None
    parts: list[PartOut]


class CampaignIn(Schema):
    kind: str = "special"
    title: str
    basis: str
    window_start: datetime.date
    window_end: datetime.date
    bureau_ids: list[Id]
    checked_by: dict[Id, Id] = {}
    rectify_workdays: int = 15


# Fields default to empty: the services refuse missing values in Chinese (and scope is checked first).
class FindingIn(Schema):
    category: str = ""
    description: str = ""
    requires_rectification: bool = True


class ConcludeIn(Schema):
    checked_on: datetime.date | None = None
    rating: str = ""
    summary: str = ""


class IssueIn(Schema):
    notice_number: str = ""
    summary: str = ""
    requirements: str = ""
    issued_on: datetime.date | None = None


class AnswerIn(Schema):
    answer: str = ""
    rectifications: dict[Id, str] = {}


class ReviewIn(Schema):
    accept: bool = False
    comment: str = ""


def _part_out(actor: User, part: CampaignPart) -> dict[str, Any]:
    findings = part.findings.all() if services.findings_visible(actor, part) else []
    return {
        "id": part.pk, "bureau": part.bureau.name, "checked_by": part.checked_by.name if part.checked_by else None,
        "status": part.status, "status_label": part.get_status_display(), "rating": part.rating,
        "summary": part.summary, "rectify_due": part.rectify_due, "answer": part.answer,
        "review_comment": part.review_comment,
        "findings": [{"id": f.pk, "sort_order": f.sort_order, "category": f.category, "description": f.description,
                      "requires_rectification": f.requires_rectification, "rectification": f.rectification}
                     for f in findings],
    }


def _out(actor: User, campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk, "kind": campaign.kind, "title": campaign.title, "organization": campaign.owner.name,
        "status": campaign.status, "window_start": campaign.window_start, "window_end": campaign.window_end,
        "notice_number": campaign.notice_number, "issued_on": campaign.issued_on,
        "parts": [_part_out(actor, p) for p in services.parts_for(actor=actor, campaign=campaign)],
    }


def _campaign(actor: User, campaign_id: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("owner"), actor, pk=campaign_id)  # type: ignore[no-any-return]


def _part(actor: User, part_id: int) -> CampaignPart:
    part = CampaignPart.objects.visible_to(actor).select_related("campaign", "bureau").filter(pk=part_id).first()
    if part is None:
        raise NotFoundError("对象不存在或不在您的数据范围内")
    return part


@router.get("/campaigns", response=list[CampaignOut], summary="专项督查与交叉检查（下级单位只见本单位部分）")
def list_campaigns(request: HttpRequest) -> Any:
    actor = _actor(request)
    return [_out(actor, c) for c in services.campaign_list(actor=actor)[:100]]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="督查详情")
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    actor = _actor(request)
    return _out(actor, _campaign(actor, campaign_id))


@router.post("/campaigns", response={201: CampaignOut}, summary="新建专项督查/交叉检查（上级单位）")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    actor = _actor(request)
    ids = {*payload.bureau_ids, *payload.checked_by.values()}
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    if set(ids) - set(orgs):
        raise ApplicationError("单位不存在")
    campaign = services.campaign_create(
        actor=actor, kind=payload.kind, title=payload.title, basis=payload.basis, window_start=payload.window_start,
        window_end=payload.window_end, bureaus=[orgs[i] for i in payload.bureau_ids],
        checked_by={k: orgs[v] for k, v in payload.checked_by.items()}, rectify_workdays=payload.rectify_workdays,
    )
    return 201, _out(actor, campaign)


@router.post("/campaigns/{campaign_id}/open", response=CampaignOut, summary="启动督查")
def open_campaign(request: HttpRequest, campaign_id: int) -> Any:
    actor = _actor(request)
    return _out(actor, services.campaign_open(actor=actor, campaign=_campaign(actor, campaign_id)))


@router.post("/campaigns/{campaign_id}/issue", response=CampaignOut, summary="印发通报（须双因素认证；开启整改答复期限）")
def issue_campaign(request: HttpRequest, campaign_id: int, payload: IssueIn) -> Any:
    actor = _actor(request)
    campaign = services.campaign_issue(actor=actor, campaign=_campaign(actor, campaign_id), **payload.dict())
    return _out(actor, campaign)


@router.post("/parts/{part_id}/findings", response={201: FindingOut}, summary="记录督查发现的问题（上级单位）")
def add_finding(request: HttpRequest, part_id: int, payload: FindingIn) -> Any:
    actor = _actor(request)
    return 201, services.finding_add(actor=actor, part=_part(actor, part_id), **payload.dict())


@router.post("/parts/{part_id}/conclude", response=PartOut, summary="登记督查情况（上级单位）")
def conclude_part(request: HttpRequest, part_id: int, payload: ConcludeIn) -> Any:
    actor = _actor(request)
    part = _part(actor, part_id)
    if payload.checked_on is None:
        raise ApplicationError("请填写督查日期")
    return _part_out(actor, services.part_conclude(
        actor=actor, part=part, checked_on=payload.checked_on, rating=payload.rating, summary=payload.summary))


@router.post("/parts/{part_id}/answer", response=PartOut, summary="答复整改情况（被督查单位）")
def answer_part(request: HttpRequest, part_id: int, payload: AnswerIn) -> Any:
    actor = _actor(request)
    return _part_out(actor, services.part_answer(actor=actor, part=_part(actor, part_id), **payload.dict()))


@router.post("/parts/{part_id}/review", response=PartOut, summary="审核整改答复：accept=true 整改到位，false 退回")
def review_part(request: HttpRequest, part_id: int, payload: ReviewIn) -> Any:
    actor = _actor(request)
    return _part_out(actor, services.part_review(actor=actor, part=_part(actor, part_id), **payload.dict()))
