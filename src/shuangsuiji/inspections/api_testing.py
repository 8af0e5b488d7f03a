"""API of 检验检测 (/api/inspections/…): 登记送检 (holds the entry deadline), 登记检测报告 with the file."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.inspections import selectors, testing
from shuangsuiji.inspections.api import router
from shuangsuiji.inspections.models import TestingRecord


class TestingIn(Schema):
    agency_name: str = ""
    agency_kind: str = ""
    agency_qualification: str = ""
    sample: str = ""
    test_items: str = ""
    sampled_on: datetime.date | None = None
    sent_on: datetime.date | None = None


class TestingOut(Schema):
    id: int
    record_id: int
    agency_name: str
    agency_kind: str
    sample: str
    test_items: str
    sampled_on: datetime.date
    sent_on: datetime.date
    status: str
    report_number: str
    report_on: datetime.date | None
    conclusion: str
    held_workdays: int
    suspension_reason: str
    report_file_sha256: str

    @staticmethod
    def resolve_report_file_sha256(obj: TestingRecord) -> str:
        return obj.report_file.sha256 if obj.report_file_id and obj.report_file is not None else ""


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/records/{record_id}/testings", response=list[TestingOut], summary="一企一表的检验检测")
def list_testings(request: HttpRequest, record_id: int) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    return list(record.testings.select_related("report_file").order_by("pk"))


@router.post("/records/{record_id}/testings", response={201: TestingOut},
             summary="登记送检（检测机构、样品、日期）：结果录入期限中止")
def create_testing(request: HttpRequest, record_id: int, payload: TestingIn) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    if payload.sampled_on is None or payload.sent_on is None:
        raise ApplicationError("请填写采样日期和送检日期")
    return 201, testing.testing_create(
        actor=_actor(request), record=record, agency_name=payload.agency_name, agency_kind=payload.agency_kind,
        agency_qualification=payload.agency_qualification, sample=payload.sample, test_items=payload.test_items,
        sampled_on=payload.sampled_on, sent_on=payload.sent_on,
    )


@router.post("/testings/{testing_id}/report", response=TestingOut,
             summary="登记检测报告（编号、日期、结论、报告文件）：结果录入期限恢复并顺延")
def report_testing(
    request: HttpRequest, testing_id: int, report_number: Form[str] = "", report_on: Form[datetime.date | None] = None,
    conclusion: Form[str] = "", file: UploadedFile | None = File(None),
) -> Any:
    found = TestingRecord.objects.visible_to(_actor(request)).filter(pk=testing_id).first()
    if found is None:
        raise NotFoundError("检测记录不存在")
    if report_on is None:
        raise ApplicationError("请填写报告出具日期")
    return testing.testing_report(
        actor=_actor(request), testing=found, report_number=report_number, report_on=report_on,
        conclusion=conclusion, upload=file,
    )
