"""Owner-scoped reads of a member's cards for their management pages.

Every card page is addressed by the card's kind ("debito" / "credito") and its
reference (``enlinea.products.selectors.cards``): ``card_for_member`` answers 404 for
anyone else's card, an unknown kind or reference, or a database id, on GET and POST.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from enlinea.members.models import Member
from enlinea.products.models import CreditCard, DebitCard
from enlinea.products.selectors.cards import (
    MSG_CARD_NOT_FOUND,
    credit_card_for_member,
    credit_card_reference,
    credit_cards_for_member,
    debit_card_for_member,
    debit_card_reference,
    debit_cards_for_member,
)

from .models import CardKind

Card = DebitCard | CreditCard


def card_kind(card: Card) -> str:
    return CardKind.CREDIT if isinstance(card, CreditCard) else CardKind.DEBIT


def card_reference(card: Card) -> str:
    if isinstance(card, CreditCard):
        return credit_card_reference(card)
    return debit_card_reference(card)


def card_for_member(*, member: Member, kind: str, reference: str) -> Card:
    """One of the member's cards by kind and reference; 404 for anything else."""
    if kind == CardKind.CREDIT:
        return credit_card_for_member(member=member, reference=reference)
    if kind == CardKind.DEBIT:
        return debit_card_for_member(member=member, reference=reference)
    raise Http404(MSG_CARD_NOT_FOUND)


def card_by_id_for_member(*, member: Member, kind: str, card_id: int) -> Card:
    """A card named by kind and id inside a pending operation or a stored row (never
    from a URL), read again owner-scoped: 404 if it is no longer the member's."""
    model = CreditCard if kind == CardKind.CREDIT else DebitCard
    card = model.objects.filter(member=member, pk=card_id).select_related("member").first()
    if card is None:
        raise Http404(MSG_CARD_NOT_FOUND)
    return card


@dataclass(frozen=True)
class CardRow:
    """A card of the list, with what its "Más opciones" links need."""

    card: Card
    kind: str
    reference: str

    @property
    def credit(self) -> bool:
        return self.kind == CardKind.CREDIT


def card_rows(*, member: Member, kind: str) -> list[CardRow]:
    if kind == CardKind.CREDIT:
        cards: list[Card] = list(credit_cards_for_member(member=member))
    else:
        cards = list(debit_cards_for_member(member=member))
    return [CardRow(card=c, kind=kind, reference=card_reference(c)) for c in cards]


def card_label(card: Card) -> str:
    """How a card is named on Confirmar pages and in e-mails: type and masked number."""
    return f"{card.card_type} {card.masked_number}"
