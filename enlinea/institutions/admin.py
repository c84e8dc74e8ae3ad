"""The catalogue in the back office: search, filters, activate or deactivate.

Every add and change lands in the back office's change history (Django's LogEntry, read
in "Historial de cambios"), the bulk actions included. Nobody deletes an institution:
beneficiaries and receipts keep pointing at it, so one that leaves the network is
deactivated instead.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "active", "is_home", "sort_order", "updated_at")
    list_filter = ("kind", "active", "is_home")
    search_fields = ("name", "code")
    fields = ("name", "code", "kind", "sort_order", "active", "is_home", "updated_at")
    readonly_fields = ("updated_at",)
    list_per_page = 100
    actions = ("activate", "deactivate")

    def has_delete_permission(self, request: HttpRequest, obj: Institution | None = None) -> bool:
        return False

    @admin.action(description="Activar las entidades seleccionadas", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description="Desactivar las entidades seleccionadas", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        self._set_active(request, queryset, active=False)

    def _set_active(
        self, request: HttpRequest, queryset: QuerySet[Institution], *, active: bool
    ) -> None:
        changed = 0
        for institution in queryset.exclude(active=active):
            institution.active = active
            institution.save(update_fields=["active", "updated_at"])
            self.log_change(request, institution, "Activada." if active else "Desactivada.")
            changed += 1
        word = "activadas" if active else "desactivadas"
        if changed:
            self.message_user(request, f"Entidades {word}: {changed}.", messages.SUCCESS)
        else:
            self.message_user(request, f"Ninguna entidad cambió: ya estaban {word}.")
