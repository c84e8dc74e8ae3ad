from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """What every app uses to protect an operation: security codes, the audit log, rate
    limits."""

    name = "enlinea.security"
    verbose_name = "Seguridad"
