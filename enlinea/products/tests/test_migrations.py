"""The idempotency-key migrations on a database that already holds accounts and cards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.models import CreditCard, DebitCard, DepositAccount
from enlinea.products.services import account_open, credit_card_issue, debit_card_issue


def _migrate(target: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(target or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_accounts_and_cards_made_before_keys_get_a_key_of_their_own() -> None:
    chart_ensure()
    member = member_create(**member_data())
    account = account_open(member=member, idempotency_key="k-account")
    debit = debit_card_issue(account=account, idempotency_key="k-debit")
    credit = credit_card_issue(member=member, credit_limit=10_000, idempotency_key="k-credit")

    _migrate([("products", "0001_initial")])  # back to before keys: the column goes away
    _migrate()

    assert DepositAccount.objects.get().idempotency_key == f"legacy:depositaccount:{account.pk}"
    assert DebitCard.objects.get().idempotency_key == f"legacy:debitcard:{debit.pk}"
    assert CreditCard.objects.get().idempotency_key == f"legacy:creditcard:{credit.pk}"
    # A new request can still use any key of its own.
    assert account_open(member=member, idempotency_key="k-account").pk != account.pk
