from django.contrib import admin

from shuangsuiji.directory.models import Specialty


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    """专业 categories are data: administrators may add or rename them."""

    list_display = ("code", "name", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
