"""A small cast for money operations, built through the real services: a member with two
funded accounts, another member with one, and helpers to read what was posted."""

from __future__ import annotations

import pytest

from enlinea.ledger.models import LedgerAccount, Posting
from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.models import AccountKind, DepositAccount
from enlinea.products.services import account_open, cash_deposit

OPENING = 100_000  # $ 1,000.00


def fund(account: DepositAccount, amount: int, key: str) -> DepositAccount:
    cash_deposit(account=account, amount=amount, idempotency_key=key)
    return account


def balance(account: DepositAccount) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def postings(account: DepositAccount) -> list[tuple[str, int]]:
    """(concept, amount) of the account's postings, oldest first."""
    return list(
        Posting.objects.filter(account_id=account.ledger_account_id)
        .order_by("id")
        .values_list("entry__description", "amount")
    )


@pytest.fixture
def socio(db):
    chart_ensure()
    return member_create(**member_data())


@pytest.fixture
def otro(db):
    chart_ensure()
    return member_create(
        **member_data(
            first_names="Maria Fernanda",
            last_names="Perez Guaman",
            email="maria.perez@example.com",
            mobile_phone="0987654321",
        )
    )


@pytest.fixture
def savings(socio) -> DepositAccount:
    account = account_open(member=socio, idempotency_key=f"t-savings-{socio.pk}")
    return fund(account, OPENING, f"t-fund-{account.pk}")


@pytest.fixture
def checking(socio) -> DepositAccount:
    """The same member's second account, empty."""
    return account_open(
        member=socio, idempotency_key=f"t-checking-{socio.pk}", kind=AccountKind.CHECKING
    )


@pytest.fixture
def other_savings(otro) -> DepositAccount:
    account = account_open(member=otro, idempotency_key=f"t-savings-{otro.pk}")
    return fund(account, OPENING, f"t-fund-{account.pk}")
