"""Parallel transfers on PostgreSQL, with real threads and connections: one account is
never spent twice, crossed transfers do not deadlock (also composed inside outer
transactions, with cash and card purchases on the same accounts), one key posts once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from enlinea.access.audit import audit_record
from enlinea.access.models import AuditEvent, AuditKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.products.services import (
    ProductError,
    account_open,
    card_purchase_record,
    cash_deposit,
    cash_withdrawal,
    debit_card_issue,
    loan_disburse,
)
from enlinea.receipts.models import Receipt
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Fee
from enlinea.transfers.services import interbank_transfer_record, transfer_record
from enlinea.transfers.tests.conftest import OPENING, balance, fund
from tests.support.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROSA = Counterpart(
    name="ROSA QUISHPE", account_number="2203344556", institution="BANCO PICHINCHA C.A."
)


def test_parallel_interbank_transfers_never_overdraw(socio) -> None:
    account = account_open(member=socio, idempotency_key="small")
    fund(account, 1_000, "small-fund")  # $ 10.00: two transfers of $ 3.00 + $ 0.41 fit

    def send(i: int):
        return lambda: interbank_transfer_record(
            source=account, amount=300, beneficiary=ROSA, motive="", idempotency_key=f"p{i}"
        )

    results, errors = at_once([send(i) for i in range(THREADS)])
    assert len(results) == 2
    assert len(errors) == THREADS - 2
    assert all(isinstance(e, ProductError) for e in errors), errors
    assert all("insuficiente" in e.messages[0] for e in errors)
    assert balance(account) == 1_000 - 2 * 341
    assert Receipt.objects.filter(account=account, kind="transfer_interbank").count() == 2
    assert ledger_verify().ok


def test_crossed_transfers_between_two_accounts_do_not_deadlock(savings, other_savings) -> None:
    calls = []
    for i in range(THREADS):
        source, destination = (savings, other_savings) if i % 2 else (other_savings, savings)
        calls.append(
            lambda s=source, d=destination, i=i: transfer_record(
                source=s, kind="internal", destination=d, amount=1_000, idempotency_key=f"x{i}"
            )
        )
    results, errors = at_once(calls)
    assert errors == []
    assert len(results) == THREADS
    assert balance(savings) == OPENING
    assert balance(other_savings) == OPENING
    assert ledger_verify().ok


def test_one_key_sent_in_parallel_posts_once(savings, other_savings) -> None:
    entries = JournalEntry.objects.count()
    results, errors = at_once(
        [
            lambda: transfer_record(
                source=savings,
                kind="internal",
                destination=other_savings,
                amount=5_000,
                idempotency_key="double",
            )
            for _ in range(THREADS)
        ]
    )
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert JournalEntry.objects.count() == entries + 1
    assert balance(savings) == OPENING - 5_000


# ---------------------------------------------------------------- composed in outer transactions

ROUNDS = 25
FEE, FEE_IVA = 25, 4  # transfer_internal in the tariff below: 25 ¢ and 15 % IVA (3.75 → 4)
INTERBANK_FEES = 36 + 5  # the tariff's default for transfer_interbank


def _confirmed(step: Callable[[int], object], who: str) -> Callable[[], int]:
    """ROUNDS operations, each in its own durable transaction after a first write, as
    the confirmation flow runs them (the code is spent, then the service executes)."""

    def run() -> int:
        for n in range(ROUNDS):
            with transaction.atomic(durable=True):
                audit_record(kind=AuditKind.CODE_VERIFIED, username=who, round=n)
                step(n)
        return ROUNDS

    return run


def test_opposite_transfers_and_cash_inside_outer_transactions_never_deadlock(
    savings, other_savings
) -> None:
    Fee.objects.update_or_create(
        operation="transfer_internal", defaults={"commission": FEE, "iva_rate_bp": 1500}
    )
    card = debit_card_issue(account=savings, idempotency_key="card")
    entries = JournalEntry.objects.count()

    def there(n: int) -> None:
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=1_000,
            idempotency_key=f"there-{n}",
        )

    def back(n: int) -> None:
        transfer_record(
            source=other_savings,
            kind="internal",
            destination=savings,
            amount=1_000,
            idempotency_key=f"back-{n}",
        )

    def cash(n: int) -> None:
        cash_deposit(account=savings, amount=500, idempotency_key=f"cash-in-{n}")

    def withdrawal(n: int) -> None:
        cash_withdrawal(account=other_savings, amount=200, idempotency_key=f"cash-out-{n}")

    def interbank(n: int) -> None:
        interbank_transfer_record(
            source=other_savings,
            amount=300,
            beneficiary=ROSA,
            motive="",
            idempotency_key=f"spi-{n}",
        )

    def purchase(n: int) -> None:
        card_purchase_record(card=card, amount=150, merchant="SUPERMAXI", idempotency_key=f"c{n}")

    def loan(n: int) -> None:  # locks the member's row first (a product is opened)
        loan_disburse(
            member=savings.member,
            account=savings,
            product_name="CRÉDITO DE CONSUMO",
            principal=2_000,
            annual_rate_bp=1200,
            term_months=1,
            disbursed_on=timezone.localdate(),
            idempotency_key=f"loan-{n}",
        )

    steps = {
        "there": there,
        "back": back,
        "cash": cash,
        "withdrawal": withdrawal,
        "interbank": interbank,
        "purchase": purchase,
        "loan": loan,
    }
    results, errors = at_once([_confirmed(step, who) for who, step in steps.items()])

    assert errors == [], errors[:3]
    assert results == [ROUNDS] * len(steps)
    fee = FEE + FEE_IVA
    assert balance(savings) == OPENING + ROUNDS * (-1_000 - fee + 1_000 + 500 - 150 + 2_000)
    assert balance(other_savings) == OPENING + ROUNDS * (
        1_000 - 1_000 - fee - 200 - 300 - INTERBANK_FEES
    )
    # Transfers and the interbank one post three entries each (movement, COMISIÓN, IVA).
    assert JournalEntry.objects.count() == entries + ROUNDS * (3 + 3 + 1 + 1 + 3 + 1 + 1)
    assert AuditEvent.objects.filter(kind=AuditKind.CODE_VERIFIED).count() == ROUNDS * len(steps)
    assert ledger_verify().ok


def test_a_transfer_whose_outer_transaction_fails_later_leaves_nothing(
    savings, other_savings
) -> None:
    entries, receipts = JournalEntry.objects.count(), Receipt.objects.count()

    def spend_then_fail() -> None:
        with transaction.atomic(durable=True):
            transfer_record(
                source=savings,
                kind="internal",
                destination=other_savings,
                amount=5_000,
                idempotency_key="lost",
            )
            raise LookupError("the security code was spent by another tab")

    results, errors = at_once([spend_then_fail] * THREADS)

    assert results == []
    assert len(errors) == THREADS
    assert all(isinstance(e, LookupError) for e in errors), errors[:3]
    assert JournalEntry.objects.count() == entries
    assert Receipt.objects.count() == receipts
    assert balance(savings) == OPENING
    assert balance(other_savings) == OPENING
    assert ledger_verify().ok
