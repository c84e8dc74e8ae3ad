from __future__ import annotations

import itertools

import pytest

from enlinea.ledger.models import AccountKind, LedgerAccount
from enlinea.ledger.services import (
    Line,
    chart_ensure,
    coop_account,
    entry_record,
    member_account_open,
)

_keys = itertools.count(1)


def new_key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


@pytest.fixture
def chart(db) -> dict[str, LedgerAccount]:
    return chart_ensure()


@pytest.fixture
def open_account(chart):
    """A member deposit account, optionally funded with a cash deposit through the ledger."""

    def _open(code: str, deposit: int = 0) -> LedgerAccount:
        account = member_account_open(code=code, name=f"Cuenta {code}")
        if deposit:
            entry_record(
                idempotency_key=new_key("deposit"),
                kind="cash_deposit",
                lines=[
                    Line(coop_account(AccountKind.CASH).pk, -deposit),
                    Line(account.pk, deposit),
                ],
            )
            account.refresh_from_db()
        return account

    return _open
