"""Owner-scoped reads of a member's debit and credit cards."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from enlinea.members.models import Member
from enlinea.products.models import CardPurchase, CreditCard, DebitCard

MSG_CARD_NOT_FOUND = "No encontramos esa tarjeta entre tus productos."
RECENT_PURCHASES = 10


def debit_cards_for_member(*, member: Member) -> QuerySet[DebitCard]:
    return DebitCard.objects.filter(member=member).order_by("issued_at", "id")


def credit_cards_for_member(*, member: Member) -> QuerySet[CreditCard]:
    """The member's credit cards with their ledger account and purchases prefetched, so
    ``total_debt``, ``deferred_balance`` and ``current_balance`` cost no query per card."""
    return (
        CreditCard.objects.filter(member=member)
        .select_related("ledger_account")
        .prefetch_related(
            Prefetch("purchases", queryset=CardPurchase.objects.order_by("-occurred_at", "-id"))
        )
        .order_by("issued_at", "id")
    )


def credit_card_for_member(*, member: Member, card_id: int) -> CreditCard:
    """One of the member's credit cards; 404 for anyone else's or an unknown one."""
    card = credit_cards_for_member(member=member).filter(pk=card_id).first()
    if card is None:
        raise Http404(MSG_CARD_NOT_FOUND)
    return card


def credit_card_recent_purchases(*, card: CreditCard) -> list[CardPurchase]:
    """The latest purchases of a card fetched through ``credit_card_for_member``."""
    return list(card.purchases.all()[:RECENT_PURCHASES])
