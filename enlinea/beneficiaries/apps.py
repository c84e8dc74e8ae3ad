from __future__ import annotations

from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    """Beneficiarios: the people and cards a member sends money to."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.beneficiaries"
    verbose_name = "Beneficiarios"

    def ready(self) -> None:
        # Registers the audit kinds this app writes, so the back office labels them.
        from . import services  # noqa: F401
