"""A member with a funded account, built through the real services (receipts tests)."""

from __future__ import annotations

from django.test import Client

from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.products.models import DepositAccount
from enlinea.products.services import account_open, cash_deposit


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
