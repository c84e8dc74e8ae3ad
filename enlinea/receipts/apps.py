from __future__ import annotations

from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    """Comprobantes: one numbered receipt for each member-facing operation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.receipts"
    verbose_name = "Comprobantes"
