from __future__ import annotations

import pytest

from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.services import account_open, cash_deposit


@pytest.fixture
def socio(db):
    chart_ensure()
    return member_create(**member_data())


@pytest.fixture
def savings(socio):
    account = account_open(member=socio)
    cash_deposit(account=account, amount=500_000, idempotency_key=f"seed-{account.number}")
    account.ledger_account.refresh_from_db()
    return account
