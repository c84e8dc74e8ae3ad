"""Tarjetas in the back office: the institution's Diferir consumos rules (one row,
editable, every change in the change history), and the members' deferrals, travel
notices and Generar PIN links, read-only (they change only through the member's own
operations; a PIN link shows neither a PIN nor its token, only its digest)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from enlinea.security.admin import RecordAdmin

from .models import Deferral, DeferralPolicy, PinReveal, TravelNotice


@admin.register(DeferralPolicy)
class DeferralPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "terms", "minimum_amount", "updated_at")
    fields = ("terms", "minimum_amount", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one row comes with the migration

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Deferral)
class DeferralAdmin(RecordAdmin):
    list_display = (
        "created_at",
        "credit_card",
        "amount",
        "months",
        "installment",
        "installments_billed",
    )
    fields = (*list_display, "annual_rate_bp", "first_interest", "total_interest", "plan")
    search_fields = ("credit_card__member__identification", "credit_card__last4")
    date_hierarchy = "created_at"


@admin.register(TravelNotice)
class TravelNoticeAdmin(RecordAdmin):
    list_display = (
        "created_at",
        "member",
        "card_kind",
        "starts",
        "ends",
        "countries",
        "cancelled_at",
    )
    fields = (*list_display, "card_id")
    search_fields = ("member__identification",)


@admin.register(PinReveal)
class PinRevealAdmin(RecordAdmin):
    list_display = ("created_at", "member", "card_kind", "expires_at", "opened_at")
    fields = (*list_display, "card_id")
    search_fields = ("member__identification",)
