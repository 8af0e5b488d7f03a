"""API of the dated risk flags: a target's flags (登记, 解除, 撤销) and the imported 经营异常/严重违法失信 lists."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.directory import flag_services, selectors
from shuangsuiji.directory.models import TargetFlagRecord
from shuangsuiji.directory.models_flags import FlagListImport

router = Router(tags=["一单两库"])
MAX_LIST_BYTES = 20 * 1024 * 1024


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class FlagOut(Schema):
    id: int
    target_id: int
    flag: str
    flag_label: str
    occurred_on: datetime.date
    source: str
    source_label: str
    reference: str
    note: str
    status: str
    ended_on: datetime.date | None
    closed_reason: str
    list_import_id: int | None
    reason_text: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_flag_label(obj: TargetFlagRecord) -> str:
        return obj.get_flag_display()

    @staticmethod
    def resolve_source_label(obj: TargetFlagRecord) -> str:
        return obj.get_source_display()


class TargetFlagsOut(Schema):
    target_id: int
    day: datetime.date
    mandatory_since: datetime.date
    mandatory_flags: list[str]
    rules_source: str
    mandatory: bool
    mandatory_reasons: list[str]
    counting_ids: list[int]
    records: list[FlagOut]


# Fields have defaults so that scope is checked first (another county's id answers 404, whatever the body);
# the services refuse missing values with a Chinese message.
class FlagIn(Schema):
    flag: str = ""
    source: str = "complaint"
    occurred_on: datetime.date | None = None
    reference: str = ""
    note: str = ""


class FlagEndIn(Schema):
    ended_on: datetime.date | None = None
    reason: str = ""


class FlagWithdrawIn(Schema):
    reason: str = ""


class FlagListOut(Schema):
    id: int
    kind: str
    source: str
    list_date: datetime.date
    batch: str
    file_name: str
    file_sha256: str
    total_rows: int
    matched_count: int
    created_count: int
    existing_count: int
    ended_count: int
    unmatched: list[dict[str, Any]]
    note: str
    created_at: datetime.datetime


def _record(request: HttpRequest, flag_id: int) -> TargetFlagRecord:
    record = TargetFlagRecord.objects.visible_to(_actor(request)).filter(pk=flag_id).first()
    if record is None:
        raise NotFoundError("风险标记记录不存在")
    return record


@router.get("/targets/{target_id}/flags", response=TargetFlagsOut,
            summary="检查对象的风险标记（日期、来源、状态）及今天的抽取中是否必查")
def target_flags(request: HttpRequest, target_id: int) -> Any:
    target = selectors.target_get(actor=_actor(request), pk=target_id)
    summary = flag_services.target_flag_summary(target)
    return {
        "target_id": target.pk, "day": summary.day, "mandatory_since": summary.rule.since,
        "mandatory_flags": list(summary.rule.flags), "rules_source": summary.rule.source,
        "mandatory": bool(summary.mandatory_reasons), "mandatory_reasons": summary.mandatory_reasons,
        "counting_ids": sorted(summary.counting), "records": summary.records,
    }


@router.post("/targets/{target_id}/flags", response={201: FlagOut},
             summary="登记风险标记（投诉举报、行政处罚等，须填发生日期和来源文书）")
def create_flag(request: HttpRequest, target_id: int, payload: FlagIn) -> Any:
    target = selectors.target_get(actor=_actor(request), pk=target_id)
    if payload.occurred_on is None:
        raise ApplicationError("请填写发生日期（occurred_on）")
    if payload.occurred_on > datetime.date.today():
        raise ApplicationError("发生日期不能晚于今天")
    return 201, flag_services.target_flag_record(
        actor=_actor(request), target=target, flag=payload.flag, source=payload.source,
        occurred_on=payload.occurred_on, reference=payload.reference, note=payload.note,
    )


@router.post("/flags/{flag_id}/end", response=FlagOut, summary="解除名单类风险标记（登记移出名单的日期和原因）")
def end_flag(request: HttpRequest, flag_id: int, payload: FlagEndIn) -> Any:
    record = _record(request, flag_id)
    if payload.ended_on is None:
        raise ApplicationError("请填写移出日期（ended_on）")
    return flag_services.target_flag_end(
        actor=_actor(request), record=record, ended_on=payload.ended_on, reason=payload.reason
    )


@router.post("/flags/{flag_id}/withdraw", response=FlagOut, summary="撤销登记有误的风险标记（不再计入抽取，记录保留）")
def withdraw_flag(request: HttpRequest, flag_id: int, payload: FlagWithdrawIn) -> Any:
    return flag_services.target_flag_withdraw(
        actor=_actor(request), record=_record(request, flag_id), reason=payload.reason
    )


@router.get("/flag-lists", response=list[FlagListOut], summary="导入的经营异常名录/严重违法失信名单")
def list_flag_lists(request: HttpRequest) -> Any:
    return list(FlagListImport.objects.visible_to(_actor(request))[:200])


@router.get("/flag-lists/{int:list_id}", response=FlagListOut, summary="名单导入详情（含未匹配的信用代码）")
def get_flag_list(request: HttpRequest, list_id: int) -> Any:
    found = FlagListImport.objects.visible_to(_actor(request)).filter(pk=list_id).first()
    if found is None:
        raise NotFoundError("名单导入记录不存在")
    return found


@router.post("/flag-lists/import", response={201: FlagListOut},
             summary="导入经营异常名录/严重违法失信名单（.xlsx/.csv，按统一社会信用代码匹配；全部通过才导入，错误在 errors 中按行列列出）")
def import_flag_list(
    request: HttpRequest, file: File[UploadedFile], kind: Form[str], source: Form[str], list_date: Form[datetime.date],
    batch: Form[str] = "", note: Form[str] = "",
) -> Any:
    if (file.size or 0) > MAX_LIST_BYTES:
        raise ApplicationError("文件过大：单个名单文件不超过 20 MB，请拆分后导入")
    return 201, flag_services.flag_list_import(
        actor=_actor(request), kind=kind, source=source, list_date=list_date, batch=batch, note=note,
        content=file.read(), file_name=file.name or "",
    )
