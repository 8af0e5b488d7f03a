"""Inspections API (/api/inspections/): 一企一表, result entry and review, result codes, 后续处置台账."""


import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.models import User
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.pagination import PageNumberPagination
from shuangsuiji.inspections import followup, selectors, services
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord

router = Router(tags=["一企一表与后续处置"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _required(value: datetime.date | None, label: str) -> datetime.date:
    if value is None:
        raise ApplicationError(f"请填写{label}")
    return value


# ---------------------------------------------------------------- schemas


class RecordOut(Schema):
    id: int
    number: str
    task: str
    target_id: int
    target_name: str
    status: str
    methods: list[str]
    inspected_on: datetime.date | None
    entry_deadline: datetime.date | None
    entered_late: bool
    result_codes: list[str]
    publication_group: str | None

    @staticmethod
    def resolve_task(obj: InspectionRecord) -> str:
        return obj.task.code

    @staticmethod
    def resolve_target_name(obj: InspectionRecord) -> str:
        return obj.target.name

    @staticmethod
    def resolve_result_codes(obj: InspectionRecord) -> list[str]:
        return [c.code for c in obj.result_codes.all()]

    @staticmethod
    def resolve_publication_group(obj: InspectionRecord) -> str | None:
        group = services.publication_group(obj)
        return str(group) if group else None


class ItemOut(Schema):
    id: int
    department: str
    code: str
    name: str
    sub_items: list[str]
    legal_basis: str
    finding: str
    note: str

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return str(obj.department.name)


class MemberOut(Schema):
    id: int
    name: str
    licence_no: str
    kind: str
    role: str
    present: bool


class RecordDetailOut(RecordOut):
    items: list[ItemOut]
    members: list[MemberOut]
    signature_kind: str
    refusal_reason: str
    refusal_witness: str
    result_note: str
    verify_url: str

    @staticmethod
    def resolve_items(obj: InspectionRecord) -> list[Any]:
        return list(obj.items.select_related("department"))

    @staticmethod
    def resolve_members(obj: InspectionRecord) -> list[Any]:
        return list(obj.members.all())

    @staticmethod
    def resolve_verify_url(obj: InspectionRecord) -> str:
        from shuangsuiji.inspections.documents import verify_url

        return verify_url(obj)


class RecordFilters(Schema):
    task: int | None = None
    status: str | None = None
    q: str | None = None


class GenerateOut(Schema):
    created: int
    refreshed: int
    cancelled: int
    warnings: list[str]


class FindingIn(Schema):
    item_id: int
    finding: str = ""
    note: str = ""


class ResultIn(Schema):
    # Fields have defaults so that scope is checked (404) before the content is (Chinese messages).
    methods: list[str] = []
    inspected_on: datetime.date | None = None
    findings: list[FindingIn] = []
    result_codes: list[str] = []
    present_member_ids: list[int] = []
    signature_kind: str = ""
    signature_data_url: str = ""
    signer_name: str = ""
    refusal_reason: str = ""
    refusal_witness: str = ""
    place: str = ""
    situation: str = ""
    result_note: str = ""
    rectify_workdays: int | None = None
    client_submission_id: str = ""


class ReviewIn(Schema):
    approve: bool = False
    comment: str = ""


class ResultCodeOut(Schema):
    code: str
    name: str
    parent: str | None
    is_selectable: bool
    is_exclusive: bool
    requires_findings: bool
    requires_note: bool
    is_problem: bool
    follow_up_measures: list[str]
    publication_group: str

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class CaseOut(Schema):
    id: int
    number: str
    record: str
    target_name: str
    region: str
    problem: str
    status: str
    opened_on: datetime.date
    planned_measures: list[str]
    measures_taken: list[str]
    rectify_deadline: datetime.date | None
    recheck_passed: bool | None
    case_number: str
    penalty_decision_number: str
    penalty_decided_on: datetime.date | None
    penalty_publish_deadline: datetime.date | None
    closed_on: datetime.date | None
    close_blockers: list[str]

    @staticmethod
    def resolve_record(obj: FollowUpCase) -> str:
        return obj.record.number

    @staticmethod
    def resolve_target_name(obj: FollowUpCase) -> str:
        return obj.target.name

    @staticmethod
    def resolve_region(obj: FollowUpCase) -> str:
        return obj.region.code

    @staticmethod
    def resolve_close_blockers(obj: FollowUpCase) -> list[str]:
        return followup.close_blockers(obj) if obj.status == "open" else []


class CaseFilters(Schema):
    status: str | None = None
    section: int | None = None
    inspector: int | None = None
    region: int | None = None
    min_age: int | None = None
    q: str | None = None


class RecheckIn(Schema):
    rechecked_on: datetime.date | None = None
    passed: bool = False
    note: str = ""


class PenaltyIn(Schema):
    decision_number: str = ""
    decided_on: datetime.date | None = None
    content: str = ""
    amount: Decimal | None = None


class CloseIn(Schema):
    closed_on: datetime.date | None = None
    note: str = ""


# ---------------------------------------------------------------- records


@router.get("/records", response=list[RecordOut], summary="一企一表列表")
@paginate(PageNumberPagination, page_size=50)
def list_records(request: HttpRequest, filters: Query[RecordFilters]) -> Any:
    return selectors.record_list(actor=_actor(request), filters=filters.dict(exclude_none=True)).prefetch_related(
        "result_codes"
    )


@router.get("/records/{record_id}", response=RecordDetailOut, summary="一企一表详情")
def get_record(request: HttpRequest, record_id: int) -> Any:
    return selectors.record_get(actor=_actor(request), pk=record_id)


@router.post("/tasks/{task_id}/records", response=GenerateOut, summary="按已确认的抽取和匹配结果生成一企一表")
def generate_records(request: HttpRequest, task_id: int) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=task_id)
    result = services.records_generate_for_task(actor=_actor(request), task=task)
    return {"created": len(result.created), "refreshed": result.refreshed, "cancelled": result.cancelled,
            "warnings": result.warnings}


@router.post("/records/{record_id}/result", response=RecordDetailOut, summary="录入并提交检查结果")
def submit_result(request: HttpRequest, record_id: int, payload: ResultIn) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    entry = services.ResultEntry(
        methods=payload.methods, inspected_on=_required(payload.inspected_on, "检查日期"),
        findings={f.item_id: (f.finding, f.note) for f in payload.findings}, result_codes=payload.result_codes,
        present_member_ids=payload.present_member_ids, signature_kind=payload.signature_kind, place=payload.place,
        situation=payload.situation, result_note=payload.result_note, rectify_workdays=payload.rectify_workdays,
        signer_name=payload.signer_name, refusal_reason=payload.refusal_reason,
        refusal_witness=payload.refusal_witness, client_submission_id=payload.client_submission_id,
    )
    return services.record_submit_result(
        actor=_actor(request), record=record, entry=entry, signature_data_url=payload.signature_data_url
    )


@router.post("/records/{record_id}/review", response=RecordOut, summary="科室审核：通过或退回")
def review_record(request: HttpRequest, record_id: int, payload: ReviewIn) -> Any:
    record = selectors.record_get(actor=_actor(request), pk=record_id)
    return services.record_review(actor=_actor(request), record=record, approve=payload.approve, comment=payload.comment)


@router.get("/result-codes", response=list[ResultCodeOut], summary="抽查结果代码（分级、可多选）")
def list_result_codes(request: HttpRequest) -> Any:
    return [node.code for node in selectors.result_code_tree()]


# ---------------------------------------------------------------- 后续处置台账


@router.get("/cases", response=list[CaseOut], summary="后续处置台账")
@paginate(PageNumberPagination, page_size=50)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    return selectors.case_list(actor=_actor(request), filters=filters.dict(exclude_none=True)).prefetch_related(
        "evidence"
    )


@router.get("/cases/{case_id}", response=CaseOut, summary="后续处置详情")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return selectors.case_get(actor=_actor(request), pk=case_id)


@router.post("/cases/{case_id}/recheck", response=CaseOut, summary="登记复查")
def recheck_case(request: HttpRequest, case_id: int, payload: RecheckIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return followup.case_record_recheck(
        actor=_actor(request), case=case, rechecked_on=_required(payload.rechecked_on, "复查日期"), passed=payload.passed, note=payload.note
    )


@router.post("/cases/{case_id}/penalty", response=CaseOut, summary="登记行政处罚决定（7个工作日内公示）")
def decide_penalty(request: HttpRequest, case_id: int, payload: PenaltyIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return followup.case_decide_penalty(
        actor=_actor(request), case=case, decision_number=payload.decision_number,
        decided_on=_required(payload.decided_on, "处罚决定日期"),
        content=payload.content, amount=payload.amount,
    )


@router.post("/cases/{case_id}/close", response=CaseOut, summary="办结（须有证明材料，应列尽列）")
def close_case(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return followup.case_close(
        actor=_actor(request), case=case, closed_on=_required(payload.closed_on, "办结日期"), note=payload.note
    )


from shuangsuiji.inspections import (  # noqa: E402  (they add their endpoints to this router)
    api_measures,  # noqa: F401
    api_nonrandom,  # noqa: F401
    api_team,  # noqa: F401
    api_testing,  # noqa: F401
)
