"""Batch import of posted entries: history from a core system, demo data, benchmarks.

The same rules as ``entry_record`` hold (every entry balances, deposit accounts never
below zero, running balances, unique idempotency keys, the database's own triggers on
PostgreSQL), but a whole batch is written in one transaction with COPY on PostgreSQL
(``bulk_create`` elsewhere), which is what loading a year of movements needs.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from enlinea.ledger.errors import InsufficientFunds, UnbalancedEntry, UnknownAccount
from enlinea.ledger.models import EntryStatus, JournalEntry, LedgerAccount, Posting
from enlinea.ledger.services import Line, entry_digest


@dataclass(frozen=True)
class BulkEntry:
    key: str
    kind: str
    description: str
    occurred_at: datetime.datetime
    lines: tuple[tuple[int, int], ...]


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    text = value.isoformat() if isinstance(value, datetime.datetime) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def entries_bulk_load(entries: Sequence[BulkEntry]) -> int:
    """Write ``entries`` (in order) as posted entries; returns the number of postings.

    Refuses the whole batch, writing nothing, if any entry is unbalanced, touches an
    unknown or group account, or would take a deposit account below its holds.
    """
    account_ids = {account_id for entry in entries for account_id, _ in entry.lines}
    with transaction.atomic():
        locked = {
            a["id"]: a
            for a in LedgerAccount.objects.select_for_update()
            .filter(pk__in=account_ids)
            .order_by("pk")
            .values("id", "balance", "held", "allow_negative", "is_group")
        }
        if missing := account_ids - locked.keys():
            raise UnknownAccount(f"Cuenta contable inexistente: {sorted(missing)[:5]}.")
        balance = {i: a["balance"] for i, a in locked.items()}
        counts = dict.fromkeys(locked, 0)
        rows = []
        for entry in entries:
            if len(entry.lines) < 2 or sum(amount for _, amount in entry.lines) != 0:
                raise UnbalancedEntry(f"El asiento {entry.key} no cuadra.")
            legs = []
            for account_id, amount in entry.lines:
                account = locked[account_id]
                if account["is_group"]:
                    raise UnknownAccount(f"La cuenta {account_id} agrupa subcuentas.")
                if amount == 0 or isinstance(amount, bool) or not isinstance(amount, int):
                    raise UnbalancedEntry(f"El asiento {entry.key} tiene un movimiento inválido.")
                balance[account_id] += amount
                if not account["allow_negative"] and balance[account_id] < account["held"]:
                    raise InsufficientFunds(
                        f"El asiento {entry.key} deja la cuenta {account_id} sin fondos."
                    )
                counts[account_id] += 1
                legs.append((account_id, amount, balance[account_id]))
            rows.append((entry, legs))
        if connection.vendor == "postgresql":
            postings = _copy_postgresql(rows)
        else:
            postings = _bulk_create(rows)
        changed = sorted(i for i, n in counts.items() if n)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "UPDATE ledger_ledgeraccount AS a SET balance = v.balance,"
                    " posting_count = a.posting_count + v.n"
                    " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, balance, n)"
                    " WHERE a.id = v.id",
                    [changed, [balance[i] for i in changed], [counts[i] for i in changed]],
                )
            else:
                cursor.executemany(
                    "UPDATE ledger_ledgeraccount SET balance = %s,"
                    " posting_count = posting_count + %s WHERE id = %s",
                    [(balance[i], counts[i], i) for i in changed],
                )
    return postings


def _digest_of(entry: BulkEntry) -> str:
    return entry_digest(entry.kind, [Line(a, m) for a, m in entry.lines], False, None)


def _copy_postgresql(rows: list[tuple[BulkEntry, list[tuple[int, int, int]]]]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('ledger_journalentry', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        entries_buf = io.StringIO()
        postings_buf = io.StringIO()
        n = 0
        for entry_id, (entry, legs) in zip(ids, rows, strict=True):
            when = _copy_text(entry.occurred_at)
            lines_json = json.dumps([[a, m] for a, m, _ in legs])
            entries_buf.write(
                "\t".join(
                    [
                        str(entry_id),
                        _copy_text(entry.key),
                        _digest_of(entry),
                        _copy_text(entry.kind),
                        _copy_text(entry.description[:200]),
                        EntryStatus.POSTED,
                        _copy_text(lines_json),
                        "{}",
                        when,
                        when,
                    ]
                )
                + "\n"
            )
            for account_id, amount, after in legs:
                postings_buf.write(f"{entry_id}\t{account_id}\t{amount}\t{after}\t{when}\n")
                n += 1
        raw = cursor.cursor
        with raw.copy(
            "COPY ledger_journalentry (id, idempotency_key, request_digest, kind, description,"
            " status, lines, metadata, created_at, resolved_at) FROM STDIN"
        ) as copy:
            copy.write(entries_buf.getvalue())
        with raw.copy(
            "COPY ledger_posting (entry_id, account_id, amount, balance_after, created_at) FROM STDIN"
        ) as copy:
            copy.write(postings_buf.getvalue())
        # Fresh statistics before COMMIT runs the deferred balance checks: on a table that
        # was empty when last analyzed, their lookups by entry would scan the whole table.
        cursor.execute("ANALYZE ledger_posting")
    return n


def _bulk_create(rows: list[tuple[BulkEntry, list[tuple[int, int, int]]]]) -> int:
    objs = [
        JournalEntry(
            idempotency_key=entry.key,
            request_digest=_digest_of(entry),
            kind=entry.kind,
            description=entry.description[:200],
            status=EntryStatus.POSTED,
            lines=[[a, m] for a, m, _ in legs],
            metadata={},
            created_at=entry.occurred_at,
            resolved_at=entry.occurred_at,
        )
        for entry, legs in rows
    ]
    JournalEntry.objects.bulk_create(objs, batch_size=2000)
    postings = [
        Posting(entry=obj, account_id=a, amount=m, balance_after=after, created_at=obj.created_at)
        for obj, (_, legs) in zip(objs, rows, strict=True)
        for a, m, after in legs
    ]
    Posting.objects.bulk_create(postings, batch_size=5000)
    return len(postings)


def accounts_bulk_open(accounts: Sequence[tuple[str, str]]) -> list[int]:
    """Open many member deposit accounts (code, name) at zero; returns their ids."""
    from enlinea.ledger.models import AccountKind, NormalSide

    objs = [
        LedgerAccount(
            code=code,
            name=name,
            kind=AccountKind.MEMBER_DEPOSIT,
            normal_side=NormalSide.CREDIT,
            allow_negative=False,
        )
        for code, name in accounts
    ]
    LedgerAccount.objects.bulk_create(objs, batch_size=2000)
    return [obj.pk for obj in objs]
