"""Reads of the audit log: only the audit administrator (三权分立), within their bureau's units."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, bureau_member_org_ids, readable_owner_ids, require_perm
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.renamed_events import event_condition, renamed_events


def _visible_org_ids(actor: User) -> list[int]:
    ids: list[int] = []
    for bureau in Organization.objects.filter(pk__in=readable_owner_ids(actor) or []):
        ids.extend(bureau_member_org_ids(bureau))
    return ids


def audit_entry_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """Entries of the actor's bureau (and subordinate bureaus), plus system entries without a unit."""
    require_perm(actor, Perm.AUDIT_READ)
    qs = AuditEntry.objects.all()
    if readable_owner_ids(actor) is not None:
        qs = qs.filter(Q(organization_id__in=_visible_org_ids(actor)) | Q(organization__isnull=True))
    data = filters or {}
    if data.get("event"):
        qs = qs.filter(event_condition(str(data["event"]).strip()))  # renamed events: their old entries too
    if data.get("actor"):
        qs = qs.filter(actor_name__icontains=str(data["actor"]).strip())
    if data.get("object_type"):
        qs = qs.filter(object_type=str(data["object_type"]).strip())
    if data.get("q"):
        q = str(data["q"]).strip()
        qs = qs.filter(Q(object_repr__icontains=q) | Q(object_id=q) | Q(ip_address=q) | Q(request_id=q))
    tz = timezone.get_current_timezone()
    for key, lookup, extra in (("date_from", "created_at__gte", 0), ("date_to", "created_at__lt", 1)):
        value = data.get(key)
        if value:
            try:
                day = datetime.date.fromisoformat(str(value))
            except ValueError:
                continue
            moment = datetime.datetime.combine(day + datetime.timedelta(days=extra), datetime.time(), tzinfo=tz)
            qs = qs.filter(**{lookup: moment})
    return qs.order_by("-seq")


def audit_event_names(*, actor: User) -> list[str]:
    require_perm(actor, Perm.AUDIT_READ)
    names = set(AuditEntry.objects.values_list("event", flat=True).distinct()[:500])
    # a renamed event is offered under its current name as soon as entries exist under the old one
    names |= {r.name for r in renamed_events() if AuditEntry.objects.filter(r.old_entries()).exists()}
    return sorted(names)
