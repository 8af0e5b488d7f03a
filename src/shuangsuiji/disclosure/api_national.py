"""Staff API of the exports for the national systems (files only; nothing is sent anywhere)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import readable_owner_ids
from shuangsuiji.common.exceptions import NotFoundError
from shuangsuiji.common.view_helpers import attachment
from shuangsuiji.disclosure import national_export

# Database ids: out-of-range numbers are a 422, never an overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]

router = Router(tags=["国家系统数据导出"])


class ExportIn(Schema):
    layout: str
    organization_id: Id | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class LayoutOut(Schema):
    key: str
    title: str
    system: str
    columns: dict[str, str]


class ExcludedOut(Schema):
    row: int
    record: str
    field: str
    reason: str


class PreviewOut(Schema):
    layout: str
    exportable: int
    excluded: list[ExcludedOut]


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _kwargs(request: HttpRequest, payload: ExportIn) -> dict[str, Any]:
    organization = None
    if payload.organization_id is not None:
        ids = readable_owner_ids(_actor(request))
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None or (ids is not None and organization.pk not in ids):
            raise NotFoundError("单位不存在或不在您的数据范围内")
    return {"actor": _actor(request), "layout_key": payload.layout, "organization": organization,
            "date_from": payload.date_from, "date_to": payload.date_to}


@router.get("/national-exports/layouts", response=list[LayoutOut], summary="国家系统导出格式及字段")
def list_layouts(request: HttpRequest) -> Any:
    return [
        {"key": layout.key, "title": layout.title, "system": layout.system,
         "columns": dict(zip(layout.columns, layout.column_titles, strict=True))}
        for layout in national_export.LAYOUTS.values()
    ]


@router.post("/national-exports/preview", response=PreviewOut, summary="检查：可导出条数及不能导出的记录和原因")
def preview(request: HttpRequest, payload: ExportIn) -> Any:
    count, excluded = national_export.national_export_preview(**_kwargs(request, payload))
    return {"layout": payload.layout, "exportable": count, "excluded": excluded}


@router.post("/national-exports", summary="导出 ZIP（数据 CSV、未导出记录、manifest.json）", response={200: None})
def export(request: HttpRequest, payload: ExportIn) -> HttpResponse:
    result = national_export.national_export_build(**_kwargs(request, payload))
    return attachment(result.content, "application/zip", result.file_name)
