from __future__ import annotations

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Pagos: card and service payments."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.payments"
    verbose_name = "Pagos"
