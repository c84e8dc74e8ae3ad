from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Documentos: every PDF and Excel file the product produces."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "enlinea.documents"
    verbose_name = "Documentos"
