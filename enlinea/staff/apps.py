from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """The back office's staff login: password, TOTP second factor, lockout, audit."""

    default = True
    name = "enlinea.staff"
    label = "staff"
    verbose_name = "Personal"


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin whose default site asks every staff account for a second factor."""

    # Not a module-level name: this module's default AppConfig must stay StaffConfig.
    default = False
    default_site = "enlinea.staff.site.StaffAdminSite"
