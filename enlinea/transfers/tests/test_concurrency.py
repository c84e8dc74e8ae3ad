"""Parallel transfers on PostgreSQL, with real threads and connections: one account is
never spent twice, crossed transfers do not deadlock, one key posts once."""

from __future__ import annotations

import pytest

from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.products.services import ProductError, account_open
from enlinea.receipts.models import Receipt
from enlinea.receipts.services import Counterpart
from enlinea.transfers.services import interbank_transfer_record, transfer_record
from enlinea.transfers.tests.conftest import OPENING, at_once, balance, fund

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
