"""Reads of a member's beneficiaries, always scoped to the member (404 for anyone else's)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from enlinea.members.models import Member

from .destinations import search_fold
from .models import Beneficiary, BeneficiaryKind
from .services import MSG_NOT_FOUND


def beneficiary_tabs() -> list[tuple[str, str]]:
    """The tabs of "Administración de beneficiarios", in the manual's order and words:
    (kind, label), the first one named after the institution ("Beneficiario Cooprogreso")."""
    return [
        (BeneficiaryKind.INTERNAL, f"Beneficiario {settings.INSTITUTION['short_name']}"),
        (BeneficiaryKind.EXTERNAL, "Beneficiario Otros Bancos"),
        (BeneficiaryKind.CARD, "Pago Tarjetas"),
    ]


def beneficiaries_for_member(
    *, member: Member, kind: str | None = None, search: str = ""
) -> QuerySet[Beneficiary]:
    """The member's beneficiaries not deleted, by name; of one ``kind`` if given.

    ``search`` ("Buscar": name, alias, institution, or digits of the account or card)
    ignores case and accents; every word must match somewhere ("pichincha juan").
    """
    rows = Beneficiary.objects.filter(member=member, deleted_at__isnull=True).select_related(
        "institution"
    )
    if kind is not None:
        if kind not in BeneficiaryKind.values:
            raise ValueError(f"Unknown beneficiary kind {kind!r}")
        rows = rows.filter(kind=kind)
    for term in search_fold(search).split():
        match = Q(search_text__contains=term) | Q(institution__name__icontains=term)
        if term.isdigit():
            match |= Q(account_number__contains=term) | Q(card_last4__contains=term)
        rows = rows.filter(match)
    return rows.order_by("name", "id")


def beneficiary_for_member(*, member: Member, beneficiary_id: Any) -> Beneficiary:
    """One of the member's beneficiaries (not deleted); Http404 for another member's
    id, a deleted one, an unknown or a malformed id: all the same answer."""
    try:
        pk = int(beneficiary_id)
    except (TypeError, ValueError):
        raise Http404(MSG_NOT_FOUND) from None
    beneficiary = (
        Beneficiary.objects.select_related("institution", "internal_account")
        .filter(pk=pk, member=member, deleted_at__isnull=True)
        .first()
    )
    if beneficiary is None:
        raise Http404(MSG_NOT_FOUND)
    return beneficiary
