"""Cupos in the back office.

The institution edits its maximum cupos (one row per scope, typed in dollars like
``15,000.00``); every change is in the change history. Members' own cupos and what
their transfers used are shown read-only: a member changes their cupo on their page,
confirmed with a security code, and only transfers write usages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from enlinea.ledger.admin import ReadOnlyMixin
from enlinea.limits.models import PERIODS, InstitutionLimit, LimitUsage, Scope, TransferLimit
from enlinea.money import format_cents
from enlinea.products.forms import AmountField


class DollarsField(AmountField):
    """``AmountField`` that shows the stored cents as dollars when the form opens."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_cents(value).removeprefix("$ ")
        return value


class InstitutionLimitForm(forms.ModelForm):
    daily = DollarsField(label="Máximo diario")
    weekly = DollarsField(label="Máximo semanal")
    monthly = DollarsField(label="Máximo mensual")

    class Meta:
        model = InstitutionLimit
        fields = ("scope", *PERIODS)


def _money(field: str, label: str) -> Any:
    @admin.display(description=label)
    def show(_admin: object, obj: Model) -> str:
        value = getattr(obj, field)
        return "Máximo de la cooperativa" if value is None else format_cents(value)

    return show


@admin.register(InstitutionLimit)
class InstitutionLimitAdmin(admin.ModelAdmin):
    form = InstitutionLimitForm
    list_display = ("scope", "show_daily", "show_weekly", "show_monthly", "updated_at")
    readonly_fields = ("updated_at",)

    show_daily = _money("daily", "máximo diario")
    show_weekly = _money("weekly", "máximo semanal")
    show_monthly = _money("monthly", "máximo mensual")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A row's scope is what the services look up: it is set once, when it is added.
        return ("scope", "updated_at") if obj is not None else ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row per scope: once both exist there is nothing to add.
        taken = set(InstitutionLimit.objects.values_list("scope", flat=True))
        return super().has_add_permission(request) and taken != set(Scope.values)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LimitUsageInline(ReadOnlyMixin, admin.TabularInline):
    model = LimitUsage
    fields = ("occurred_at", "show_amount", "reference", "released_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ("-occurred_at",)

    show_amount = _money("amount", "monto")


@admin.register(TransferLimit)
class TransferLimitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "member",
        "scope",
        "show_daily",
        "show_weekly",
        "show_monthly",
        "personalized_at",
    )
    list_filter = ("scope",)
    search_fields = ("member__identification", "member__last_names", "member__first_names")
    list_select_related = ("member",)
    fields = ("member", "scope", "show_daily", "show_weekly", "show_monthly", "personalized_at")
    readonly_fields = fields
    inlines = (LimitUsageInline,)

    show_daily = _money("daily", "cupo diario")
    show_weekly = _money("weekly", "cupo semanal")
    show_monthly = _money("monthly", "cupo mensual")


@admin.register(LimitUsage)
class LimitUsageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "show_member",
        "show_scope",
        "show_amount",
        "reference",
        "released_at",
    )
    list_filter = ("limit__scope",)
    search_fields = ("reference", "limit__member__identification")
    list_select_related = ("limit__member",)
    fields = ("limit", "occurred_at", "show_amount", "reference", "released_at", "created_at")
    readonly_fields = fields
    show_full_result_count = False

    show_amount = _money("amount", "monto")

    @admin.display(description="socio")
    def show_member(self, obj: LimitUsage) -> str:
        return str(obj.limit.member)

    @admin.display(description="tipo")
    def show_scope(self, obj: LimitUsage) -> str:
        return obj.limit.get_scope_display()
