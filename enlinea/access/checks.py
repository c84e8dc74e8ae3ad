"""Start-up checks: the consent versions members accept must have their text, the
demonstration tools never run behind HTTPS (a production deployment), and a
deployment behind HTTPS names its reverse proxies.

Errors stop every ``manage.py`` command that runs the system checks (``runserver``,
``migrate``, ``check``, ``check --deploy``). A WSGI server does not run them, so
``enlinea/wsgi.py`` calls ``startup_refuse`` for the checks that must also stop it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
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


@register(Tags.security)
def https_names_its_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``HTTPS=true`` means TLS ends at a reverse proxy (``SECURE_PROXY_SSL_HEADER`` reads
    its ``X-Forwarded-Proto``). Without ``TRUSTED_PROXIES`` the proxy's address is taken
    as every client's: the per-IP rate limits then count all members together (one
    attacker can make everybody wait) and the audit, devices and consents record the
    proxy instead of the member (access.W001). A Warning: a deployment can still start,
    e.g. while the proxy's address is being found out."""
    if not settings.HTTPS or settings.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "HTTPS=true sin TRUSTED_PROXIES: detrás del proxy inverso todos los clientes "
            "llegan con la misma dirección IP, así que los límites por IP se comparten "
            "entre todos los socios y la auditoría, los dispositivos y los consentimientos "
            "registran la IP del proxy.",
            hint="Pon en TRUSTED_PROXIES la IP o red CIDR del proxy inverso (separadas por "
            "comas), por ejemplo TRUSTED_PROXIES=10.0.0.5.",
            id="access.W001",
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
