from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Soporte: centro de llamadas, quejas y reclamos, preguntas frecuentes."""

    name = "enlinea.support"
    verbose_name = "Soporte"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Sent for this app after the products app's (INSTALLED_APPS order), so the
        # groups that products' handler keeps already exist when this adds to them.
        post_migrate.connect(_ensure_permissions, sender=self)


def _ensure_permissions(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from enlinea.support.roles import support_roles_ensure

    support_roles_ensure()
