"""PostgreSQL: posted entries go through ``ledger_entry_record`` (migrations 0005, 0006), in
one prepared statement, and answer exactly like the Python path: same rows, same
refusals, same Spanish messages."""

from __future__ import annotations

import datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enlinea.ledger import services
from enlinea.ledger.errors import InsufficientFunds, LedgerError
from enlinea.ledger.models import AccountKind, JournalEntry, Posting
from enlinea.ledger.services import (
    Line,
    coop_account,
    entry_post,
    entry_record,
    entry_reverse,
    hold_place,
)
from enlinea.ledger.verify import ledger_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FUNCTION = "ledger_entry_record"


def _calls(queries: CaptureQueriesContext) -> int:
    return sum(FUNCTION in q["sql"] for q in queries.captured_queries)


def test_a_posted_entry_is_one_statement_in_autocommit(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as queries:
        entry = entry_record(
            idempotency_key="one-trip",
            kind="transfer",
            lines=[Line(a.pk, -2_550), Line(b.pk, 2_550)],
        )
    assert len(queries.captured_queries) == 1, queries.captured_queries
    assert _calls(queries) == 1
    legs = {p.account_id: (p.amount, p.balance_after) for p in entry.postings.all()}
    assert legs == {a.pk: (-2_550, 7_450), b.pk: (2_550, 2_550)}
    assert JournalEntry.objects.get(pk=entry.pk).status == "posted"
    assert ledger_verify().ok


def test_inside_a_callers_transaction_a_refusal_undoes_only_that_entry(open_account) -> None:
    a = open_account("A", 1_000)
    b = open_account("B")
    with transaction.atomic(durable=True), CaptureQueriesContext(connection) as queries:
        with pytest.raises(InsufficientFunds):
            entry_record(
                idempotency_key="in-tx-1", kind="t", lines=[Line(a.pk, -1_001), Line(b.pk, 1_001)]
            )
        # The caller's transaction is still usable (the call ran in a savepoint).
        entry_record(idempotency_key="in-tx-2", kind="t", lines=[Line(a.pk, -400), Line(b.pk, 400)])
    assert _calls(queries) == 2
    assert not JournalEntry.objects.filter(idempotency_key="in-tx-1").exists()
    a.refresh_from_db()
    assert a.balance == 600
    assert ledger_verify().ok


def test_pending_entries_take_the_python_path(open_account, chart) -> None:
    a = open_account("A", 10_000)
    clearing = coop_account(AccountKind.CLEARING)
    with CaptureQueriesContext(connection) as queries:
        entry = entry_record(
            idempotency_key="spi-fn",
            kind="interbank_out",
            lines=[Line(a.pk, -4_000), Line(clearing.pk, 4_000)],
            pending=True,
        )
    assert _calls(queries) == 0
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    entry_post(entry_id=entry.pk)
    a.refresh_from_db()
    assert (a.balance, a.held) == (6_000, 0)
    assert ledger_verify().ok


def _outcome(call) -> tuple:
    """What a caller sees of one entry_record call, without ids that differ by run."""
    try:
        entry = call()
    except LedgerError as exc:
        return (type(exc).__name__, exc.message)
    postings = [
        # Member accounts by name without the run's tag; the cooperative's by group (the
        # shard, and so its running balance, depends on the key).
        (p.account.code[1:], p.amount, p.balance_after)
        if p.account.code[0] in "FP"
        else (p.account.code.split(".")[0], p.amount, None)
        for p in Posting.objects.filter(entry_id=entry.pk).select_related("account")
    ]
    return ("ok", entry.status, entry.kind, entry.description, postings)


def _story(open_account, tag: str) -> list[tuple]:
    """The same requests, from fresh accounts named with ``tag``; every outcome."""
    a = open_account(f"{tag}A", 5_000)
    b = open_account(f"{tag}B")
    c = open_account(f"{tag}C", 1_000)
    commission = coop_account(AccountKind.COMMISSION_INCOME)
    out: list[tuple] = []

    def record(key: str, lines: list[Line], **kwargs):
        return lambda: entry_record(
            idempotency_key=f"{tag}:{key}", kind="transfer", lines=lines, **kwargs
        )

    first = entry_record(
        idempotency_key=f"{tag}:t1",
        kind="transfer",
        lines=[Line(a.pk, -1_000), Line(b.pk, 1_000)],
        description="Primera",
        metadata={"canal": "web"},
    )
    replay = entry_record(
        idempotency_key=f"{tag}:t1", kind="transfer", lines=[Line(a.pk, -1_000), Line(b.pk, 1_000)]
    )
    out.append(("replay returns the first entry", replay.pk == first.pk, replay.description))
    out.append(_outcome(record("t1", [Line(a.pk, -1_001), Line(b.pk, 1_001)])))
    out.append(_outcome(record("over", [Line(a.pk, -4_001), Line(b.pk, 4_001)])))
    hold_place(account_id=a.pk, amount=3_000, reason="Retención", idempotency_key=f"{tag}:h")
    out.append(_outcome(record("held", [Line(a.pk, -1_001), Line(b.pk, 1_001)])))
    out.append(_outcome(record("held-ok", [Line(a.pk, -1_000), Line(b.pk, 1_000)])))
    # One account twice: lines apply in request order, as running balances show.
    out.append(
        _outcome(record("twice-bad", [Line(c.pk, -1_500), Line(c.pk, 1_000), Line(b.pk, 500)]))
    )
    out.append(
        _outcome(record("twice-ok", [Line(c.pk, 1_000), Line(c.pk, -1_500), Line(b.pk, 500)]))
    )
    out.append(_outcome(record("unknown", [Line(c.pk, -10), Line(987_654_321, 10)])))
    # A stale chart cache posts to a group itself: refused, forgotten, retried on a shard;
    # the first offending line in request order decides which refusal comes first.
    services._groups = set()
    out.append(
        _outcome(record("over-then-group", [Line(c.pk, -9_000), Line(commission.pk, 9_000)]))
    )
    services._groups = set()
    out.append(
        _outcome(record("group-then-over", [Line(commission.pk, 9_000), Line(c.pk, -9_000)]))
    )
    services._groups = set()
    out.append(_outcome(record("stale", [Line(c.pk, -31), Line(commission.pk, 31)])))
    services._forget_chart()
    when = timezone.now() - datetime.timedelta(days=3)
    back = entry_record(
        idempotency_key=f"{tag}:back",
        kind="transfer",
        lines=[Line(b.pk, -100), Line(c.pk, 100)],
        occurred_at=when,
    )
    back = JournalEntry.objects.get(pk=back.pk)
    out.append(("occurred_at", back.created_at == when, back.resolved_at == when))
    reversal = entry_reverse(entry_id=first.pk, idempotency_key=f"{tag}:rev")
    out.append(("reversal", reversal.reverses_id == first.pk))
    out.append(_outcome(lambda: entry_reverse(entry_id=first.pk, idempotency_key=f"{tag}:rev2")))
    stored = JournalEntry.objects.get(pk=first.pk)
    out.append(("stored", stored.metadata, stored.lines == [[a.pk, -1_000], [b.pk, 1_000]]))
    for account in (a, b, c):
        account.refresh_from_db()
        out.append((account.code[1:], account.balance, account.held, account.posting_count))
    return out


def test_function_and_python_paths_answer_the_same(open_account, chart, monkeypatch) -> None:
    with CaptureQueriesContext(connection) as queries:
        through_function = _story(open_account, "F")
    assert _calls(queries) >= 10
    monkeypatch.setattr(services, "USE_DATABASE_FUNCTION", False)
    with CaptureQueriesContext(connection) as queries:
        through_python = _story(open_account, "P")
    assert _calls(queries) == 0
    assert through_function == through_python
    # And they are the answers the ledger promises, not just the same ones.
    story = dict(enumerate(through_function))
    assert story[0] == ("replay returns the first entry", True, "Primera")
    assert story[1] == (
        "IdempotencyConflict",
        "Esta operación ya fue registrada con otros datos; no se aplicó de nuevo.",
    )
    assert story[2] == (
        "InsufficientFunds",
        "Saldo disponible insuficiente: la cuenta tiene $ 40.00 disponibles"
        " y la operación requiere $ 40.01.",
    )
    assert story[3] == (
        "InsufficientFunds",
        "Saldo disponible insuficiente: la cuenta tiene $ 10.00 disponibles"
        " y la operación requiere $ 10.01.",
    )
    assert story[4][0] == "ok"
    assert story[5] == (
        "InsufficientFunds",
        "Saldo disponible insuficiente: la cuenta tiene $ 10.00 disponibles"
        " y la operación requiere $ 15.00.",
    )
    assert story[6] == (
        "ok",
        "posted",
        "transfer",
        "",
        [("C", 1_000, 2_000), ("C", -1_500, 500), ("B", 500, 2_500)],
    )
    assert story[7] == ("UnknownAccount", "Cuenta contable inexistente: [987654321].")
    over = (
        "InsufficientFunds",
        "Saldo disponible insuficiente: la cuenta tiene $ 5.00 disponibles"
        " y la operación requiere $ 90.00.",
    )
    assert story[8] == story[9] == over
    assert story[10] == ("ok", "posted", "transfer", "", [("C", -31, 469), ("5401", 31, None)])
    assert story[11] == ("occurred_at", True, True)
    assert story[12] == ("reversal", True)
    assert story[13] == ("EntryAlreadyResolved", "Este asiento ya fue reversado.")
    assert story[14] == ("stored", {"canal": "web"}, True)
    assert through_function[15:] == [("A", 4_000, 3_000, 4), ("B", 1_400, 0, 5), ("C", 569, 0, 5)]
    report = ledger_verify()
    assert report.ok, report.problems


def test_the_deferred_balance_trigger_still_guards_the_function(open_account) -> None:
    """Called around the service with unbalanced lines, the function writes them and
    COMMIT (the end of the statement, in autocommit) refuses the whole entry."""
    a = open_account("A", 1_000)
    b = open_account("B")
    with pytest.raises(IntegrityError, match="unbalanced"), connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM ledger_entry_record("
            "'raw', 'x', 'raw', '', %s::jsonb, '{}', NULL, now(), %s::bigint[], %s::bigint[])",
            [f"[[{a.pk}, -500], [{b.pk}, 400]]", [a.pk, b.pk], [-500, 400]],
        )
    assert not JournalEntry.objects.filter(idempotency_key="raw").exists()
    a.refresh_from_db()
    assert a.balance == 1_000
    assert ledger_verify().ok


def _prepared_calls() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql = false")
        return [row[0] for row in cursor.fetchall() if FUNCTION in row[0]]


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "client-bound"])
def test_the_call_is_prepared_once_per_connection_unless_turned_off(
    open_account, settings, prepared
) -> None:
    """LEDGER_PREPARED_STATEMENTS: the server parses the call once per connection and
    then only executes it; turned off (for a pooler that does not keep prepared
    statements), every call is plain SQL. The books are the same either way."""
    settings.LEDGER_PREPARED_STATEMENTS = prepared
    connection.close()  # a fresh session: no statement prepared yet
    a = open_account("A", 10_000)
    b = open_account("B")
    for n in range(3):
        with CaptureQueriesContext(connection) as queries:
            entry_record(
                idempotency_key=f"prep-{n}", kind="t", lines=[Line(a.pk, -100), Line(b.pk, 100)]
            )
        assert _calls(queries) == 1  # logged and hooked like any Django query
    assert len(_prepared_calls()) == (1 if prepared else 0)
    with pytest.raises(InsufficientFunds, match=r"tiene \$ 97\.00 disponibles"):
        entry_record(
            idempotency_key="prep-x", kind="t", lines=[Line(a.pk, -9_701), Line(b.pk, 9_701)]
        )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (9_700, 300)
    assert ledger_verify().ok


def test_the_function_runs_on_generic_plans() -> None:
    """Planning every call afresh was a third of the backend's CPU (docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [FUNCTION])
        assert cursor.fetchall() == [(["plan_cache_mode=force_generic_plan"],)]


def test_the_function_refuses_lines_that_do_not_match(open_account) -> None:
    """Account ids and amounts come as two arrays; a call around the service with
    arrays of different lengths, or of one line, writes nothing."""
    a = open_account("A", 1_000)
    b = open_account("B")
    call = (
        "SELECT * FROM ledger_entry_record("
        "%s, 'x', 'raw', '', '[]'::jsonb, '{}', NULL, now(), %s::bigint[], %s::bigint[])"
    )
    for key, ids, amounts in (
        ("short", [a.pk, b.pk], [-500]),
        ("single", [a.pk], [0]),
    ):
        with pytest.raises(DataError, match="matching arrays"), connection.cursor() as cursor:
            cursor.execute(call, [key, ids, amounts])
    assert not JournalEntry.objects.filter(idempotency_key__in=["short", "single"]).exists()
    assert ledger_verify().ok
