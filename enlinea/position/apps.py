from __future__ import annotations

from django.apps import AppConfig


class PositionConfig(AppConfig):
    """Posición consolidada: the member's read-only pages of their products."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.position"
    verbose_name = "Posición consolidada"
