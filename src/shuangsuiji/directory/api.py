"""一单两库 API: list/detail/create/update, scoped to the caller like the pages."""


import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.common.crypto import mask_id_number, mask_phone
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.pagination import PageNumberPagination
from shuangsuiji.directory import selectors, services
from shuangsuiji.directory.models import CheckItem, Inspector, Specialty, Target

router = Router(tags=["一单两库"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _specialties(codes: list[str]) -> list[Specialty]:
    found = list(Specialty.objects.filter(code__in=codes))
    missing = set(codes) - {s.code for s in found}
    if missing:
        raise ApplicationError(f"未知的专业代码：{'、'.join(sorted(missing))}")
    return found


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(f"未知的行政区划代码：{code}")
    return region


# ---------------------------------------------------------------- items


class ItemOut(Schema):
    id: int
    code: str
    version: int
    is_current: bool
    specialty: str
    name: str
    sub_items: list[str]
    legal_basis: str
    subject: str
    target_type: str
    methods: list[str]
    ratio_percent: Decimal
    frequency: str
    kind: str
    needs_expert: bool
    status: str
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_specialty(obj: CheckItem) -> str:
        return obj.specialty.code


class ItemIn(Schema):
    code: str
    specialty: str
    name: str
    sub_items: list[str] = []
    legal_basis: str
    subject: str
    target_type: str = ""
    methods: list[str] = ["on_site"]
    ratio_percent: Decimal = Decimal("5")
    frequency: str = "每年不少于1次"
    kind: str = "general"
    needs_expert: bool = False


class ItemPatch(Schema):
    name: str | None = None
    sub_items: list[str] | None = None
    legal_basis: str | None = None
    subject: str | None = None
    target_type: str | None = None
    methods: list[str] | None = None
    ratio_percent: Decimal | None = None
    frequency: str | None = None
    kind: str | None = None
    needs_expert: bool | None = None
    change_note: str = ""


class ItemFilters(Schema):
    q: str | None = None
    specialty: int | None = None
    kind: str | None = None
    status: str | None = None


def _item_data(payload: dict[str, Any]) -> dict[str, Any]:
    if "specialty" in payload and payload["specialty"] is not None:
        payload["specialty"] = _specialties([payload["specialty"]])[0]
    return {k: v for k, v in payload.items() if v is not None}


@router.get("/items", response=list[ItemOut], summary="抽查事项清单")
@paginate(PageNumberPagination, page_size=50)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    return selectors.item_list(actor=_actor(request), filters=filters.dict(exclude_none=True))


@router.get("/items/{item_id}", response=ItemOut, summary="抽查事项详情")
def get_item(request: HttpRequest, item_id: int) -> Any:
    return selectors.item_get(actor=_actor(request), pk=item_id)


@router.post("/items", response={201: ItemOut}, summary="新增抽查事项")
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    return 201, services.item_create(actor=_actor(request), data=_item_data(payload.dict()))


@router.patch("/items/{item_id}", response=ItemOut, summary="修改抽查事项（已公布事项生成新版本）")
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> Any:
    item = selectors.item_get(actor=_actor(request), pk=item_id)
    data = payload.dict(exclude_none=True)
    note = data.pop("change_note", "")
    return services.item_update(actor=_actor(request), item=item, data=_item_data(data), change_note=note)


# ---------------------------------------------------------------- targets


class TargetOut(Schema):
    id: int
    code: str
    uscc: str
    name: str
    address: str
    region: str
    specialties: list[str]
    licence_numbers: str
    legal_representative: str
    contact_person: str
    contact_phone: str
    status: str
    risk_class: str
    risk_flags: list[str]
    last_inspected_on: datetime.date | None
    is_retired: bool

    @staticmethod
    def resolve_region(obj: Target) -> str:
        return obj.region.code

    @staticmethod
    def resolve_specialties(obj: Target) -> list[str]:
        return [s.code for s in obj.specialties.all()]

    @staticmethod
    def resolve_contact_phone(obj: Target, context: Any) -> str:
        actor = context["request"].user
        return obj.contact_phone if has_perm(actor, Perm.LIBRARY_VIEW_PERSONAL) else mask_phone(obj.contact_phone)


class TargetIn(Schema):
    uscc: str = ""
    name: str
    address: str = ""
    region: str
    specialties: list[str]
    licence_numbers: str = ""
    legal_representative: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    status: str = "operating"
    risk_class: str = "B"
    risk_flags: list[str] = []
    last_inspected_on: datetime.date | None = None


class TargetPatch(Schema):
    uscc: str | None = None
    name: str | None = None
    address: str | None = None
    region: str | None = None
    specialties: list[str] | None = None
    licence_numbers: str | None = None
    legal_representative: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    risk_class: str | None = None
    risk_flags: list[str] | None = None
    last_inspected_on: datetime.date | None = None


class TargetFilters(Schema):
    q: str | None = None
    region: int | None = None
    specialty: int | None = None
    status: str | None = None
    risk_class: str | None = None
    flag: str | None = None


def _target_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in payload.items() if v is not None}
    if "region" in data:
        data["region"] = _region(data["region"])
    if "specialties" in data:
        data["specialties"] = _specialties(data["specialties"])
    return data


@router.get("/targets", response=list[TargetOut], summary="检查对象名录库")
@paginate(PageNumberPagination, page_size=50)
def list_targets(request: HttpRequest, filters: Query[TargetFilters]) -> Any:
    return selectors.target_list(actor=_actor(request), filters=filters.dict(exclude_none=True))


@router.get("/targets/{target_id}", response=TargetOut, summary="检查对象详情")
def get_target(request: HttpRequest, target_id: int) -> Any:
    return selectors.target_get(actor=_actor(request), pk=target_id)


@router.post("/targets", response={201: TargetOut}, summary="新增检查对象")
def create_target(request: HttpRequest, payload: TargetIn) -> Any:
    return 201, services.target_create(actor=_actor(request), data=_target_data(payload.dict()))


@router.patch("/targets/{target_id}", response=TargetOut, summary="修改检查对象")
def update_target(request: HttpRequest, target_id: int, payload: TargetPatch) -> Any:
    target = selectors.target_get(actor=_actor(request), pk=target_id)
    return services.target_update(
        actor=_actor(request), target=target, data=_target_data(payload.dict(exclude_unset=True))
    )


# ---------------------------------------------------------------- inspectors


class InspectorOut(Schema):
    id: int
    name: str
    organization: str
    region: str
    kind: str
    licence_no: str
    licence_valid_from: datetime.date | None
    licence_valid_to: datetime.date | None
    qualifications: list[str]
    expertise: str
    tags: list[str]
    status: str
    id_number: str
    phone: str
    is_retired: bool

    @staticmethod
    def resolve_organization(obj: Inspector) -> str:
        return obj.organization.code

    @staticmethod
    def resolve_region(obj: Inspector) -> str:
        return obj.region.code

    @staticmethod
    def resolve_qualifications(obj: Inspector) -> list[str]:
        return [s.code for s in obj.qualifications.all()]

    @staticmethod
    def resolve_id_number(obj: Inspector, context: Any) -> str:
        actor = context["request"].user
        return obj.id_number if has_perm(actor, Perm.LIBRARY_VIEW_PERSONAL) else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Inspector, context: Any) -> str:
        actor = context["request"].user
        return obj.phone if has_perm(actor, Perm.LIBRARY_VIEW_PERSONAL) else mask_phone(obj.phone)


