"""Access records in the back office: read-only for everyone, secrets never shown.

The audit log is append-only (DESIGN invariant 9): no one, not even a superuser, adds,
changes or deletes a row here. Who may *see* each model is its view permission
(``AUDIT_VIEW_PERMISSIONS`` in ``enlinea/security/audit.py``, given to the Soporte role).
Code hashes and salts, device token hashes and security answers never reach a page;
unlocking an access is not a staff action either: only the member's own password
recovery unblocks it (manual, «¿Olvidaste tu contraseña?»).
"""

from __future__ import annotations

from django.contrib import admin

from enlinea.access.models import Consent, Device, LoginRecord, OnlineProfile
from enlinea.security.admin import RecordAdmin

AccessAdmin = RecordAdmin


@admin.register(OnlineProfile)
class OnlineProfileAdmin(AccessAdmin):
    list_display = ("user", "temporary", "setup_completed_at", "failed_logins", "locked_at")
    list_filter = ("temporary", "lock_reason")
    search_fields = ("user__username", "user__member__identification")
    list_select_related = ("user",)
    # The security image is left out: it is the member's anti-phishing check.
    fields = (
        "user",
        "temporary",
        "temporary_expires_at",
        "setup_completed_at",
        "password_changed_at",
        "failed_logins",
        "locked_at",
        "lock_reason",
    )


@admin.register(Device)
class DeviceAdmin(AccessAdmin):
    list_display = ("alias", "user", "brand", "model", "os", "browser", "last_active_at")
    list_filter = ("os", "browser")
    search_fields = ("user__username", "alias", "ip")
    list_select_related = ("user",)
    fields = (
        "user",
        "alias",
        "brand",
        "model",
        "os",
        "os_version",
        "browser",
        "ip",
        "user_agent",
        "created_at",
        "last_active_at",
        "removed_at",
        "removal_reason",
    )


@admin.register(Consent)
class ConsentAdmin(AccessAdmin):
    list_display = ("accepted_at", "member", "document", "version", "ip")
    list_filter = ("document", "version")
    search_fields = ("member__identification", "member__last_names")
    list_select_related = ("member",)
    fields = ("member", "document", "version", "accepted_at", "ip", "user_agent")


@admin.register(LoginRecord)
class LoginRecordAdmin(AccessAdmin):
    list_display = ("created_at", "user", "browser", "ip")
    list_filter = ("browser",)
    search_fields = ("user__username", "ip")
    date_hierarchy = "created_at"
    fields = ("user", "created_at", "ip", "browser", "user_agent")
