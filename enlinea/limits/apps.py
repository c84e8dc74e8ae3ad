from __future__ import annotations

from django.apps import AppConfig


class LimitsConfig(AppConfig):
    """Cupos: how much a member may transfer a day, a week and a month."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.limits"
    verbose_name = "Cupos de transferencia"

    def ready(self) -> None:
        # Registers the audit kinds this app writes, so the back office labels them.
        from . import services  # noqa: F401
