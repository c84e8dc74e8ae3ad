"""Reads of the biller catalogue for the member's pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from enlinea.beneficiaries.destinations import search_fold

from .models import Biller, BillerCategory


def biller_categories() -> QuerySet[BillerCategory]:
    """The active categories with at least one active biller, in the catalogue's order."""
    return (
        BillerCategory.objects.filter(active=True, billers__active=True)
        .distinct()
        .order_by("sort_order", "name")
    )


def billers_search(
    *, category: BillerCategory | int | None = None, text: str = ""
) -> QuerySet[Biller]:
    """The active billers ("Buscar servicio"), of one ``category`` if given, whose name
    has every word of ``text`` ignoring case and accents ("energia electrica quito",
    "Tránsito" finds "TRANSITO"). Works the same on PostgreSQL and SQLite: names are
    stored folded (``Biller.search_text``) and the words are folded the same way."""
    rows = Biller.objects.filter(active=True, category__active=True).select_related("category")
    if category is not None:
        rows = rows.filter(category=category)
    for term in search_fold(text).split():
        rows = rows.filter(Q(search_text__contains=term) | Q(category__search_text__contains=term))
    return rows.order_by("category__sort_order", "sort_order", "name")


def biller_by_code(code: str) -> Biller | None:
    """An active biller by its network code (a saved service, a schedule)."""
    return Biller.objects.filter(code=code, active=True).select_related("category").first()
