"""Deploy-time checks: the terms version members accept must have its text."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@register()
def terms_text_exists(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    name = f"access/profile/terms/{settings.ACCESS_TERMS_VERSION}.html"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"ACCESS_TERMS_VERSION={settings.ACCESS_TERMS_VERSION!r} no tiene texto: falta la plantilla {name}.",
                hint="Agrega el texto de esa versión de los términos o corrige la variable.",
                id="access.E001",
            )
        ]
    return []
