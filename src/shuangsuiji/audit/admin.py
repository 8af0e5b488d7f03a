from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuangsuiji.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be looked at, never changed."""

    list_display = ("seq", "created_at", "actor_name", "event", "object_repr", "ip_address")
    list_filter = ("event",)
    search_fields = ("object_repr", "actor_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
