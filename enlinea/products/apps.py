from django.apps import AppConfig


class ProductsConfig(AppConfig):
    """Deposit accounts, loans, investments and cards held by members."""

    name = "enlinea.products"
    verbose_name = "Productos"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Keep the back-office roles as written in ``roles.py`` after every migrate."""
    from enlinea.products.roles import roles_ensure

    roles_ensure()
