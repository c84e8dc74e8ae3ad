"""Consulta de movimientos on an account with 100,000 movements: the keyset query plan."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry, Posting
from enlinea.ledger.services import coop_account
from enlinea.products.selectors.accounts import Cursor, account_movements

from .products_support import funded_account

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = 100_000


def _bulk_history(account) -> None:
    """100,000 balanced entries straight into the tables, inside a savepoint the test
    rolls back (``_rolled_back``): the deferred balance trigger's 200,000 queued checks
    are dropped with it, instead of running at the test's teardown
    (``SET CONSTRAINTS ALL IMMEDIATE``), where a plan cached earlier in the worker's
    session can make them a sequential scan each."""
    cash = coop_account(LedgerKind.CASH)
    start = timezone.now() - dt.timedelta(days=300)
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                idempotency_key=f"bulk-{i}",
                request_digest="x",
                kind="cash_deposit",
                description="Depósito",
                status="posted",
                lines=[],
                created_at=start + dt.timedelta(minutes=3 * i),
                resolved_at=start + dt.timedelta(minutes=3 * i),
            )
            for i in range(ROWS)
        ],
        batch_size=5_000,
    )
    postings = []
    for i, entry in enumerate(entries):
        postings.append(
            Posting(
                entry=entry,
                account_id=account.ledger_account_id,
                amount=100,
                balance_after=100 * (i + 1),
                created_at=entry.created_at,
            )
        )
        postings.append(
            Posting(
                entry=entry,
                account_id=cash.pk,
                amount=-100,
                balance_after=0,
                created_at=entry.created_at,
            )
        )
    Posting.objects.bulk_create(postings, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_posting")


@contextmanager
def _rolled_back():
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def test_a_deep_page_uses_an_index_not_a_seq_scan(member) -> None:
    account = funded_account(member.member)
    with _rolled_back():
        _deep_page_plan(account)


def _deep_page_plan(account) -> None:
    _bulk_history(account)
    now = timezone.now()
    middle = Posting.objects.filter(account_id=account.ledger_account_id).order_by("id")[ROWS // 2]
    after = Cursor(created_at=middle.created_at, posting_id=middle.pk)
    with connection.cursor() as cursor, pytest.MonkeyPatch.context() as patch:
        plans: list[str] = []
        real_execute = cursor.__class__.execute

        def explain(self, sql, params=None):
            if "ledger_posting" in sql and "ORDER BY" in sql:
                real_execute(self, "EXPLAIN " + sql, params)
                plans.extend(row[0] for row in self.fetchall())
            return real_execute(self, sql, params)

        patch.setattr(cursor.__class__, "execute", explain)
        rows, following = account_movements(
            account=account, since=now - dt.timedelta(days=365), until=now, after=after, limit=25
        )
    assert len(rows) == 25
    assert following is not None
    plan = "\n".join(plans)
    assert plan, "the movements query was not seen"
    assert "Seq Scan on ledger_posting" not in plan, plan
