from __future__ import annotations

from django.apps import AppConfig


class TariffConfig(AppConfig):
    """Tarifario: the commissions and IVA the institution charges, edited in the back office."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.tariff"
    verbose_name = "Tarifario"
