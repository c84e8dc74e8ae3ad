"""The only way money moves: every posting, hold and balance change is written here.

``entry_record`` takes balanced lines and an idempotency key and either applies all of
them or none. Called on its own it is one transaction; inside a caller's transaction (a
product service that also changes its own rows: a loan's installment, a card's debt) it
is part of that one. Each entry locks its accounts in ascending id order; the services
that call it lock their product rows first, in the one lock order written in
``enlinea.products.locking`` (why several entries in one transaction cannot deadlock is
explained there). A replayed key returns the first result; the same key with other
content is refused. Accounts that every operation touches are *groups* spread over
shards (see ``LedgerAccount``), picked by the idempotency key.

Two paths write an entry, with the same rows, refusals and messages. On PostgreSQL a
posted entry is one call of the function ``ledger_entry_record`` (migration 0006): one
statement, so one round trip, and in autocommit its own transaction. Pending entries
(two-phase, with holds) and every entry on SQLite take the Python path (``_record``):
INSERT entry, SELECT … FOR UPDATE, INSERT postings, UPDATE accounts in a transaction.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from enlinea.ledger.errors import (
    EntryAlreadyResolved,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    UnbalancedEntry,
    UnknownAccount,
)
from enlinea.ledger.models import (
    AccountKind,
    EntryStatus,
    Hold,
    HoldStatus,
    JournalEntry,
    LedgerAccount,
    NormalSide,
)
from enlinea.money import format_cents

HOT_SHARDS = 16


@dataclass(frozen=True)
class Line:
    """One requested leg: ``amount`` in cents, positive credits, negative debits."""

    account_id: int
    amount: int


# ---------------------------------------------------------------- chart of accounts

# The cooperative's own accounts: (kind, code, name, normal side, hot).
COOP_ACCOUNTS: tuple[tuple[str, str, str, str, bool], ...] = (
    (AccountKind.CASH, "1101", "Caja general / ventanilla", NormalSide.DEBIT, False),
    (AccountKind.CLEARING, "1103", "Compensación interbancaria (SPI)", NormalSide.DEBIT, True),
    # The cooperative's current account at the Banco Central del Ecuador, through which
    # the SPI settles: an outgoing transfer leaves it when its batch settles (from
    # CLEARING, where it waited), an incoming one arrives in it (enlinea/transfers).
    (
        AccountKind.CENTRAL_BANK,
        "1102",
        "Banco Central del Ecuador: cuenta de liquidación SPI",
        NormalSide.DEBIT,
        True,
    ),
    (AccountKind.LOAN_PORTFOLIO, "1401", "Cartera de créditos", NormalSide.DEBIT, False),
    (
        AccountKind.CARD_SETTLEMENT,
        "1490",
        "Liquidación con el procesador de tarjetas",
        NormalSide.DEBIT,
        False,
    ),
    (AccountKind.TERM_DEPOSITS, "2103", "Depósitos a plazo", NormalSide.CREDIT, False),
    (
        AccountKind.BILLER_SETTLEMENT,
        "2504",
        "Recaudaciones por liquidar a empresas de servicios",
        NormalSide.CREDIT,
        True,
    ),
    (AccountKind.IVA_PAYABLE, "2505", "IVA por pagar", NormalSide.CREDIT, True),
    (
        AccountKind.TAX_WITHHOLDING,
        "2506",
        "Retenciones en la fuente por pagar",
        NormalSide.CREDIT,
        False,
    ),
    (AccountKind.EQUITY, "3101", "Capital social", NormalSide.CREDIT, False),
    (AccountKind.INTEREST_EXPENSE, "4101", "Intereses causados", NormalSide.DEBIT, False),
    (
        AccountKind.INTEREST_INCOME,
        "5104",
        "Intereses y descuentos ganados",
        NormalSide.CREDIT,
        False,
    ),
    (AccountKind.COMMISSION_INCOME, "5401", "Comisiones ganadas", NormalSide.CREDIT, True),
)


def chart_ensure() -> dict[str, LedgerAccount]:
    """Create the cooperative's accounts (and the shards of hot ones) if missing."""
    accounts: dict[str, LedgerAccount] = {}
    for kind, code, name, side, hot in COOP_ACCOUNTS:
        account, _ = LedgerAccount.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "normal_side": side,
                "allow_negative": True,
                "is_group": hot,
            },
        )
        if hot:
            for i in range(HOT_SHARDS):
                LedgerAccount.objects.get_or_create(
                    code=f"{code}.{i:02d}",
                    defaults={
                        "name": f"{name} ({i + 1}/{HOT_SHARDS})",
                        "kind": kind,
                        "normal_side": side,
                        "allow_negative": True,
                        "group": account,
                    },
                )
        accounts[str(kind)] = account
    return accounts


