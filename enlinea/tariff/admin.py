from __future__ import annotations

from django.contrib import admin

from enlinea.money import format_cents

from .models import Fee


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    """The Tarifario: one general row per operation and, for Pago de servicios, a row
    per biller that charges a fee of its own (any other biller pays the general one)."""

    list_display = ["operation", "biller", "commission_display", "iva_rate_display", "updated_at"]
    list_filter = ["operation"]
    search_fields = ["biller__name"]
    autocomplete_fields = ["biller"]
    fields = ["operation", "biller", "commission", "iva_rate_bp", "updated_at"]
    readonly_fields = ["updated_at"]

    @admin.display(description="comisión")
    def commission_display(self, obj: Fee) -> str:
        return format_cents(obj.commission)

    @admin.display(description="IVA")
    def iva_rate_display(self, obj: Fee) -> str:
        return f"{obj.iva_rate_bp / 100:.2f} %"
