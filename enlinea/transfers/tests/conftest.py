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


# ---------------------------------------------------------------- interbank clearing


def counterpart(account_number: str, name: str = "ROSA QUISHPE"):
    """A beneficiary at BANCO PICHINCHA C.A. with ``account_number`` (the simulator's
    outcome depends on its last digits: docs/interbank.md)."""
    from enlinea.receipts.services import Counterpart

    return Counterpart(
        name=name,
        identification="1712345678",
        account_number=account_number,
        account_type="AHORROS",
        institution="BANCO PICHINCHA C.A.",
    )


def interbank(account: DepositAccount, amount: int, account_number: str, key: str):
    """An outgoing interbank transfer through the service; its payment order."""
    from enlinea.transfers.services import interbank_transfer_record

    receipt = interbank_transfer_record(
        source=account,
        amount=amount,
        beneficiary=counterpart(account_number),
        motive="Arriendo",
        idempotency_key=key,
    )
    return receipt.interbank_transfer


def kind_balance(kind: str) -> int:
    return sum(
        LedgerAccount.objects.filter(kind=kind, is_group=False).values_list("balance", flat=True)
    )


@pytest.fixture
def staff_user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="operaciones.spi", password="x-Back-Office-2026", is_staff=True
    )
