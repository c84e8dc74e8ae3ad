"""The database itself refuses to unbalance the books, whatever the code does."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from enlinea.ledger.models import JournalEntry, LedgerAccount, Posting
from enlinea.ledger.services import Line, entry_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFUSED = (IntegrityError, InternalError)


def _funded_pair(open_account):
    a = open_account("A", 10_000)
    b = open_account("B")
    entry = entry_record(
        idempotency_key="t1", kind="transfer", lines=[Line(a.pk, -100), Line(b.pk, 100)]
    )
    return a, b, entry


def _raw_unbalanced_entry(a, b) -> None:
    """Insert an entry whose postings sum to -1.00, straight in SQL, in one transaction."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO ledger_journalentry (idempotency_key, request_digest, kind, description,
                   status, lines, metadata, created_at, resolved_at)
               VALUES ('raw', 'x', 'raw', '', 'posted', '[]', '{}', %s, %s) RETURNING id""",
            [now, now],
        )
        entry_id = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, created_at)
               VALUES (%s, %s, -500, 0, %s), (%s, %s, 400, 0, %s)""",
            [entry_id, a.pk, now, entry_id, b.pk, now],
        )


def test_raw_sql_unbalanced_entry_is_refused_at_commit(open_account) -> None:
    a, b, _ = _funded_pair(open_account)
    with pytest.raises(REFUSED, match="unbalanced"):
        _raw_unbalanced_entry(a, b)
    assert not JournalEntry.objects.filter(idempotency_key="raw").exists()


def test_single_posting_entry_is_refused_at_commit(open_account) -> None:
    a, _, entry = _funded_pair(open_account)
    with (
        pytest.raises(REFUSED, match="unbalanced"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(
            """INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, created_at)
               VALUES (%s, %s, 7, 0, now())""",
            [entry.pk, a.pk],
        )
    assert Posting.objects.filter(entry=entry).count() == 2


def test_postings_cannot_be_updated_or_deleted(open_account) -> None:
    _, _, entry = _funded_pair(open_account)
    posting = entry.postings.first()
    with pytest.raises(REFUSED, match="immutable"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount=-1)
    with (
        pytest.raises(REFUSED, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM ledger_posting WHERE id = %s", [posting.pk])
    posting.refresh_from_db()
    assert posting.amount == -100


def test_resolved_entries_cannot_change_or_be_deleted(open_account) -> None:
    _, _, entry = _funded_pair(open_account)
    with pytest.raises(REFUSED, match="cannot change"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(status="voided")
    with (
        pytest.raises(REFUSED, match="cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM ledger_journalentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.status == "posted"


def test_deposit_account_cannot_go_negative_even_around_the_orm(open_account) -> None:
    a, _, _ = _funded_pair(open_account)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=a.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=a.pk).update(held=a.balance + 1)
    a.refresh_from_db()
    assert a.balance == 9_900
