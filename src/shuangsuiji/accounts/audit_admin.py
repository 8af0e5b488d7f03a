from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.audit.models import AuditAnchor, AuditEntry, TransparencyLeaf, TreeHead
from shuangsuiji.common.admin import ReadOnlyModelAdmin


class ReadOnlyAuditAdmin(ReadOnlyModelAdmin):
    """Read-only, and only for the audit administrator (三权分立: not even a superuser without the role)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_perm(request.user, Perm.AUDIT_READ)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_perm(request.user, Perm.AUDIT_READ)  # type: ignore[arg-type]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAuditAdmin):
    list_display = ("seq", "created_at", "actor_name", "event", "object_repr", "ip_address")
    list_filter = ("event",)
    search_fields = ("object_repr", "actor_name")


@admin.register(TransparencyLeaf)
class TransparencyLeafAdmin(ReadOnlyAuditAdmin):
    list_display = ("index", "kind", "ref", "digest", "created_at")
    list_filter = ("kind",)


@admin.register(TreeHead)
class TreeHeadAdmin(ReadOnlyAuditAdmin):
    list_display = ("signed_at", "tree_size", "root_hash", "audit_seq")


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAuditAdmin):
    list_display = ("created_at", "first_seq", "last_seq", "entry_count", "archive_name")
