"""`audit_record()` — called by every service inside its transaction."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from typing import Any, Protocol

from django.db import connection, models
from django.utils import timezone

from shuangsuiji.audit.models import AuditAnchor, AuditEntry
from shuangsuiji.common.crypto import mask_id_number, mask_phone
from shuangsuiji.common.middleware import current_request_info


class Actor(Protocol):
    """Who acted: a user (the audit app names no model of accounts, a layer above it)."""

    pk: Any

    @property
    def display_name(self) -> str: ...

GENESIS_HASH = "0" * 64

def _mask_address(value: str) -> str:
    value = value.strip()
    return value[:6] + "****" if len(value) > 6 else "*" * len(value)


def _hidden(value: str) -> str:
    return "（已隐去）" if value else ""


# Fields whose values are personal data: the audit keeps only a masked trace of them (138****5678).
PERSONAL_FIELD_MASKS: dict[str, Any] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "contact_phone": mask_phone,
    "mobile": mask_phone,
    "home_address": _mask_address,
    "password": _hidden,
    "password_hash": _hidden,
    "secret": _hidden,
    "token": _hidden,
}
PERSONAL_FIELDS = set(PERSONAL_FIELD_MASKS)
_PG_AUDIT_LOCK_KEY = 7_305_331  # advisory lock serialising the chain head on PostgreSQL


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _mask_value(masker: Any, value: Any) -> Any:
    if value is None or value == "":
        return value
    if isinstance(value, dict):
        return {k: _mask_value(masker, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(masker, v) for v in value]
    return masker(str(value))


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready changes ((before, after) pairs stay two-element lists); personal data is masked."""
    masked: dict[str, Any] = {}
    for key, value in changes.items():
        masker = PERSONAL_FIELD_MASKS.get(key)
        masked[key] = _jsonable(_mask_value(masker, value) if masker is not None else value)
    return masked


def entry_digest(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical.encode("utf-8")).hexdigest()


def entry_payload(entry: AuditEntry) -> dict[str, Any]:
    """The hashed content of an entry (everything but the hashes themselves)."""
    return {
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "organization_id": entry.organization_id,
        "ip_address": entry.ip_address,
        "request_id": entry.request_id,
        "event": entry.event,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
    }


def audit_record(
    *,
    actor: Actor | None,
    event: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    organization: Any = None,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction.

    The audit log records and never decides: whether an action needs the second factor is checked by the
    service that performs it (``accounts.security.require_second_factor_for``) before it calls this.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_AUDIT_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True).first()
    request_info = current_request_info.get() or {}
    entry = AuditEntry(
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_name=(actor.display_name if actor is not None else "系统"),
        organization_id=(organization.pk if organization is not None
                         else getattr(actor, "organization_id", None)),
        ip_address=request_info.get("ip", ""),
        request_id=request_info.get("request_id", ""),
        event=event,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:255] if target is not None else "",
        changes=mask_changes(changes or {}),
        prev_hash=last or GENESIS_HASH,
    )
    entry.entry_hash = entry_digest(entry.prev_hash, entry_payload(entry))
    entry.save()
    return entry


def audit_chain_verify() -> tuple[bool, int | None, str]:
    """Recompute the chain from the genesis or the latest archive anchor; return (ok, first broken seq,
    Chinese message)."""
    anchor = AuditAnchor.objects.order_by("-last_seq").first()
    prev = anchor.last_hash if anchor is not None else GENESIS_HASH
    entries = AuditEntry.objects.order_by("seq")
    if anchor is not None:
        if AuditEntry.objects.filter(seq__lte=anchor.last_seq).exists():
            first = AuditEntry.objects.filter(seq__lte=anchor.last_seq).order_by("seq").first()
            assert first is not None
            return False, first.seq, f"审计日志第 {first.seq} 条应已归档却仍在库中，归档锚点与日志不一致"
        entries = entries.filter(seq__gt=anchor.last_seq)
    count = 0
    for entry in entries.iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != prev:
            return False, entry.seq, f"审计日志第 {entry.seq} 条之前的记录被删除或链条断裂"
        if entry_digest(prev, entry_payload(entry)) != entry.entry_hash:
            return False, entry.seq, f"审计日志第 {entry.seq} 条被篡改（内容与哈希不符）"
        prev = entry.entry_hash
    start = f"自归档锚点（第 {anchor.last_seq} 条之后）起" if anchor is not None else ""
    return True, None, f"审计日志完整，{start}共 {count} 条，哈希链校验通过"
