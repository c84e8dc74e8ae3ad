"""The audit log and the security codes in the back office: read-only for everyone.

The audit log is append-only (DESIGN invariant 9): no one, not even a superuser, adds,
changes or deletes a row here. Who may *see* each is its view permission
(``AUDIT_VIEW_PERMISSIONS`` in ``enlinea/security/audit.py``, given to the Soporte role).
Code hashes, salts and operation digests never reach a page.
"""

from __future__ import annotations

from django.contrib import admin

from enlinea.ledger.admin import ReadOnlyMixin
from enlinea.security.audit_kinds import audit_kinds
from enlinea.security.models import AuditEvent, SecurityChallenge


class RecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only, and every field shown is listed (a new field is hidden until added)."""

    show_full_result_count = False


class AuditKindFilter(admin.SimpleListFilter):
    """Every registered kind by its label (the column holds registered text, not choices)."""

    title = "evento"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return audit_kinds()

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(kind=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    list_display = ("created_at", "kind_label", "user", "username", "ip", "short_user_agent")
    list_filter = (AuditKindFilter, "created_at")
    search_fields = ("username", "user__username", "member__identification", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    fields = (
        "created_at",
        "kind_label",
        "user",
        "member",
        "username",
        "ip",
        "user_agent",
        "detail",
    )
    readonly_fields = ("kind_label",)

    @admin.display(description="evento", ordering="kind")
    def kind_label(self, obj: AuditEvent) -> str:
        return obj.get_kind_display()

    @admin.display(description="navegador")
    def short_user_agent(self, obj: AuditEvent) -> str:
        agent = obj.user_agent
        return agent if len(agent) <= 60 else agent[:59] + "…"


@admin.register(SecurityChallenge)
class SecurityChallengeAdmin(RecordAdmin):
    list_display = ("created_at", "member", "kind", "description", "status", "attempts", "resends")
    list_filter = ("status", "kind")
    search_fields = ("member__identification", "member__last_names")
    date_hierarchy = "created_at"
    list_select_related = ("member",)
    # No salt, code hash or operation digest: nothing a code could be recovered from.
    fields = (
        "member",
        "kind",
        "description",
        "status",
        "attempts",
        "resends",
        "created_at",
        "sent_at",
        "expires_at",
        "verified_at",
        "used_at",
    )
