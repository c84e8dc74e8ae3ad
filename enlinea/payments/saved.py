"""Pagos frecuentes: the member's saved services (biller + reference + alias).

Reads are owner-scoped: :func:`saved_service_for_member` raises 404 for anyone else's
id (or a deleted one). :func:`saved_service_ensure` saves one inside the caller's
transaction (the payment's, when "Guardar servicio" is ticked): a service the member
already has is reused as it is, never a second row, even when two requests race (the
partial unique constraint decides, inside a savepoint).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from enlinea.beneficiaries.destinations import search_fold

from .models import Biller, SavedService
from .references import reference_clean

ALIAS_MAX_LENGTH = 40
MSG_NOT_FOUND = "Ese servicio no está entre tus pagos frecuentes."
MSG_ALIAS_LONG = f"El alias admite hasta {ALIAS_MAX_LENGTH} caracteres."


def alias_clean(alias: str) -> str:
    alias = " ".join((alias or "").split())
    if len(alias) > ALIAS_MAX_LENGTH:
        raise ValidationError(MSG_ALIAS_LONG)
    return alias


def saved_services_for_member(
    *, member: Any, category: Any = None, text: str = ""
) -> QuerySet[SavedService]:
    """The member's live saved services, of one ``category`` if given, whose alias,
    biller or reference has every word of ``text`` (case and accents ignored)."""
    rows = SavedService.objects.filter(member=member, deleted_at__isnull=True).select_related(
        "biller__category"
    )
    if category is not None:
        rows = rows.filter(biller__category=category)
    for term in search_fold(text).split():
        rows = rows.filter(
            Q(biller__search_text__contains=term)
            | Q(biller__category__search_text__contains=term)
            | Q(alias__icontains=term)
            | Q(reference__contains=term)
        )
    return rows.order_by("biller__category__sort_order", "biller__name", "alias", "id")


def saved_service_for_member(*, member: Any, saved_id: Any) -> SavedService:
    """One of the member's live saved services; 404 for another member's or a bad id."""
    try:
        pk = int(saved_id)
    except (TypeError, ValueError):
        raise Http404(MSG_NOT_FOUND) from None
    saved = saved_services_for_member(member=member).filter(pk=pk, biller__active=True).first()
    if saved is None:
        raise Http404(MSG_NOT_FOUND)
    return saved


def saved_service_ensure(
    *, member: Any, biller: Biller, reference: str, alias: str = ""
) -> tuple[SavedService, bool]:
    """The member's saved service for ``biller`` and ``reference``: the one already
    saved (as it is) or a new one; (service, created). Runs in the caller's
    transaction."""
    clean = reference_clean(biller, reference)
    alias = alias_clean(alias)
    live = SavedService.objects.filter(
        member=member, biller=biller, reference=clean, deleted_at__isnull=True
    )
    existing = live.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                SavedService.objects.create(
                    member=member, biller=biller, reference=clean, alias=alias
                ),
                True,
            )
    except IntegrityError:  # saved at the same moment by another request
        return live.get(), False


def saved_service_delete(*, saved: SavedService) -> SavedService:
    """Mark the saved service deleted (once)."""
    SavedService.objects.filter(pk=saved.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )
    saved.refresh_from_db()
    return saved
