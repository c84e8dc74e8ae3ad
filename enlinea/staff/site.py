"""The back office's admin site: no page without the password *and* the second factor."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from enlinea.access.models import AuditKind
from enlinea.security.audit import audit_record


class StaffAdminSite(admin.AdminSite):
    """Django's admin site with the staff login of ``enlinea.staff.views``.

    ``has_permission`` is what every admin view checks: an active staff user whose
    session was verified by a TOTP device or a recovery code (django-otp's
    ``is_verified``) and whose account is not locked. A session opened any other way
    (``force_login``, a member's login) reaches no admin page, superusers included.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        from enlinea.staff.services import staff_is_locked

        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return False
        return not staff_is_locked(user=user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from enlinea.staff.views import login_password

        return login_password(request)

    def logout(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "POST" and request.user.is_authenticated:
            audit_record(kind=AuditKind.LOGOUT, request=request, user=request.user)
        return super().logout(request, extra_context)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The admin's apps, with the Ventanilla first for tellers (index and sidebar)."""
        from django.urls import reverse

        from enlinea.staff.ventanilla import can_use_ventanilla

        apps = super().get_app_list(request, app_label)
        if app_label is not None or not can_use_ventanilla(request.user):
            return apps
        url = reverse("admin:ventanilla", current_app=self.name)
        pages = [("Buscar socio", "ventanilla", url)]
        if request.user.has_perm("members.add_member"):
            onboard = reverse("admin:ventanilla_nuevo_socio", current_app=self.name)
            pages.append(("Nuevo socio", "nuevosocio", onboard))
        ventanilla = {
            "name": "Ventanilla",
            "app_label": "ventanilla",
            "app_url": url,
            "has_module_perms": True,
            "models": [
                {
                    "name": name,
                    "object_name": object_name,
                    "perms": {"view": True},
                    "admin_url": page_url,
                    "add_url": None,
                    "view_only": True,
                }
                for name, object_name, page_url in pages
            ],
        }
        return [ventanilla, *apps]

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from enlinea.staff import views
        from enlinea.staff.ventanilla import ventanilla_urls

        return [
            *ventanilla_urls(self),
            path("login/codigo/", views.login_code, name="staff_code"),
            path("login/activar/", views.login_enrol, name="staff_enrol"),
            # Before the admin's own logout/, which only a verified session reaches: this
            # one also ends a login still waiting for its second factor.
            path("logout/", views.logout, name="logout"),
            *super().get_urls(),
        ]
