"""The biller catalogue in the back office, and the payments made to billers (read-only).

Categories and billers are added, edited, activated or deactivated here, never deleted
(payments, saved services and schedules keep pointing at them); every change lands in
the back office's change history (Django's LogEntry). A biller's example must pass its
own reference rule (``Biller.clean``). Payments are read-only: money moves only through
``enlinea.payments.services``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from enlinea.money import format_cents

from .models import (
    Biller,
    BillerCategory,
    BillPayment,
    PaymentSchedule,
    SavedService,
    ScheduleRun,
)


class _NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def _set_active(self, request: HttpRequest, queryset: QuerySet, *, active: bool) -> None:
        changed = 0
        for row in queryset.exclude(active=active):
            row.active = active
            row.save(update_fields=["active"])
            self.log_change(request, row, "Activada." if active else "Desactivada.")
            changed += 1
        word = "activadas" if active else "desactivadas"
        if changed:
            self.message_user(request, f"Cambiadas: {changed} ({word}).", messages.SUCCESS)
        else:
            self.message_user(request, f"Ninguna cambió: ya estaban {word}.")

    @admin.action(description="Activar las seleccionadas", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description="Desactivar las seleccionadas", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=False)


@admin.register(BillerCategory)
class BillerCategoryAdmin(_NoDelete):
    list_display = ("name", "sort_order", "active")
    list_filter = ("active",)
    search_fields = ("name", "search_text")
    fields = ("name", "sort_order", "active")
    actions = ("activate", "deactivate")


@admin.register(Biller)
class BillerAdmin(_NoDelete):
    list_display = (
        "name",
        "category",
        "reference_label",
        "reference_kind",
        "reference_example",
        "is_topup",
        "active",
        "updated_at",
    )
    list_filter = ("category", "reference_kind", "is_topup", "active")
    search_fields = ("name", "search_text", "code")
    list_select_related = ("category",)
    list_per_page = 100
    actions = ("activate", "deactivate")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "code", "category", "sort_order", "active")}),
        (
            "Referencia",
            {
                "fields": (
                    "reference_label",
                    "reference_kind",
                    "reference_min_length",
                    "reference_max_length",
                    "reference_example",
                    "help_text",
                )
            },
        ),
        ("Montos", {"fields": ("is_topup", "topup_amounts", "min_amount", "max_amount")}),
        (None, {"fields": ("updated_at",)}),
    )


@admin.register(BillPayment)
class BillPaymentAdmin(admin.ModelAdmin):
    list_display = (
        "receipt_id",
        "created_at",
        "biller",
        "reference",
        "amount_display",
        "status",
        "attempts",
        "return_reason",
    )
    list_filter = ("status", "biller__category")
    search_fields = ("reference", "biller__name", "member__identification")
    list_select_related = ("biller",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: BillPayment | None = None):
        return [field.name for field in BillPayment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: BillPayment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BillPayment | None = None) -> bool:
        return False

    @admin.display(description="valor")
    def amount_display(self, obj: BillPayment) -> str:
        return format_cents(obj.amount)


class _ReadOnly(admin.ModelAdmin):
    """The member's own records: staff look, nobody edits them here."""

    def get_readonly_fields(self, request: HttpRequest, obj: object = None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SavedService)
class SavedServiceAdmin(_ReadOnly):
    list_display = ("member", "biller", "reference", "alias", "created_at", "deleted_at")
    list_filter = ("biller__category",)
    search_fields = ("reference", "alias", "member__identification")
    list_select_related = ("member", "biller")


@admin.register(PaymentSchedule)
class PaymentScheduleAdmin(_ReadOnly):
    list_display = (
        "member",
        "biller",
        "reference",
        "max_amount",
        "start_date",
        "end_date",
        "terms_version",
        "deleted_at",
    )
    list_filter = ("biller__category", "terms_version")
    search_fields = ("reference", "member__identification")
    list_select_related = ("member", "biller")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(_ReadOnly):
    list_display = ("schedule", "bill_id", "amount", "status", "reason", "created_at")
    list_filter = ("status",)
    search_fields = ("bill_id",)
    list_select_related = ("schedule__biller",)
