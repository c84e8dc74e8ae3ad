"""Staff accounts' login state in the back office: see, unlock, reset the second factor.

Rows are read-only; the two actions go through ``enlinea.staff.services`` (audited) and
need their own permissions (``staff.unlock_staffaccess``, ``staff.reset_staffaccess``;
superusers have both). Nobody acts on their own account. django-otp's device admins
are removed: no page shows a TOTP secret, a QR code or a recovery code.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

# Imported first so that their registrations exist before they are removed here.
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlinea.ledger.admin import ReadOnlyMixin
from enlinea.staff import services
from enlinea.staff.models import StaffAccess

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(StaffAccess)
class StaffAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "failed_logins",
        "last_failed_at",
        "locked_at",
        "second_factor",
        "recovery_codes_left",
    )
    list_filter = (("locked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = (
        "user",
        "failed_logins",
        "last_failed_at",
        "locked_at",
        "second_factor",
        "recovery_codes_left",
    )
    actions = ("unlock", "second_factor_reset")

    @admin.display(description="segundo factor", boolean=True)
    def second_factor(self, obj: StaffAccess) -> bool:
        return TOTPDevice.objects.filter(user_id=obj.user_id, confirmed=True).exists()

    @admin.display(description="códigos de recuperación disponibles")
    def recovery_codes_left(self, obj: StaffAccess) -> int:
        return services.staff_recovery_codes_left(user=obj.user)

    def has_view_permission(self, request: HttpRequest, obj: StaffAccess | None = None) -> bool:
        return (
            super().has_view_permission(request, obj)
            or self.has_unlock_permission(request)
            or self.has_reset_permission(request)
        )

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("staff.unlock_staffaccess")

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("staff.reset_staffaccess")

    @admin.action(description="Desbloquear el acceso", permissions=["unlock"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[StaffAccess]) -> None:
        done = 0
        for access in queryset.select_related("user"):
            try:
                done += services.staff_unlock(actor=request.user, user=access.user, request=request)
            except PermissionDenied as refused:
                self.message_user(request, str(refused), messages.ERROR)
        if done:
            self.message_user(request, f"Accesos desbloqueados: {done}.", messages.SUCCESS)

    @admin.action(
        description="Reiniciar el segundo factor (el próximo ingreso activa una nueva app)",
        permissions=["reset"],
    )
    def second_factor_reset(self, request: HttpRequest, queryset: QuerySet[StaffAccess]) -> None:
        done = 0
        for access in queryset.select_related("user"):
            try:
                services.staff_second_factor_reset(
                    actor=request.user, user=access.user, request=request
                )
                done += 1
            except PermissionDenied as refused:
                self.message_user(request, str(refused), messages.ERROR)
        if done:
            self.message_user(request, f"Segundos factores reiniciados: {done}.", messages.SUCCESS)
