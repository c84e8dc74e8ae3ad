"""Deploy-time checks: the consent versions members accept must have their text."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@register()
def terms_text_exists(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Each consent document's configured version has its text (terms E001, data E002)."""
    documents = (
        ("ACCESS_TERMS_VERSION", "terms", "access.E001"),
        ("ACCESS_DATA_CONSENT_VERSION", "data", "access.E002"),
    )
    errors = []
    for setting, folder, error_id in documents:
        version = getattr(settings, setting)
        name = f"access/profile/{folder}/{version}.html"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            errors.append(
                Error(
                    f"{setting}={version!r} no tiene texto: falta la plantilla {name}.",
                    hint="Agrega el texto de esa versión o corrige la variable.",
                    id=error_id,
                )
            )
    return errors
