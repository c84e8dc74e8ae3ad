from __future__ import annotations

from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    """Entidades financieras: the catalogue of Ecuador's interbank (SPI) participants, edited in the back office."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.institutions"
    verbose_name = "Entidades financieras"
