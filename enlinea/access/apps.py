from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Who is logged in, from where: login records shown in the member's header."""

    name = "enlinea.access"
    verbose_name = "Acceso"

    def ready(self) -> None:
        from enlinea.access import signals  # noqa: F401  (connects the receivers)
