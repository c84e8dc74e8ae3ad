from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Online-banking access: enrolment, login, security codes, devices, audit log."""

    name = "enlinea.access"
    verbose_name = "Acceso"

    def ready(self) -> None:
        from enlinea.access import checks, signals  # noqa: F401  (registers them)
