"""A member with a debit and a credit card, built through the real services."""

from __future__ import annotations

import datetime as dt

from enlinea.access.tests.profile_support import enrolled_member
from enlinea.ledger.services import chart_ensure
from enlinea.products.models import CreditCard, DebitCard
from enlinea.products.services import (
    account_open,
    card_pin_set,
    cash_deposit,
    credit_card_issue,
    debit_card_issue,
)

BIRTH = dt.date(1985, 7, 14)  # forms a PIN must not take: 1407, 0714, 1985, 0785
PIN = "5831"


def cardholder(username: str = "andreslopez", **overrides) -> tuple:
    """(member, debit card, credit card), both cards with PIN 5831."""
    chart_ensure()
    overrides.setdefault("birth_date", BIRTH)
    member = enrolled_member(username, **overrides)
    account = account_open(member=member, idempotency_key=f"cards-sav-{username}")
    cash_deposit(account=account, amount=100_000, idempotency_key=f"cards-fund-{username}")
    debit = debit_card_issue(account=account, idempotency_key=f"cards-debit-{username}")
    credit = credit_card_issue(
        member=member, credit_limit=200_000, idempotency_key=f"cards-credit-{username}"
    )
    for card in (debit, credit):
        card_pin_set(card=card, pin=PIN)
    return (
        member,
        DebitCard.objects.select_related("member").get(pk=debit.pk),
        CreditCard.objects.select_related("member", "ledger_account").get(pk=credit.pk),
    )
