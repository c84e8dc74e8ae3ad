"""A member with a funded account, built through the real services (receipts tests)."""

from __future__ import annotations

from django.test import Client

from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.products.models import DepositAccount
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt
from enlinea.receipts.services import Counterpart
from enlinea.transfers.services import interbank_transfer_record

ROSA = Counterpart(
    name="ROSA QUISHPE",
    identification="1712345678",
    account_number="2203349993",
    account_type="AHORROS",
    institution="BANCO PICHINCHA C.A.",
)


def savings(socio: Member, *, amount: int = 500_000, n: int = 0) -> DepositAccount:
    chart_ensure()
    account = account_open(member=socio, idempotency_key=f"rc-acc-{socio.pk}-{n}")
    if amount:
        cash_deposit(account=account, amount=amount, idempotency_key=f"rc-seed-{socio.pk}-{n}")
    return account


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def interbank_receipt(account: DepositAccount, *, key: str = "ib-1") -> Receipt:
    """$ 15.00 to ROSA QUISHPE at BANCO PICHINCHA C.A. through the interbank service,
    with the tariff's COMISIÓN ($ 0.36) and IVA ($ 0.05) as movements of their own."""
    return interbank_transfer_record(
        source=account, amount=1_500, beneficiary=ROSA, motive="Arriendo", idempotency_key=key
    )
