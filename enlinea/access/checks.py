"""Start-up checks: the consent versions members accept must have their text, and the
demonstration tools never run behind HTTPS (a production deployment).

Errors stop every ``manage.py`` command that runs the system checks (``runserver``,
``migrate``, ``check``, ``check --deploy``). A WSGI server does not run them, so
``enlinea/wsgi.py`` calls ``startup_refuse`` for the checks that must also stop it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
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


@register(Tags.security)
def demo_mode_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """``DEMO_MODE`` opens ``/dev/buzon/`` (every code and temporary password sent) and
    the demo data; ``HTTPS=true`` is how a public deployment is configured. Together
    they would hand every member's codes to anyone (access.E003)."""
    if not (settings.DEMO_MODE and settings.HTTPS):
        return []
    return [
        Error(
            "DEMO_MODE=true con HTTPS=true: el modo de demostración publica en /dev/buzon/ "
            "todos los códigos de seguridad y contraseñas temporales enviados, y nunca "
            "debe estar activo en producción.",
            hint="Quita DEMO_MODE (o ponlo en false) en producción; para una demostración "
            "local usa HTTPS=false.",
            id="access.E003",
        )
    ]


# Checks that must stop a WSGI server as well as manage.py.
_STARTUP_REFUSALS = (demo_mode_not_in_production,)


def startup_refuse() -> None:
    """Raise ``ImproperlyConfigured`` when a configuration that must never serve the
    public is set (called by ``enlinea/wsgi.py``: WSGI servers skip system checks)."""
    errors = [error for check in _STARTUP_REFUSALS for error in check()]
    if errors:
        raise ImproperlyConfigured(
            "Configuración inválida: " + " ".join(f"{e.msg} ({e.id}) {e.hint}" for e in errors)
        )
