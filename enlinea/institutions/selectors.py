"""Reads of the catalogue for forms and services (writes happen in the back office)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Institution


def institutions_for_choice(*, include_home: bool = False) -> QuerySet[Institution]:
    """The active institutions a member may pick, in the dropdown's order.

    Without ``include_home`` the cooperative itself is left out ("A otras
    instituciones": its own accounts go through "A mi institución"); a card of the
    cooperative can be paid, so card forms pass ``include_home=True``.
    """
    rows = Institution.objects.filter(active=True)
    if not include_home:
        rows = rows.filter(is_home=False)
    return rows.order_by("sort_order", "name")


def institution_for_choice(*, institution_id: Any, include_home: bool = False) -> Institution:
    """The institution picked in a form: ``Institution.DoesNotExist`` when the id is not
    one of :func:`institutions_for_choice` (unknown, malformed, inactive, or the home
    institution when it is not allowed)."""
    try:
        pk = int(institution_id)
    except (TypeError, ValueError):
        raise Institution.DoesNotExist(f"No institution {institution_id!r}") from None
    return institutions_for_choice(include_home=include_home).get(pk=pk)


def home_institution() -> Institution | None:
    """The row that is the cooperative itself (``is_home``), if the catalogue marks one."""
    return Institution.objects.filter(is_home=True).first()
