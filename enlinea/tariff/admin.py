from __future__ import annotations

from django.contrib import admin

from enlinea.money import format_cents

from .models import Fee


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["operation", "commission_display", "iva_rate_display", "updated_at"]
    readonly_fields = ["updated_at"]

    @admin.display(description="comisión")
    def commission_display(self, obj: Fee) -> str:
        return format_cents(obj.commission)

    @admin.display(description="IVA")
    def iva_rate_display(self, obj: Fee) -> str:
        return f"{obj.iva_rate_bp / 100:.2f} %"
