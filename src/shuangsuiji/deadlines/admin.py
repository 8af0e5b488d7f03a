"""Admin pages: calendar edits go through the calendar services (audit, cache, deadline recompute)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shuangsuiji.common.admin import ReadOnlyModelAdmin
from shuangsuiji.deadlines import calendar_services
from shuangsuiji.deadlines.models import (
    Accountability,
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineSettings,
    Notification,
    Supervision,
)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "notice_title", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        calendar_services.calendar_year_save(actor=request.user, calendar_year=obj)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_services.calendar_year_delete(actor=request.user, calendar_year=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "year", "source", "note")
    list_filter = ("year", "kind", "source")
    date_hierarchy = "date"
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.source = "manual"
        calendar_services.calendar_day_save(actor=request.user, day=obj)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_services.calendar_day_delete(actor=request.user, day=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(DeadlineSettings)
class DeadlineSettingsAdmin(admin.ModelAdmin):
    """时限 per region; saving re-plans the open deadlines that followed the old limits (services)."""

    list_display = ("__str__", "annual_plan_month", "annual_plan_day", "reminder_workdays",
                    "accountability_after_workdays", "updated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from django.contrib import messages

        from shuangsuiji.deadlines.services import deadline_settings_save

        moved = deadline_settings_save(actor=request.user, row=obj)  # type: ignore[arg-type]
        if moved:
            messages.info(request, f"已按新的时限重新计算 {moved} 个未完成的期限")


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """Records of the reminder chain change only through services."""


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("due_date", "kind", "subject_repr", "owner", "responsible", "provisional", "completed_on")
    list_filter = ("kind", "provisional", "completed_late")
    search_fields = ("subject_repr",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "email_status")
    list_filter = ("kind", "email_status")


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "deadline", "responsible", "status", "promised_date")
    list_filter = ("status",)


@admin.register(Accountability)
class AccountabilityAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "person", "what", "late_workdays", "trigger", "status")
    list_filter = ("trigger", "status")
