"""Writes to 一单两库. Every function checks permission and scope, runs in one transaction, audits once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import Perm, bureau_for_write, check_can_edit, readable_owner_ids
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.services import model_update
from shuangsuiji.core.uscc import UsccError, validate_uscc
from shuangsuiji.directory import item_review
from shuangsuiji.directory.models import (
    CheckItem,
    ConflictDeclaration,
    Inspector,
    ItemStatus,
    Specialty,
    Target,
)

ITEM_FIELDS = [
    "specialty", "name", "sub_items", "legal_basis", "subject", "target_type", "methods", "ratio_percent",
    "frequency", "kind", "needs_expert",
]
TARGET_FIELDS = [
    "uscc", "name", "address", "region", "specialties", "licence_numbers", "legal_representative",
    "contact_person", "contact_phone", "status", "risk_class", "risk_flags", "last_inspected_on",
]
INSPECTOR_FIELDS = [
    "name", "organization", "region", "kind", "licence_no", "licence_valid_from", "licence_valid_to",
    "qualifications", "expertise", "tags", "status", "id_number", "phone",
]


def _check_region_in_scope(*, bureau: Organization, region: Region) -> None:
    if not region.path.startswith(bureau.region.path):
        raise ApplicationError(f"区划“{region.name}”不在本单位管辖范围内")


def _target_code(*, uscc: str, licence_numbers: str) -> str:
    if uscc:
        try:
            return validate_uscc(uscc)
        except UsccError as exc:
            raise ApplicationError(str(exc)) from exc
    first_licence = licence_numbers.replace("；", ";").split(";")[0].strip()
    if not first_licence:
        raise ApplicationError("无统一社会信用代码的单位必须填写许可证号")
    return f"L:{first_licence}"


# ---------------------------------------------------------------- 抽查事项清单


@transaction.atomic
def item_create(*, actor: User, data: dict[str, Any]) -> CheckItem:
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    code = str(data.get("code", "")).strip()
    if not code:
        raise ApplicationError("事项编码不能为空")
    if CheckItem.objects.filter(owner=bureau, code=code).exists():
        raise ApplicationError(f"事项编码“{code}”已存在")
    item = CheckItem(owner=bureau, code=code, version=1, is_current=True, status=ItemStatus.DRAFT)
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.full_clean()
    item.save()
    audit_record(actor=actor, event="item.create", target=item, changes={"code": code, "name": item.name})
    return item


@transaction.atomic
def item_update(*, actor: User, item: CheckItem, data: dict[str, Any], change_note: str = "") -> CheckItem:
    """Draft items change in place; a published item gets a new draft version, the old one stays readable."""
    item = CheckItem.objects.select_for_update().get(pk=item.pk)
    check_can_edit(actor, item.owner_id, Perm.LIBRARY_EDIT)
    if not item.is_current:
        raise ApplicationError("历史版本不能修改，请修改当前版本")
    if item.status == ItemStatus.RETIRED:
        raise ApplicationError("已停用的事项不能修改")
    if item.status == ItemStatus.DRAFT:
        if item_review.pending_entry(item) is not None:
            raise ApplicationError("该事项正在合法性审查中，审查结束（通过或退回）前不能修改")
        item, changes = model_update(instance=item, fields=ITEM_FIELDS, data=data)
        if changes:
            audit_record(actor=actor, event="item.update", target=item, changes=changes)
        return item
    if not change_note.strip():
        raise ApplicationError("修改已公布的事项须填写修订说明")
    item.is_current = False
    item.save(update_fields=["is_current", "updated_at"])
    new_item = CheckItem.objects.get(pk=item.pk)
    new_item.pk = None
    new_item._state.adding = True
    new_item.version = item.version + 1
    new_item.is_current = True
    new_item.status = ItemStatus.DRAFT
    new_item.published_at = None
    new_item.change_note = change_note.strip()
    for name in ITEM_FIELDS:
        if name in data:
            setattr(new_item, name, data[name])
    new_item.full_clean()
    new_item.save()
    audit_record(
        actor=actor, event="item.new_version", target=new_item,
        changes={"from_version": item.version, "to_version": new_item.version, "note": change_note},
    )
    return new_item


@transaction.atomic
def item_set_published(*, actor: User, item: CheckItem, published: bool) -> CheckItem:
    item = CheckItem.objects.select_for_update().get(pk=item.pk)
    check_can_edit(actor, item.owner_id, Perm.LIBRARY_EDIT)
    if not item.is_current:
        raise ApplicationError("只能公布或撤回当前版本")
    if item.status == ItemStatus.RETIRED:
        raise ApplicationError("已停用的事项不能公布")
    if published and item.status != ItemStatus.PUBLISHED:
        item_review.require_reviewed(item)  # 合法性审查 before publication (玉溪 2020)
    old = item.status
    item.status = ItemStatus.PUBLISHED if published else ItemStatus.UNPUBLISHED
    if published:
        item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor, event="item.publish" if published else "item.unpublish", target=item,
        changes={"status": (old, item.status)},
    )
    return item


@transaction.atomic
def item_retire(*, actor: User, item: CheckItem) -> CheckItem:
    item = CheckItem.objects.select_for_update().get(pk=item.pk)
    check_can_edit(actor, item.owner_id, Perm.LIBRARY_EDIT)
    old = item.status
    item.status = ItemStatus.RETIRED
    item.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, event="item.retire", target=item, changes={"status": (old, item.status)})
    return item


# ---------------------------------------------------------------- 检查对象名录库


@transaction.atomic
def target_create(*, actor: User, data: dict[str, Any]) -> Target:
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    _check_region_in_scope(bureau=bureau, region=data["region"])
    uscc = str(data.get("uscc") or "").strip()
    code = _target_code(uscc=uscc, licence_numbers=str(data.get("licence_numbers") or ""))
    if Target.objects.filter(owner=bureau, code=code).exists():
        raise ApplicationError(f"检查对象“{code}”已在名录库中，请勿重复录入")
    target = Target(owner=bureau, code=code)
    specialties = data.get("specialties") or []
    if not specialties:
        raise ApplicationError("请至少选择一个专业类别")
    for name in TARGET_FIELDS:
        if name in data and name != "specialties":
            setattr(target, name, data[name])
    target.uscc = code if uscc else ""
    target.full_clean()
    target.save()
    target.specialties.set(specialties)
    audit_record(actor=actor, event="target.create", target=target, changes={"code": code, "name": target.name})
    return target


@transaction.atomic
def target_update(*, actor: User, target: Target, data: dict[str, Any]) -> Target:
    target = Target.objects.select_for_update().get(pk=target.pk)
    check_can_edit(actor, target.owner_id, Perm.LIBRARY_EDIT)
    if "region" in data:
        _check_region_in_scope(bureau=target.owner, region=data["region"])
    if "uscc" in data or "licence_numbers" in data:
        uscc = str(data.get("uscc", target.uscc) or "").strip()
        code = _target_code(uscc=uscc, licence_numbers=str(data.get("licence_numbers", target.licence_numbers)))
        if code != target.code and Target.objects.filter(owner=target.owner, code=code).exists():
            raise ApplicationError(f"检查对象“{code}”已在名录库中")
        data = {**data, "uscc": code if uscc else ""}
        target.code = code
    if "specialties" in data and not data["specialties"]:
        raise ApplicationError("请至少选择一个专业类别")
    target, changes = model_update(instance=target, fields=TARGET_FIELDS, data=data)
    if changes:
        target.save(update_fields=["code"])
        audit_record(actor=actor, event="target.update", target=target, changes=changes)
    return target


@transaction.atomic
def target_retire(*, actor: User, target: Target, reason: str) -> Target:
    target = Target.objects.select_for_update().get(pk=target.pk)
    check_can_edit(actor, target.owner_id, Perm.LIBRARY_EDIT)
    if not reason.strip():
        raise ApplicationError("移出名录须说明原因")
    target.is_retired = True
    target.save(update_fields=["is_retired", "updated_at"])
    audit_record(actor=actor, event="target.retire", target=target, changes={"reason": reason})
    return target


# ---------------------------------------------------------------- 执法检查人员名录库


def _check_inspector_org(*, actor: User, bureau: Organization, organization: Organization) -> None:
    ids = readable_owner_ids(actor)
    if organization.bureau.pk != bureau.pk and (ids is not None and organization.bureau.pk not in ids):
        raise ApplicationError("工作单位不在本单位管辖范围内")


@transaction.atomic
def inspector_create(*, actor: User, data: dict[str, Any]) -> Inspector:
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    _check_region_in_scope(bureau=bureau, region=data["region"])
    _check_inspector_org(actor=actor, bureau=bureau, organization=data["organization"])
    licence_no = str(data.get("licence_no") or "").strip()
    if licence_no and Inspector.objects.filter(owner=bureau, licence_no=licence_no).exists():
        raise ApplicationError(f"执法证号“{licence_no}”已在名录库中")
    inspector = Inspector(owner=bureau)
    for name in INSPECTOR_FIELDS:
        if name in data and name != "qualifications":
            setattr(inspector, name, data[name])
    _check_licence_dates(inspector)
    inspector.full_clean()
    inspector.save()
    inspector.qualifications.set(data.get("qualifications") or [])
    audit_record(
        actor=actor, event="inspector.create", target=inspector,
        changes={"name": inspector.name, "licence_no": licence_no},
    )
    return inspector


def _check_licence_dates(inspector: Inspector) -> None:
    if (
        inspector.licence_valid_from
        and inspector.licence_valid_to
        and inspector.licence_valid_from > inspector.licence_valid_to
    ):
        raise ApplicationError("执法证有效期起始日期不能晚于截止日期")


@transaction.atomic
def inspector_update(*, actor: User, inspector: Inspector, data: dict[str, Any]) -> Inspector:
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    check_can_edit(actor, inspector.owner_id, Perm.LIBRARY_EDIT)
    if "region" in data:
        _check_region_in_scope(bureau=inspector.owner, region=data["region"])
    if "organization" in data:
        _check_inspector_org(actor=actor, bureau=inspector.owner, organization=data["organization"])
    licence_no = str(data.get("licence_no", inspector.licence_no) or "").strip()
    if (
        licence_no
        and Inspector.objects.filter(owner=inspector.owner, licence_no=licence_no).exclude(pk=inspector.pk).exists()
    ):
        raise ApplicationError(f"执法证号“{licence_no}”已在名录库中")
    inspector, changes = model_update(instance=inspector, fields=INSPECTOR_FIELDS, data=data)
    _check_licence_dates(inspector)
    if changes:
        audit_record(actor=actor, event="inspector.update", target=inspector, changes=changes)
    return inspector


@transaction.atomic
def inspector_retire(*, actor: User, inspector: Inspector, reason: str) -> Inspector:
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    check_can_edit(actor, inspector.owner_id, Perm.LIBRARY_EDIT)
    if not reason.strip():
        raise ApplicationError("移出名录须说明原因")
    inspector.is_retired = True
    inspector.save(update_fields=["is_retired", "updated_at"])
    audit_record(actor=actor, event="inspector.retire", target=inspector, changes={"reason": reason})
    return inspector


@transaction.atomic
def conflict_declare(
    *, actor: User, inspector: Inspector, target: Target, reason: str, valid_from: Any, valid_to: Any = None
) -> ConflictDeclaration:
    check_can_edit(actor, inspector.owner_id, Perm.LIBRARY_EDIT)
    if target.owner_id != inspector.owner_id:
        raise ApplicationError("检查对象与执法人员不属于同一名录库")
    if not reason.strip():
        raise ApplicationError("请填写利害关系")
    if valid_to is not None and valid_to < valid_from:
        raise ApplicationError("回避截止日期不能早于起始日期")
    if ConflictDeclaration.objects.filter(
        inspector=inspector, target=target, valid_from=valid_from, valid_to=valid_to
    ).exists():
        raise ApplicationError("相同的回避申报已存在")
    conflict = ConflictDeclaration.objects.create(
        owner=inspector.owner, inspector=inspector, target=target, reason=reason.strip(),
        valid_from=valid_from, valid_to=valid_to,
    )
    audit_record(actor=actor, event="conflict.declare", target=conflict, changes={"reason": reason})
    return conflict


def specialty_choices() -> list[Specialty]:
    return list(Specialty.objects.filter(is_active=True))
