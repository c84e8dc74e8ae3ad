"""Display filters in the manual's style: ``$ 1,255.02`` and ``24/ene./2026 11:03``."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from enlinea.money import format_cents

register = template.Library()

MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
MONTHS = (
    "ene.",
    "feb.",
    "mar.",
    "abr.",
    "may.",
    "jun.",
    "jul.",
    "ago.",
    "sep.",
    "oct.",
    "nov.",
    "dic.",
)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def dinero(cents: int | None) -> str:
    """Integer cents as the manual shows money: ``$ 1,255.02``."""
    if cents is None or cents == "":
        return ""
    return format_cents(cents)


@register.filter
def fecha(value: dt.datetime | dt.date | None) -> str:
    """``24/ene./2026 11:03`` for datetimes (local time), ``24/ene./2026`` for dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
        return f"{value.day:02d}/{MONTHS[value.month - 1]}/{value.year} {value:%H:%M}"
    return f"{value.day:02d}/{MONTHS[value.month - 1]}/{value.year}"


@register.filter
def fecha_corta(value: dt.datetime | dt.date | None) -> str:
    """Only the date part: ``24/ene./2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return fecha(value)
