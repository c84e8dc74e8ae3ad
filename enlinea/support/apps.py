from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Soporte: centro de llamadas, quejas y reclamos, preguntas frecuentes."""

    name = "enlinea.support"
    verbose_name = "Soporte"
