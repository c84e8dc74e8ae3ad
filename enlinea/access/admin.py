from __future__ import annotations

from django.contrib import admin

from enlinea.access.models import LoginRecord


@admin.register(LoginRecord)
class LoginRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "browser", "ip")
    list_filter = ("browser",)
    search_fields = ("user__username", "ip")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
