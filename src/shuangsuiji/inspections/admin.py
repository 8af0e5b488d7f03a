from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuangsuiji.inspections.models import ResultCode


@admin.register(ResultCode)
class ResultCodeAdmin(admin.ModelAdmin):
    """The 抽查结果 code list is data: administrators may add codes, rename them or retire them (never delete
    one that records use: a retired code stays readable on old records)."""

    list_display = ("code", "name", "parent", "publication_group", "is_selectable", "is_exclusive", "is_problem",
                    "requires_findings", "is_active")
    list_editable = ("is_active",)
    list_filter = ("publication_group", "is_active")
    ordering = ("sort_order", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
