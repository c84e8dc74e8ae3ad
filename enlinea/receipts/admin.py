from __future__ import annotations

from django.contrib import admin

from .models import Receipt


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    """Read-only: receipts are written by the services that move the money."""

    list_display = ["id", "created_at", "member", "kind", "channel", "amount", "commission"]
    list_filter = ["kind", "channel"]
    search_fields = ["=id", "member__identification", "account__number"]
    list_select_related = ["member"]
    raw_id_fields = ["member", "account"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
