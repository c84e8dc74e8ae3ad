"""Template filters for the Soporte pages."""

from __future__ import annotations

from django import template

from enlinea.members.services import mask_email

register = template.Library()


@register.filter
def correo_oculto(value: str) -> str:
    """The member's e-mail as every Soporte page shows it: ``an***@example.com``."""
    return mask_email(value or "")