def coop_account(kind: str) -> LedgerAccount:
    """The cooperative's account of a kind (created with the chart on first use)."""
    code = next(code for k, code, *_ in COOP_ACCOUNTS if k == kind)
    account = LedgerAccount.objects.filter(code=code).first()
    if account is None:
        account = chart_ensure()[str(kind)]
    return account


def member_account_open(*, code: str, name: str) -> LedgerAccount:
    """A member's deposit account in the books: never below zero."""
    return LedgerAccount.objects.create(
        code=code,
        name=name,
        kind=AccountKind.MEMBER_DEPOSIT,
        normal_side=NormalSide.CREDIT,
        allow_negative=False,
    )


# Group and shard ids change only when the chart changes; a stale cache shows up as
# an unknown or group account at lock time, and the operation is retried once afresh.
_shards: dict[int, tuple[int, ...]] = {}
_groups: set[int] | None = None


def _forget_chart() -> None:
    global _groups
    _groups = None
    _shards.clear()


def _shard_ids(group_id: int, *, refresh: bool = False) -> tuple[int, ...]:
    if refresh or group_id not in _shards:
        ids = tuple(
            LedgerAccount.objects.filter(group_id=group_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not ids:
            raise UnknownAccount(f"La cuenta contable {group_id} no tiene subcuentas.")
        _shards[group_id] = ids
    return _shards[group_id]


def _group_ids() -> set[int]:
    global _groups
    if _groups is None:
        _groups = set(LedgerAccount.objects.filter(is_group=True).values_list("id", flat=True))
    return _groups


# ---------------------------------------------------------------- helpers


def entry_digest(kind: str, lines: Sequence[Line], pending: bool, reverses_id: int | None) -> str:
    payload = {
        "kind": kind,
        "pending": pending,
        "reverses": reverses_id,
        "lines": sorted([line.account_id, line.amount] for line in lines),
    }
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def _validate(lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise UnbalancedEntry("Un asiento necesita al menos dos movimientos.")
    for line in lines:
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            raise TypeError("Ledger amounts are integer cents")
        if line.amount == 0:
            raise UnbalancedEntry("Un movimiento no puede ser de $ 0.00.")
    total = sum(line.amount for line in lines)
    if total != 0:
        raise UnbalancedEntry(f"El asiento no cuadra: la suma es {format_cents(total)}.")


def _replay(key: str, digest: str) -> JournalEntry | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, request_digest FROM ledger_journalentry WHERE idempotency_key = %s", [key]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _replayed(row[0], row[1], digest)


def _replayed(entry_id: int, stored_digest: str, digest: str) -> JournalEntry:
    """The first result of a replayed key, or a refusal if the content differs."""
    if stored_digest != digest:
        raise IdempotencyConflict(
            "Esta operación ya fue registrada con otros datos; no se aplicó de nuevo."
        )
    return JournalEntry.objects.get(pk=entry_id)


def _resolve(lines: Sequence[Line], key: str, groups: set[int]) -> list[Line]:
    resolved = []
    for line in lines:
        if line.account_id in groups:
            shards = _shard_ids(line.account_id)
            shard = shards[zlib.crc32(f"{key}:{line.account_id}".encode()) % len(shards)]
            resolved.append(Line(shard, line.amount))
        else:
            resolved.append(line)
    return resolved


_INSERT_ENTRY = (
    "INSERT INTO ledger_journalentry (idempotency_key, request_digest, kind, description,"
    " status, lines, metadata, reverses_id, created_at, resolved_at)"
    " VALUES (%s, %s, %s, %s, %s, %s{json}, %s{json}, %s, %s, %s)"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)


_UPDATE_ACCOUNTS = (
    "UPDATE ledger_ledgeraccount AS a SET balance = v.balance, held = v.held,"
    " posting_count = a.posting_count + v.n FROM (VALUES {values}) AS v(id, balance, held, n)"
    " WHERE a.id = v.id"
)


@dataclass
class _Locked:
    """A locked account row, as the hot path needs it (no model instance overhead)."""

    id: int
    code: str
    balance: int
    held: int
    allow_negative: bool
    is_group: bool
    new_postings: int = 0

    @property
    def available(self) -> int:
        return self.balance - self.held


def _lock(account_ids: set[int]) -> dict[int, _Locked]:
    """Lock accounts in ascending id order: the one global order that rules out deadlocks."""
    ids = sorted(account_ids)
    marks = ", ".join(["%s"] * len(ids))
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        sql = f"SELECT id, code, balance, held, allow_negative, is_group FROM ledger_ledgeraccount WHERE id IN ({marks}) ORDER BY id{suffix}"  # noqa: S608 - placeholders only
        cursor.execute(sql, ids)
        locked = {row[0]: _Locked(*row) for row in cursor.fetchall()}
    missing = account_ids - locked.keys()
    if missing:
        raise UnknownAccount(f"Cuenta contable inexistente: {sorted(missing)}.")
    return locked


def _save(accounts: Sequence[_Locked]) -> None:
    """Write back balances, holds and posting counts of locked accounts."""
    ordered = sorted(accounts, key=lambda a: a.id)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for all the entry's accounts: one round trip.
            values = ", ".join(["(%s::bigint, %s::bigint, %s::bigint, %s::bigint)"] * len(ordered))
            params = [x for a in ordered for x in (a.id, a.balance, a.held, a.new_postings)]
            cursor.execute(_UPDATE_ACCOUNTS.format(values=values), params)
            return
        for account in ordered:
            cursor.execute(
                "UPDATE ledger_ledgeraccount SET balance = %s, held = %s,"
                " posting_count = posting_count + %s WHERE id = %s",
                [account.balance, account.held, account.new_postings, account.id],
            )


def _insufficient(available: int, needed: int) -> InsufficientFunds:
    return InsufficientFunds(
        f"Saldo disponible insuficiente: la cuenta tiene {format_cents(max(available, 0))} "
        f"disponibles y la operación requiere {format_cents(needed)}."
    )


def _group_refused(code: str) -> UnknownAccount:
    return UnknownAccount(f"La cuenta {code} agrupa subcuentas; no recibe movimientos.")


def _db_datetime(value: datetime.datetime) -> object:
    """A datetime as Django's backend writes it: raw SQL otherwise stores SQLite's
    "+00:00"-suffixed text, which no ORM comparison (a keyset cursor's equality on
    ``created_at``) matches. On PostgreSQL the value is passed as it is."""
    return connection.ops.adapt_datetimefield_value(value)


def _apply(entry_id: int, lines: Sequence[Line], accounts: dict[int, _Locked], now) -> None:
    """Write the postings with running balances and update the locked accounts."""
    rows: list[object] = []
    stored_now = _db_datetime(now)
    for line in lines:
        account = accounts[line.account_id]
        if account.is_group:
            raise _group_refused(account.code)
        new_balance = account.balance + line.amount
        if not account.allow_negative and new_balance < account.held:
            raise _insufficient(account.available, -line.amount)
        account.balance = new_balance
        account.new_postings += 1
        rows.extend([entry_id, line.account_id, line.amount, new_balance, stored_now])
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(lines))
    with connection.cursor() as cursor:
        sql = f"INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, created_at) VALUES {values}"  # noqa: S608 - placeholders only
        cursor.execute(sql, rows)
    _save([accounts[i] for i in {line.account_id for line in lines}])


# ---------------------------------------------------------------- entry points


def entry_record(
    *,
    idempotency_key: str,
    kind: str,
    lines: Sequence[Line],
    description: str = "",
    metadata: dict | None = None,
    pending: bool = False,
    reverses_id: int | None = None,
    occurred_at: datetime.datetime | None = None,
) -> JournalEntry:
    """Record a balanced entry, all of it or nothing.

    ``occurred_at`` back-dates the entry (history imported from the core system or
    demo data); it may not be in the future. Running balances follow recording order.

    With ``pending=True`` the entry is two-phase: the debits of deposit accounts are
    held (available balance drops) and nothing is posted until ``entry_post`` or
    ``entry_void`` resolves it, once. Raises a :class:`LedgerError` subclass when
    refused; replaying ``idempotency_key`` returns the first result.

    On PostgreSQL a posted entry is written by one call of ``ledger_entry_record``:
    outside a transaction that statement is the whole (durable) transaction; inside a
    caller's ``atomic`` it runs in a savepoint, so a refusal undoes only this entry.
    """
    if not idempotency_key:
        raise ValueError("An idempotency key is required")
    _validate(lines)
    digest = entry_digest(kind, lines, pending, reverses_id)
    if occurred_at is not None and occurred_at > timezone.now():
        raise ValueError("occurred_at may not be in the future")
    args = (
        idempotency_key,
        kind,
        lines,
        digest,
        description,
        metadata or {},
        pending,
        reverses_id,
        occurred_at,
    )
    try:
        entry = _record(*args)
    except UnknownAccount:
        _forget_chart()
        entry = _record(*args)
    if entry is None:
        # The key was used before (or by a concurrent request that committed first):
        # answer with that first result, or refuse other content under the same key.
        entry = _replay(idempotency_key, digest)
        if entry is None:  # pragma: no cover - the conflicting row was committed
            raise IdempotencyConflict("No se pudo confirmar la operación; intenta de nuevo.")
    return entry


def _record(
    key: str,
    kind: str,
    lines: Sequence[Line],
    digest: str,
    description: str,
    metadata: dict,
    pending: bool,
    reverses_id: int | None,
    occurred_at: datetime.datetime | None,
) -> JournalEntry | None:
    """Insert and apply the entry in one transaction; None when the key already exists
    (on the database function's path, the replay is answered here already)."""
    resolved = _resolve(lines, key, _group_ids())
    now = occurred_at or timezone.now()
    status = EntryStatus.PENDING if pending else EntryStatus.POSTED
    stored_lines = [[line.account_id, line.amount] for line in resolved]
    entry = _entry_instance(
        key, digest, kind, description[:200], status, stored_lines, metadata, reverses_id, now
    )
    if _in_database(pending):
        return _record_in_database(entry)
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_ENTRY.format(json=json_cast),
                [
                    key,
                    digest,
                    kind,
                    description[:200],
                    status,
                    json.dumps(stored_lines),
                    json.dumps(metadata),
                    reverses_id,
                    _db_datetime(now),
                    None if pending else _db_datetime(now),
                ],
            )
            row = cursor.fetchone()
            if row is None:
                return None
            entry.id = row[0]
        accounts = _lock({line.account_id for line in resolved})
        if pending:
            _hold_debits(entry, resolved, accounts, now)
        else:
            _apply(entry.id, resolved, accounts, now)
    return entry


def _entry_instance(
    key: str,
    digest: str,
    kind: str,
    description: str,
    status: str,
    stored_lines: list[list[int]],
    metadata: dict,
    reverses_id: int | None,
    now: datetime.datetime,
) -> JournalEntry:
    """The entry as it is being written (its id is set once inserted), without a query."""
    entry = JournalEntry(
        idempotency_key=key,
        request_digest=digest,
        kind=kind,
        description=description,
        status=status,
        lines=stored_lines,
        metadata=metadata,
        reverses_id=reverses_id,
        created_at=now,
        resolved_at=None if status == EntryStatus.PENDING else now,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


# On PostgreSQL a posted (not pending) entry is written by one call of the function of
# migration 0006: one round trip instead of BEGIN, INSERT entry, SELECT … FOR UPDATE,
# INSERT postings, UPDATE accounts, COMMIT. Pending entries (holds) and SQLite take the
# Python path above; both paths write the same rows and raise the same errors.
USE_DATABASE_FUNCTION = True

_CALL_FUNCTION = (
    "SELECT * FROM ledger_entry_record("
    "%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s::bigint[], %s::bigint[])"
)

# SQLSTATEs raised by ledger_entry_record (see migration 0006).
_INSUFFICIENT, _UNKNOWN, _GROUP = "LDG01", "LDG02", "LDG03"


def _in_database(pending: bool) -> bool:
    return USE_DATABASE_FUNCTION and not pending and connection.vendor == "postgresql"


def _record_in_database(entry: JournalEntry) -> JournalEntry | None:
    """Write a posted entry with one call of ``ledger_entry_record``; a replay of its
    key answers with the first entry (or refuses other content) without writing."""
    params = [
        entry.idempotency_key,
        entry.request_digest,
        entry.kind,
        entry.description,
        json.dumps(entry.lines),
        json.dumps(entry.metadata),
        entry.reverses_id,
        entry.created_at,
        [account_id for account_id, _ in entry.lines],
        [amount for _, amount in entry.lines],
    ]
    # Autocommit: the statement is its own transaction (its COMMIT runs the deferred
    # balance trigger before the call returns). Inside a caller's transaction, a
    # savepoint, so that a refusal undoes only this entry.
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: fewer proxy lookups
    scope = transaction.atomic() if db.in_atomic_block else contextlib.nullcontext()
    try:
        with scope, _function_cursor(db) as cursor:
            cursor.execute(_CALL_FUNCTION, params)
            entry_id, stored_digest = cursor.fetchone()
    except DatabaseError as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from None
    if entry_id is None:  # pragma: no cover - the conflicting row was committed
        return None
    if stored_digest is not None:
        return _replayed(entry_id, stored_digest, entry.request_digest)
    entry.id = entry_id
    return entry


_EXPLICIT_ONLY = 2**31 - 1


@functools.cache
def _prepared_cursor_class() -> type:
    """Django's server-binding psycopg cursor, preparing every statement it runs
    (imported late: only PostgreSQL needs it)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the query it sent (read by Django's query log through
            # last_executed_query) only for unprepared sends; record it here too.
            self._query = pgq
            super()._send_query_prepared(name, pgq, binary=binary)

    return PreparedCursor


def _function_cursor(db: BaseDatabaseWrapper):
    """A cursor for the call of ``ledger_entry_record``.

    Django's psycopg cursors bind parameters on the client, so the server parses every
    call afresh. With ``LEDGER_PREPARED_STATEMENTS`` (the default) the call goes through
    a server-binding cursor that prepares it: parsed once per connection, then only
    executed. It is wrapped like any Django cursor, so errors, ``execute_wrapper`` hooks
    and query logging behave the same.
    """
    if not settings.LEDGER_PREPARED_STATEMENTS:
        return db.cursor()
    db.validate_thread_sharing()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's statement preparation off (prepare_threshold=None), and
        # then even prepare=True does nothing. A threshold that is never reached lets
        # only explicit requests prepare: Django's own cursors bind on the client and
        # never prepare anything.
        raw.prepare_threshold = _EXPLICIT_ONLY
    with db.wrap_database_errors:
        cursor = _prepared_cursor_class()(raw)
    return db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)


def _refusal(exc: DatabaseError) -> LedgerError | None:
    """The ledger error a refusal of ``ledger_entry_record`` stands for, if it is one."""
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    detail = getattr(getattr(cause, "diag", None), "message_detail", None)
    if state == _INSUFFICIENT:
        figures = json.loads(detail)
        return _insufficient(figures["available"], figures["needed"])
    if state == _UNKNOWN:
        return UnknownAccount(f"Cuenta contable inexistente: {sorted(json.loads(detail))}.")
    if state == _GROUP:
        return _group_refused(detail)
    return None


def _hold_debits(
    entry: JournalEntry, lines: Sequence[Line], accounts: dict[int, _Locked], now
) -> None:
    debits: dict[int, int] = defaultdict(int)
    for line in lines:
        account = accounts[line.account_id]
        if account.is_group:
            raise _group_refused(account.code)
        if line.amount < 0 and not account.allow_negative:
            debits[line.account_id] += -line.amount
    holds = []
    for account_id, amount in sorted(debits.items()):
        account = accounts[account_id]
        if account.available < amount:
            raise _insufficient(account.available, amount)
        account.held += amount
        holds.append(
            Hold(
                account_id=account_id,
                amount=amount,
                entry=entry,
                idempotency_key=f"{entry.idempotency_key}:hold:{account_id}",
                reason=entry.description or entry.kind,
                created_at=now,
            )
        )
    Hold.objects.bulk_create(holds)
    _save([accounts[i] for i in debits])


def _resolve_pending(entry_id: int, *, post: bool) -> JournalEntry:
    target = EntryStatus.POSTED if post else EntryStatus.VOIDED
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
        if entry.status == target:
            return entry  # a retried resolution answers with the first result
        if entry.status != EntryStatus.PENDING:
            raise EntryAlreadyResolved(
                f"La operación ya fue {entry.get_status_display().lower()}; no se puede cambiar."
            )
        lines = [Line(account_id, amount) for account_id, amount in entry.lines]
        accounts = _lock({line.account_id for line in lines})
        now = timezone.now()
        holds = list(entry.holds.filter(status=HoldStatus.ACTIVE))
        for hold in holds:
            accounts[hold.account_id].held -= hold.amount
            hold.status = HoldStatus.CONSUMED if post else HoldStatus.RELEASED
            hold.resolved_at = now
        Hold.objects.bulk_update(holds, ["status", "resolved_at"])
        entry.status = target
        entry.resolved_at = now
        entry.save(update_fields=["status", "resolved_at"])
        if post:
            _apply(entry.pk, lines, accounts, now)
        else:
            _save([accounts[h.account_id] for h in holds])
    return entry


def entry_post(*, entry_id: int) -> JournalEntry:
    """Post a pending entry (the outside network confirmed): holds become postings."""
    return _resolve_pending(entry_id, post=True)


def entry_void(*, entry_id: int) -> JournalEntry:
    """Void a pending entry (the outside network rejected it): its holds are released."""
    return _resolve_pending(entry_id, post=False)


def entry_reverse(*, entry_id: int, idempotency_key: str, description: str = "") -> JournalEntry:
    """Correct a posted entry with a new entry of opposite postings; never an edit."""
    original = JournalEntry.objects.get(pk=entry_id)
    if original.status != EntryStatus.POSTED:
        raise EntryAlreadyResolved("Solo se puede reversar un asiento contabilizado.")
    lines = [Line(account_id, -amount) for account_id, amount in original.lines]
    try:
        return entry_record(
            idempotency_key=idempotency_key,
            kind="reversal",
            lines=lines,
            description=description or f"Reverso del asiento #{original.pk}",
            reverses_id=original.pk,
        )
    except IntegrityError as exc:
        # The one-to-one link allows a single reversal per entry.
        raise EntryAlreadyResolved("Este asiento ya fue reversado.") from exc


def hold_place(*, account_id: int, amount: int, reason: str, idempotency_key: str) -> Hold:
    """Set money aside in a deposit account (e.g. a judicial hold placed by staff)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LedgerError("La retención debe ser un monto mayor a cero.")
    existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.account_id != account_id or existing.amount != amount:
            raise IdempotencyConflict("Esta retención ya fue registrada con otros datos.")
        return existing
    with transaction.atomic():
        account = _lock({account_id})[account_id]
        if not account.allow_negative and account.available < amount:
            raise _insufficient(account.available, amount)
        account.held += amount
        _save([account])
        return Hold.objects.create(
            account_id=account_id,
            amount=amount,
            idempotency_key=idempotency_key,
            reason=reason,
            created_at=timezone.now(),
        )


def hold_release(*, hold_id: int) -> Hold:
    """Release a standalone hold; releasing twice answers with the first result."""
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold_id)
        if hold.entry_id is not None:
            raise LedgerError("Esta retención pertenece a una operación en curso.")
        if hold.status != HoldStatus.ACTIVE:
            return hold
        account = _lock({hold.account_id})[hold.account_id]
        account.held -= hold.amount
        _save([account])
        hold.status = HoldStatus.RELEASED
        hold.resolved_at = timezone.now()
        hold.save(update_fields=["status", "resolved_at"])
    return hold
