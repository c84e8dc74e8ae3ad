"""Many threads sending one request at once: PostgreSQL, real connections, one row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Model

from enlinea.ledger.models import LedgerAccount
from enlinea.products.models import CreditCard, DebitCard, DepositAccount
from enlinea.products.services import account_open, credit_card_issue, debit_card_issue
from tests.support.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _replay_at_once(request: Callable[[], Model]) -> tuple[list[int], list[BaseException]]:
    """Send ``request`` from THREADS threads at once; the ids they got, and errors."""
    results, errors = at_once([request] * THREADS)
    return [result.pk for result in results], errors


def test_concurrent_replays_of_an_account_opening_open_one_account(socio) -> None:
    ledger_accounts = LedgerAccount.objects.count()

    ids, errors = _replay_at_once(lambda: account_open(member=socio, idempotency_key="race"))

    assert errors == [], errors[:3]
    assert len(ids) == THREADS
    assert len(set(ids)) == 1
    assert DepositAccount.objects.filter(idempotency_key="race").count() == 1
    assert DepositAccount.objects.count() == 1
    # The losers' ledger accounts were rolled back with their transactions.
    assert LedgerAccount.objects.count() == ledger_accounts + 1


def test_concurrent_replays_of_a_debit_card_issue_issue_one_card(savings) -> None:
    ids, errors = _replay_at_once(lambda: debit_card_issue(account=savings, idempotency_key="race"))

    assert errors == [], errors[:3]
    assert len(ids) == THREADS
    assert len(set(ids)) == 1
    assert DebitCard.objects.count() == 1


def test_concurrent_replays_of_a_credit_card_issue_issue_one_card(socio) -> None:
    ledger_accounts = LedgerAccount.objects.count()

    ids, errors = _replay_at_once(
        lambda: credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="race")
    )

    assert errors == [], errors[:3]
    assert len(ids) == THREADS
    assert len(set(ids)) == 1
    assert CreditCard.objects.count() == 1
    assert LedgerAccount.objects.count() == ledger_accounts + 1
