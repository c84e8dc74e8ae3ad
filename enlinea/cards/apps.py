from __future__ import annotations

from django.apps import AppConfig


class CardsConfig(AppConfig):
    """Tarjetas: the member's management of their cards (PIN, deferrals, lock, travel)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.cards"
    verbose_name = "Gestión de tarjetas"

    def ready(self) -> None:
        from enlinea.cards.log_filters import install

        install()