class InspectorIn(Schema):
    name: str
    organization: str
    region: str
    kind: str = "officer"
    licence_no: str = ""
    licence_valid_from: datetime.date | None = None
    licence_valid_to: datetime.date | None = None
    qualifications: list[str] = []
    expertise: str = ""
    tags: list[str] = []
    status: str = "on_duty"
    id_number: str = ""
    phone: str = ""


class InspectorPatch(Schema):
    name: str | None = None
    organization: str | None = None
    region: str | None = None
    kind: str | None = None
    licence_no: str | None = None
    licence_valid_from: datetime.date | None = None
    licence_valid_to: datetime.date | None = None
    qualifications: list[str] | None = None
    expertise: str | None = None
    tags: list[str] | None = None
    status: str | None = None
    id_number: str | None = None
    phone: str | None = None


class InspectorFilters(Schema):
    q: str | None = None
    region: int | None = None
    qualification: int | None = None
    kind: str | None = None
    status: str | None = None
    licence_expired: bool | None = None


def _inspector_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in payload.items() if v is not None}
    if "region" in data:
        data["region"] = _region(data["region"])
    if "organization" in data:
        org = Organization.objects.filter(code=data["organization"]).first()
        if org is None:
            raise ApplicationError(f"未知的单位代码：{data['organization']}")
        data["organization"] = org
    if "qualifications" in data:
        data["qualifications"] = _specialties(data["qualifications"])
    return data


@router.get("/inspectors", response=list[InspectorOut], summary="执法检查人员名录库")
@paginate(PageNumberPagination, page_size=50)
def list_inspectors(request: HttpRequest, filters: Query[InspectorFilters]) -> Any:
    return selectors.inspector_list(actor=_actor(request), filters=filters.dict(exclude_none=True))


@router.get("/inspectors/{inspector_id}", response=InspectorOut, summary="执法检查人员详情")
def get_inspector(request: HttpRequest, inspector_id: int) -> Any:
    return selectors.inspector_get(actor=_actor(request), pk=inspector_id)


@router.post("/inspectors", response={201: InspectorOut}, summary="新增执法检查人员")
def create_inspector(request: HttpRequest, payload: InspectorIn) -> Any:
    return 201, services.inspector_create(actor=_actor(request), data=_inspector_data(payload.dict()))


@router.patch("/inspectors/{inspector_id}", response=InspectorOut, summary="修改执法检查人员")
def update_inspector(request: HttpRequest, inspector_id: int, payload: InspectorPatch) -> Any:
    inspector = selectors.inspector_get(actor=_actor(request), pk=inspector_id)
    return services.inspector_update(
        actor=_actor(request), inspector=inspector, data=_inspector_data(payload.dict(exclude_unset=True))
    )


from shuangsuiji.directory.api_review import router as review_router  # noqa: E402

router.add_router("", review_router)

from shuangsuiji.directory.flag_api import router as flag_router  # noqa: E402

router.add_router("", flag_router)
