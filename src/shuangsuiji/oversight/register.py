"""The organization register: 领导小组, 工作分工/业务指导专家, and the meetings, documents and trainings.

Writes (one transaction, one audit entry each) only by the bureau's own 双随机办 (``can_edit_reports``);
reads by everyone whose scope covers the bureau (the upper level reads, never writes). Phones are encrypted
at rest (``EncryptedTextField``) and masked in pages for readers who may not edit (``mask_phone``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import QuerySet

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import readable_owner_ids, user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.common.services import model_update
from shuangsuiji.oversight import events
from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, WorkEvent
from shuangsuiji.oversight.permissions import require_report_editor

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import Organization, User


@dataclass(frozen=True)
class RegisterKind:
    key: str
    model: type[models.Model]
    label: str
    fields: tuple[str, ...]


KINDS: dict[str, RegisterKind] = {
    "members": RegisterKind("members", LeadingGroupMember, "领导小组成员",
                            ("name", "group_role", "position", "duties", "phone", "email", "sort_order", "is_active")),
    "duties": RegisterKind("duties", DutyAssignment, "工作分工/业务指导专家",
                           ("year", "kind", "work_content", "specialties", "section", "person", "phone", "email",
                            "sort_order")),
    "events": RegisterKind("events", WorkEvent, "会议/文件/培训",
                           ("kind", "title", "held_on", "document_number", "participants", "content")),
}


def register_kind(key: str) -> RegisterKind:
    if key not in KINDS:
        raise NotFoundError("没有这类登记")
    return KINDS[key]


# ---------------------------------------------------------------------------------------- reads


def register_owner(*, actor: User, org_id: int | None) -> Organization:
    """The bureau whose register is shown: the actor's own, or one in their scope (404 otherwise)."""

    own = user_bureau(actor)
    if org_id is None:
        if own is None:
            raise NotFoundError("您的账号未关联单位")
        return own
    ids = readable_owner_ids(actor)
    org = Organization.objects.filter(pk=org_id).select_related("region").first()
    if org is None or (ids is not None and org.pk not in ids):
        raise NotFoundError("单位不存在或不在您的数据范围内")
    return org


def members_of(owner: Organization, *, active_only: bool = False) -> QuerySet[LeadingGroupMember]:
    qs = LeadingGroupMember.objects.filter(owner=owner)
    return qs.filter(is_active=True) if active_only else qs


def duties_of(owner: Organization, year: int) -> QuerySet[DutyAssignment]:
    return DutyAssignment.objects.filter(owner=owner, year=year).prefetch_related("specialties")


def events_of(owner_ids: list[int], start: datetime.date, end: datetime.date, kind: str | None = None
              ) -> QuerySet[WorkEvent]:
    qs = WorkEvent.objects.filter(owner_id__in=owner_ids, held_on__gte=start, held_on__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("owner").order_by("held_on", "pk")


def entry_get(*, actor: User, kind: str, pk: int) -> Any:
    spec = register_kind(kind)
    entry = spec.model.objects.visible_to(actor).filter(pk=pk).first()  # type: ignore[attr-defined]
    if entry is None:
        raise NotFoundError(f"{spec.label}不存在或不在您的数据范围内")
    return entry


# ---------------------------------------------------------------------------------------- writes


@transaction.atomic
def entry_save(*, actor: User, kind: str, data: dict[str, Any], entry: Any = None) -> Any:
    """Create (``entry`` None: for the actor's bureau) or update an entry of the register."""
    spec = register_kind(kind)
    if entry is None:
        owner = user_bureau(actor)
        if owner is None:
            raise ApplicationError("您的账号未关联单位，不能登记")
        require_report_editor(actor, owner.pk)
        plain = {k: v for k, v in data.items() if k in spec.fields and k != "specialties"}
        if kind == "events":
            plain["created_by"] = actor
        entry = spec.model(owner=owner, **plain)
        entry.full_clean()
        entry.save()
        if "specialties" in data and "specialties" in spec.fields:
            entry.specialties.set(data["specialties"])
        audit_record(actor=actor, event=events.register_event(kind, "create"), target=entry, organization=owner,
                     changes={k: v for k, v in plain.items() if k != "created_by"})
        return entry
    require_report_editor(actor, entry.owner_id)
    # a fresh copy: a bound ModelForm has already written the new values into the instance it was given
    entry = spec.model._default_manager.select_for_update().get(pk=entry.pk)
    entry, changes = model_update(instance=entry, fields=list(spec.fields), data=data)
    if changes:
        audit_record(actor=actor, event=events.register_event(kind, "update"), target=entry, organization=entry.owner,
                     changes=changes)
    return entry


@transaction.atomic
def entry_delete(*, actor: User, kind: str, entry: Any) -> None:
    spec = register_kind(kind)
    require_report_editor(actor, entry.owner_id)
    audit_record(actor=actor, event=events.register_event(kind, "delete"), target=entry, organization=entry.owner,
                 changes={"deleted": str(entry)})
    spec.model._default_manager.filter(pk=entry.pk).delete()
