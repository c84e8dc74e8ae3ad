"""Owner-scoped reads of a member's debit and credit cards.

A credit card's page is addressed by its *reference*, never by its database id (which is
sequential, so it would tell how many cards the cooperative has issued and invite guessing)
nor by its number: the last four digits the page already shows, a dash, and a keyed hash
of the card's id (``4821-9f3c0a7be1d24c56``). It needs no column of its own; a reference
that does not match one of the member's cards answers 404, like anyone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.crypto import constant_time_compare, salted_hmac

from enlinea.members.models import Member
from enlinea.products.models import CardPurchase, CreditCard, DebitCard

MSG_CARD_NOT_FOUND = "No encontramos esa tarjeta entre tus productos."
RECENT_PURCHASES = 10
REFERENCE_SALT = "enlinea.products.credit_card_reference"
DEBIT_REFERENCE_SALT = "enlinea.products.debit_card_reference"
REFERENCE_RE = re.compile(r"(?P<last4>[0-9]{4})-(?P<token>[0-9a-f]{16})")


def debit_cards_for_member(*, member: Member) -> QuerySet[DebitCard]:
    return DebitCard.objects.filter(member=member).order_by("issued_at", "id")


def credit_cards_for_member(*, member: Member) -> QuerySet[CreditCard]:
    """The member's credit cards with their ledger account and purchases prefetched, so
    ``total_debt``, ``deferred_balance`` and ``current_balance`` cost no query per card."""
    return (
        CreditCard.objects.filter(member=member)
        .select_related("ledger_account")
        .prefetch_related(
            Prefetch("purchases", queryset=CardPurchase.objects.order_by("-occurred_at", "-id")),
            "deferrals",
        )
        .order_by("issued_at", "id")
    )


def _token(card_id: int, salt: str = REFERENCE_SALT) -> str:
    return salted_hmac(salt, str(card_id), algorithm="sha256").hexdigest()[:16]


def credit_card_reference(card: CreditCard) -> str:
    """The card's public reference for URLs: last four digits and a keyed hash of its id."""
    return f"{card.last4}-{_token(card.pk)}"


@dataclass(frozen=True)
class CreditCardRow:
    """A card of the list with the reference its "Ver detalle" link uses."""

    card: CreditCard
    reference: str


def credit_card_rows(cards: list[CreditCard]) -> list[CreditCardRow]:
    return [CreditCardRow(card=card, reference=credit_card_reference(card)) for card in cards]


def debit_card_reference(card: DebitCard) -> str:
    """A debit card's reference: the same form, under a key of its own."""
    return f"{card.last4}-{_token(card.pk, DEBIT_REFERENCE_SALT)}"


def _by_reference(cards: QuerySet, reference: str, salt: str) -> DebitCard | CreditCard:
    match = REFERENCE_RE.fullmatch(str(reference))
    if match is None:
        raise Http404(MSG_CARD_NOT_FOUND)
    # The last four digits narrow the member's cards to (nearly always) one row.
    for card in cards.filter(last4=match["last4"]):
        if constant_time_compare(_token(card.pk, salt), match["token"]):
            return card
    raise Http404(MSG_CARD_NOT_FOUND)


def credit_card_for_member(*, member: Member, reference: str) -> CreditCard:
    """One of the member's credit cards by its reference; 404 for anyone else's card, an
    unknown or altered reference, or a database id."""
    return _by_reference(credit_cards_for_member(member=member), reference, REFERENCE_SALT)


def debit_card_for_member(*, member: Member, reference: str) -> DebitCard:
    """One of the member's debit cards by its reference; 404 as for a credit card."""
    cards = debit_cards_for_member(member=member).select_related("account")
    return _by_reference(cards, reference, DEBIT_REFERENCE_SALT)


def credit_card_recent_purchases(*, card: CreditCard) -> list[CardPurchase]:
    """The latest purchases of a card fetched through ``credit_card_for_member``."""
    return list(card.purchases.all()[:RECENT_PURCHASES])
