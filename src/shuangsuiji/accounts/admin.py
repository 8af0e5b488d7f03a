from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shuangsuiji.accounts import audit_admin  # noqa: F401  (the read-only audit log admin, for the audit administrator)
from shuangsuiji.accounts.models import ApiToken, Organization, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    search_fields = ("code", "name")
    filter_horizontal = ("adjacent",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region", "parent", "system", "is_active")
    list_filter = ("kind", "system")
    search_fields = ("code", "name")
    filter_horizontal = ("specialties",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "organization", "role", "is_active", "is_demo")
    list_filter = ("role", "is_active", "is_demo")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("平台信息", {"fields": ("real_name", "organization", "role", "is_demo")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("key_hash",)
