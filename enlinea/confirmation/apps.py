from django.apps import AppConfig


class ConfirmationConfig(AppConfig):
    """The one confirmation flow: operation → Confirmar → code → execute → result."""

    name = "enlinea.confirmation"
    verbose_name = "Confirmación de operaciones"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its operation kinds in a ``confirmations`` module.
        autodiscover_modules("confirmations")
