"""Many threads, one set of books: PostgreSQL, real connections, real locks."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections

from enlinea.ledger.errors import InsufficientFunds
from enlinea.ledger.models import AccountKind, JournalEntry, LedgerAccount
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.ledger.verify import ledger_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
TRANSFERS_PER_THREAD = 300
MAX_KILLS = 60


def _run_threads(target: Callable[[int], None], n: int = THREADS) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrapper(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return errors


def _total() -> int:
    return sum(LedgerAccount.objects.values_list("balance", flat=True))


def test_random_transfers_conserve_money_without_deadlocks(open_account, chart) -> None:
    accounts = [open_account(f"M{i}", 500_000) for i in range(6)]
    ids = [a.pk for a in accounts]
    weights = [4, 4, 1, 1, 1, 1]  # the first two accounts are hot: most transfers touch them
    commission = coop_account(AccountKind.COMMISSION_INCOME).pk
    iva = coop_account(AccountKind.IVA_PAYABLE).pk
    deposits_before = sum(a.balance for a in accounts)
    refused = []
    done = []

    def work(worker: int) -> None:
        rng = random.Random(worker)
        for n in range(TRANSFERS_PER_THREAD):
            src, dst = rng.choices(ids, weights=weights, k=1)[0], None
            while dst is None or dst == src:
                dst = rng.choices(ids, weights=weights, k=1)[0]
            amount = rng.randint(1, 2_000)
            lines = [Line(src, -amount - 36), Line(dst, amount), Line(commission, 31), Line(iva, 5)]
            try:
                entry_record(idempotency_key=f"w{worker}-{n}", kind="transfer", lines=lines)
                done.append(1)
            except InsufficientFunds:
                refused.append(1)

    started = time.perf_counter()
    errors = _run_threads(work)
    elapsed = time.perf_counter() - started
    assert errors == [], errors[:3]
    assert len(done) + len(refused) == THREADS * TRANSFERS_PER_THREAD
    assert len(done) >= 2_000
    assert _total() == 0
    balances = LedgerAccount.objects.filter(pk__in=ids).values_list("balance", flat=True)
    assert min(balances) >= 0
    fees = sum(
        LedgerAccount.objects.filter(group_id__in=[commission, iva]).values_list(
            "balance", flat=True
        )
    )
    assert sum(balances) + fees == deposits_before
    assert JournalEntry.objects.filter(kind="transfer").count() == len(done)
    report = ledger_verify()
    assert report.ok, report.problems
    print(f"{len(done)} transfers, {len(refused)} refused in {elapsed:.1f} s")


def test_concurrent_replays_of_one_request_make_one_movement(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    barrier = threading.Barrier(THREADS)
    results: list[int] = []

    def work(_: int) -> None:
        barrier.wait()
        entry = entry_record(
            idempotency_key="double-click",
            kind="transfer",
            lines=[Line(a.pk, -700), Line(b.pk, 700)],
        )
        results.append(entry.pk)

    errors = _run_threads(work)
    assert errors == [], errors[:3]
    assert len(results) == THREADS
    assert len(set(results)) == 1
    a.refresh_from_db()
    assert a.balance == 9_300
    assert JournalEntry.objects.filter(idempotency_key="double-click").count() == 1
    assert ledger_verify().ok


def test_killed_connections_then_retries_apply_each_transfer_exactly_once(open_account) -> None:
    accounts = [open_account(f"F{i}", 100_000) for i in range(4)]
    ids = [a.pk for a in accounts]
    per_worker = 120
    workers = 4
    stop = threading.Event()
    kills = []
    retries = []

    def killer() -> None:
        # Kill one busy worker connection at a time, at random moments, up to MAX_KILLS.
        rng = random.Random(7)
        try:
            while not stop.is_set() and len(kills) < MAX_KILLS:
                with connection.cursor() as cur:
                    cur.execute(
                        """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid()
                              AND application_name = 'enlinea-fault' AND state <> 'idle'
                            ORDER BY random() LIMIT 1""",
                    )
                    kills.extend(1 for row in cur.fetchall() if row[0])
                time.sleep(rng.uniform(0.005, 0.03))
        finally:
            connections.close_all()

    def work(worker: int) -> None:
        rng = random.Random(100 + worker)
        plan = []
        for n in range(per_worker):
            src, dst = rng.sample(ids, 2)
            plan.append((f"fault-{worker}-{n}", src, dst, rng.randint(1, 500)))
        for key, src, dst, amount in plan:
            while True:
                try:
                    _tag_connection()
                    entry_record(
                        idempotency_key=key,
                        kind="transfer",
                        lines=[Line(src, -amount), Line(dst, amount)],
                    )
                    break
                except (OperationalError, InterfaceError, DatabaseError):
                    retries.append(1)
                    connection.close()

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    try:
        errors = _run_threads(work, workers)
    finally:
        stop.set()
        kill_thread.join()
    assert errors == [], errors[:3]
    assert kills, "the fault injector never killed a connection"
    assert retries
    assert (
        JournalEntry.objects.filter(idempotency_key__startswith="fault-").count()
        == workers * per_worker
    )
    assert _total() == 0
    report = ledger_verify()
    assert report.ok, report.problems
    print(f"{len(kills)} connections killed, {len(retries)} retries")


def _tag_connection() -> None:
    """Name this thread's connection so the fault injector kills only workers."""
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SET application_name = 'enlinea-fault'")
