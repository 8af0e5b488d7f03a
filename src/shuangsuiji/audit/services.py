"""`audit_record()` — called by every service inside its transaction."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.middleware import current_request_info

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

GENESIS_HASH = "0" * 64
# Fields whose values are personal data: the audit keeps only a masked trace of them.
PERSONAL_FIELDS = {"id_number", "phone", "contact_phone", "password"}
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


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for key, value in changes.items():
        if key in PERSONAL_FIELDS:
            masked[key] = "（个人信息，已隐去）"
        else:
            masked[key] = _jsonable(value)
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
    actor: User | None,
    event: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    organization: Any = None,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_AUDIT_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True).first()
    request_info = current_request_info.get() or {}
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor,
        actor_name=(actor.display_name if actor is not None else "系统"),
        organization=organization if organization is not None else getattr(actor, "organization", None),
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
    """Recompute the chain; return (ok, first broken seq, Chinese message)."""
    prev = GENESIS_HASH
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != prev or entry_digest(prev, entry_payload(entry)) != entry.entry_hash:
            return False, entry.seq, f"审计日志第 {entry.seq} 条被篡改或链条断裂"
        prev = entry.entry_hash
    return True, None, f"审计日志完整，共 {count} 条，哈希链校验通过"
