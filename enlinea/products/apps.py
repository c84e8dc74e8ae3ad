from django.apps import AppConfig


class ProductsConfig(AppConfig):
    """Deposit accounts, loans, investments and cards held by members."""

    name = "enlinea.products"
    verbose_name = "Productos"
