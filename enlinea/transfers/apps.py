from __future__ import annotations

from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """Transferencias: money between accounts, here and at other institutions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.transfers"
    verbose_name = "Transferencias"

    def ready(self) -> None:
        # Registers the audit kinds this app writes, so the back office labels them.
        from . import clearing  # noqa: F401
