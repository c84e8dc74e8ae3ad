"""Transfers through ``ledger.services.entry_record`` by concurrent workers.

The parent process never imports Django: setup, workers, verification and the profile
each run in a spawned process whose DATABASE_URL names the scratch database (settings
read it at import). The workers, each with its own connection, run as threads spread
over a few processes (``Plan.processes``), as pgbench spreads its clients over its
threads: one process per worker would add as many runnable processes as workers, and
their context switches would cost as much as the work; a single process would let the
GIL cap the figure.
"""

from __future__ import annotations

import cProfile
import io
import math
import multiprocessing
import os
import pstats
import random
import resource
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.pg import SCRATCH_PREFIX, Server, scratch_database

ACCOUNT_PREFIX = "BENCH"
FUND_CENTS = 1_000_000  # $ 10,000.00 per account: random transfers never drain one
CREDITS_PER_FUNDING_ENTRY = 1_000
COMMISSION_CENTS = 31
IVA_CENTS = 5
MODES = ("uniform", "hot")

_spawn = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Plan:
    accounts: int
    workers: int
    warmup: float
    seconds: float
    profile_seconds: float = 0.0
    # Worker processes; the workers are spread over them as threads (like pgbench's
    # -c clients over -j threads). 0 means one process per worker.
    processes: int = 0

    def layout(self) -> list[list[int]]:
        """Worker numbers per process."""
        count = min(self.processes or self.workers, self.workers)
        return [list(range(p, self.workers, count)) for p in range(count)]


# ---------------------------------------------------------------- child processes


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "enlinea.settings"
    # Production-like: DEBUG would also log every query in connection.queries.
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def _setup(url: str, accounts: int) -> dict[str, float]:
    """Migrate the scratch database, open the member accounts and fund them through
    the ledger service (large entries: one cash debit, up to 1,000 credits)."""
    _django(url)
    from django.core.management import call_command

    from enlinea.ledger.models import AccountKind, LedgerAccount, NormalSide
    from enlinea.ledger.services import Line, coop_account, entry_record

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    cash = coop_account(AccountKind.CASH)
    LedgerAccount.objects.bulk_create(
        (
            LedgerAccount(
                code=f"{ACCOUNT_PREFIX}{i:06d}",
                name=f"Socio de prueba {i}",
                kind=AccountKind.MEMBER_DEPOSIT,
                normal_side=NormalSide.CREDIT,
                allow_negative=False,
            )
            for i in range(accounts)
        ),
        batch_size=2_000,
    )
    created = time.perf_counter()
    ids = _member_ids()
    for n, start in enumerate(range(0, len(ids), CREDITS_PER_FUNDING_ENTRY)):
        chunk = ids[start : start + CREDITS_PER_FUNDING_ENTRY]
        entry_record(
            idempotency_key=f"bench:fund:{n}",
            kind="bench_funding",
            lines=[Line(cash.id, -FUND_CENTS * len(chunk))]
            + [Line(account_id, FUND_CENTS) for account_id in chunk],
        )
    funded = time.perf_counter()
    # Measured runs start from a settled database, not in autovacuum's first pass.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "migrate_s": migrated - started,
        "accounts_s": created - migrated,
        "funding_s": funded - created,
        "funding_entries": -(-len(ids) // CREDITS_PER_FUNDING_ENTRY),
    }


def _member_ids() -> list[int]:
    from enlinea.ledger.models import LedgerAccount

    return list(
        LedgerAccount.objects.filter(code__startswith=ACCOUNT_PREFIX)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _transfer_maker(mode: str, worker: int) -> Callable[[int], bool]:
    """A function doing transfer number ``i`` of this worker in ``mode``."""
    from enlinea.ledger.errors import InsufficientFunds
    from enlinea.ledger.models import AccountKind
    from enlinea.ledger.services import Line, coop_account, entry_record

    ids = _member_ids()
    commission = coop_account(AccountKind.COMMISSION_INCOME).id
    iva = coop_account(AccountKind.IVA_PAYABLE).id
    rng = random.Random(f"{mode}:{worker}")

    def transfer(i: int) -> bool:
        source, destination = rng.sample(ids, 2)
        amount = rng.randint(100, 5_000)
        if mode == "hot":
            lines = [
                Line(source, -(amount + COMMISSION_CENTS + IVA_CENTS)),
                Line(destination, amount),
                Line(commission, COMMISSION_CENTS),
                Line(iva, IVA_CENTS),
            ]
        else:
            lines = [Line(source, -amount), Line(destination, amount)]
        try:
            entry_record(
                idempotency_key=f"bench:{mode}:{worker}:{i}", kind="bench_transfer", lines=lines
            )
        except InsufficientFunds:
            return False
        return True

    return transfer


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_now(backend: int) -> tuple[float, ...]:
    """CPU seconds so far: this thread (user, kernel), then its PostgreSQL backend
    (user, kernel) when the server is local and /proc shows it, else NaN."""
    mine = resource.getrusage(resource.RUSAGE_THREAD)
    try:
        with open(f"/proc/{backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        theirs = (int(fields[11]) / tick, int(fields[12]) / tick)
    except OSError:
        theirs = (math.nan, math.nan)
    return (mine.ru_utime, mine.ru_stime, *theirs)


def _cpu_text(cpu: Sequence[float], transfers: int) -> str:
    """CPU milliseconds per transfer, split by process and user/kernel."""
    ms = [c * 1000 / transfers for c in cpu]
    text = f"worker {ms[0] + ms[1]:.3f} ms (user {ms[0]:.3f} + kernel {ms[1]:.3f})"
    if not math.isnan(ms[2]):
        text += f", its PostgreSQL backend {ms[2] + ms[3]:.3f} ms (user {ms[2]:.3f} + kernel {ms[3]:.3f})"
    return text


def _worker(
    url: str, mode: str, workers: list[int], plan: Plan, barrier: Any, results: Any
) -> None:
    """One worker process running ``workers`` as threads, each with its own database
    connection: set up, wait for the others, warm up, then count transfers for
    ``plan.seconds``. Always answers on ``results`` once per worker, with an error if
    it failed."""
    try:
        _django(url)
    except BaseException as exc:
        barrier.abort()
        for w in workers:
            results.put({"worker": w, "error": repr(exc)})
        raise
    ready = threading.Barrier(len(workers) + 1)
    go = threading.Event()

    def run(w: int) -> None:
        from django.db import connection

        try:
            transfer = _transfer_maker(mode, w)
            backend = _backend_pid()
            ready.wait()
            go.wait()
            results.put({"worker": w, **_measure(transfer, backend, plan)})
        except BaseException as exc:
            ready.abort()
            results.put({"worker": w, "error": repr(exc)})
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    try:
        ready.wait()
        barrier.wait()
    except BaseException:
        barrier.abort()
        ready.abort()
    go.set()
    for t in threads:
        t.join()


def _measure(transfer: Callable[[int], bool], backend: int, plan: Plan) -> dict[str, Any]:
    i = 0
    clock = time.perf_counter
    warm_end = clock() + plan.warmup
    while clock() < warm_end:
        transfer(i)
        i += 1
    end = warm_end + plan.seconds
    done = refused = 0
    latencies: list[float] = []
    cpu = _cpu_now(backend)
    started = clock()
    while (now := clock()) < end:
        if transfer(i):
            done += 1
        else:
            refused += 1
        latencies.append(clock() - now)
        i += 1
    elapsed = clock() - started
    return {
        "done": done,
        "refused": refused,
        "elapsed": elapsed,
        "latencies": latencies,
        "cpu": tuple(b - a for a, b in zip(cpu, _cpu_now(backend), strict=True)),
    }


def _verify(url: str) -> bool:
    _django(url)
    from django.core.management import CommandError, call_command

    try:
        call_command("verify_ledger")
    except CommandError as exc:
        print(f"  verify_ledger: {exc}", flush=True)
        return False
    return True


def _profile(url: str, seconds: float) -> str:
    """One worker alone in each mode: first timed by query (no profiler), then under
    cProfile. Returns the report as text."""
    _django(url)
    from django.db import connection

    out = io.StringIO()
    for mode in MODES:
        transfer = _transfer_maker(mode, worker=99)
        for i in range(50):  # warm caches and the connection
            transfer(10_000_000 + i)
        spent: Counter[str] = Counter()
        calls: Counter[str] = Counter()

        def timed(execute, sql, params, many, context, spent=spent, calls=calls):
            words = sql.split()
            what = (
                " ".join(words[:3])
                if words[0] != "SELECT"
                else "SELECT " + (words[words.index("FROM") + 1] if "FROM" in words else words[1])
            )
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[what] += time.perf_counter() - t
                calls[what] += 1

        original_commit = connection._commit

        def commit(original_commit=original_commit, spent=spent, calls=calls):
            t = time.perf_counter()
            try:
                return original_commit()
            finally:
                spent["COMMIT"] += time.perf_counter() - t
                calls["COMMIT"] += 1

        connection._commit = commit
        backend = _backend_pid()
        cpu, ticks = _cpu_now(backend), _cpu_ticks()
        n = 0
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            end = started + seconds
            while time.perf_counter() < end:
                transfer(20_000_000 + n)
                n += 1
            wall = time.perf_counter() - started
        cpu = tuple(b - a for a, b in zip(cpu, _cpu_now(backend), strict=True))
        busy, _, total = (b - a for a, b in zip(ticks, _cpu_ticks(), strict=True))
        del connection._commit
        db = sum(spent.values())
        per = 1000 / n
        print(
            f"[{mode}] one worker, no profiler: {n / wall:.1f} transfers/s, "
            f"{wall * per:.3f} ms per transfer = {db * per:.3f} ms inside execute() and"
            f" commit() (driver CPU, network, server; {sum(calls.values()) / n:.1f} statements"
            " incl. COMMIT; in a transaction psycopg also sends a BEGIN before the first;"
            " a call of ledger_entry_record in autocommit is all of it)"
            f" + {(wall - db) * per:.3f} ms outside them (service and Django Python)",
            file=out,
        )
        print(f"    CPU per transfer: {_cpu_text(cpu, n)}", file=out)
        if not math.isnan(cpu[2]):
            idle = wall - sum(cpu)
            others = busy / max(total, 1) - sum(cpu) * os.sysconf("SC_CLK_TCK") / max(total, 1)
            print(
                f"    on neither CPU (network, WAL flush, scheduling): {idle * per:.3f} ms;"
                f" other processes used {max(others, 0):.0%} of the machine meanwhile",
                file=out,
            )
        for what, t in spent.most_common():
            print(
                f"    {calls[what] / n:4.1f} x {what:<40} {t * per:7.3f} ms/transfer",
                file=out,
            )
        profiler = cProfile.Profile()
        m = 0
        profiler.enable()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            transfer(30_000_000 + m)
            m += 1
        profiler.disable()
        stats = pstats.Stats(profiler, stream=out)
        print(f"[{mode}] under cProfile ({m} transfers), top functions by own time:", file=out)
        stats.sort_stats("tottime").print_stats(14)
        print(f"[{mode}] by cumulative time:", file=out)
        stats.sort_stats("cumulative").print_stats(22)
    return out.getvalue()


# ---------------------------------------------------------------- parent side


@dataclass
class _Sampler:
    """Polls pg_stat_activity for the workers' backends: where each one is, in time."""

    url: str
    database: str
    states: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self, delay: float) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            if self._stop.wait(delay):
                return
            while not self._stop.wait(0.02):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend'"
                    " AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchall()
                for state, wait_type, wait_event in rows:
                    self.states[_classify(state, wait_type, wait_event)] += 1

    def stop(self) -> None:
        self._stop.set()


def _classify(state: str | None, wait_type: str | None, wait_event: str | None) -> str:
    if state == "idle":
        return "client: between transactions (Python, or waiting for a CPU)"
    if state == "idle in transaction":
        return "client: inside a transaction (Python between statements)"
    if state == "active":
        if wait_type is None:
            return "server: running (CPU)"
        if wait_type == "Lock":
            return f"server: row/tuple lock wait ({wait_event})"
        return f"server: {wait_type} wait ({wait_event})"
    return f"other: {state}"


def _cpu_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) jiffies of all CPUs; steal is time a hypervisor took away."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    idle, steal = values[3] + values[4], values[7]
    return sum(values) - idle - steal, steal, sum(values)


def _analyze(url: str) -> None:
    """ANALYZE the ledger's tables halfway through the warm-up.

    The setup leaves ten entries, analyzed. Every backend caches the plans of the
    foreign-key checks and of the balance trigger's lookups on first use; planned
    against ten entries they scan ``ledger_journalentry`` sequentially, and keep doing
    so for the whole run while the table grows by thousands of rows (until autovacuum
    happens to analyze it): the uniform run, first, paid up to ~1 ms of backend CPU
    per transfer for it. A production ledger is large and analyzed; ANALYZE also
    invalidates those cached plans in every backend.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE ledger_journalentry, ledger_posting, ledger_ledgeraccount")


def _run_mode(url: str, database: str, mode: str, plan: Plan) -> dict[str, float]:
    layout = plan.layout()
    barrier = _spawn.Barrier(len(layout) + 1, timeout=300)
    results = _spawn.Queue()
    processes = [
        _spawn.Process(target=_worker, args=(url, mode, workers, plan, barrier, results))
        for workers in layout
    ]
    for p in processes:
        p.start()
    sampler = _Sampler(url, database)
    try:
        barrier.wait()
        thread = threading.Thread(target=sampler.run, args=(plan.warmup,), daemon=True)
        thread.start()
        time.sleep(plan.warmup / 2)
        _analyze(url)
        time.sleep(plan.warmup / 2)
        ticks0 = _cpu_ticks()
        time.sleep(plan.seconds)
        ticks1 = _cpu_ticks()
        sampler.stop()
        reports = [results.get(timeout=plan.seconds + 120) for _ in range(plan.workers)]
    finally:
        sampler.stop()
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    errors = [r for r in reports if "error" in r]
    if errors:
        raise RuntimeError(f"{mode} workers failed: {errors}")
    done = sum(r["done"] for r in reports)
    refused = sum(r["refused"] for r in reports)
    elapsed = statistics.mean(r["elapsed"] for r in reports)
    rate = done / elapsed
    latencies = sorted(x for r in reports for x in r["latencies"])
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"  {mode}: {rate:.1f} transfers/s ({done:,} in {elapsed:.1f} s by {plan.workers}"
        f" workers, {refused} refused for funds), latency p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    busy, steal, total = (b - a for a, b in zip(ticks0, ticks1, strict=True))
    cpu = [sum(column) for column in zip(*(r["cpu"] for r in reports), strict=True)]
    # Jiffies are per CPU, so total covers every core; what the workers and their
    # backends did not use went to other processes (a test run, autovacuum...).
    ours = sum(c for c in cpu if not math.isnan(c)) * os.sysconf("SC_CLK_TCK") / max(total, 1)
    print(
        f"    machine CPU busy {busy / max(total, 1):.0%} (bench workers + backends {ours:.0%},"
        f" anything else {max(busy / max(total, 1) - ours, 0):.0%}), steal {steal / max(total, 1):.0%}"
    )
    print(f"    CPU per transfer: {_cpu_text(cpu, done)}")
    total = sum(sampler.states.values()) or 1
    print("    where the workers' backends were (pg_stat_activity samples):")
    for state, n in sampler.states.most_common(8):
        print(f"      {n / total:6.1%}  {state}")
    return {f"ledger_{mode}_tps": rate}


def bench_transfers(server: Server, plan: Plan) -> dict[str, float]:
    """Figures (b) uniform and (c) hot transfers, then verify_ledger, on a scratch DB."""
    database = f"{SCRATCH_PREFIX}ledger"
    figures: dict[str, float] = {}
    with scratch_database(server, database) as url, _spawn.Pool(1) as pool:
        print(f"  setup: migrate, {plan.accounts:,} accounts, funding entries", flush=True)
        setup = pool.apply(_setup, (url, plan.accounts))
        print(
            f"  setup: migrate {setup['migrate_s']:.1f} s, accounts {setup['accounts_s']:.1f} s,"
            f" funding {setup['funding_entries']:.0f} entries {setup['funding_s']:.1f} s"
        )
        for mode in MODES:
            print(
                f"  {mode}: {plan.workers} workers in {len(plan.layout())} processes,"
                f" warm-up {plan.warmup:g} s,"
                f" measured {plan.seconds:g} s",
                flush=True,
            )
            figures.update(_run_mode(url, database, mode, plan))
        if plan.profile_seconds:
            print(f"  profile: one worker, {plan.profile_seconds:g} s per mode and pass")
            print(pool.apply(_profile, (url, plan.profile_seconds)), flush=True)
        print("  verify_ledger:", flush=True)
        if not pool.apply(_verify, (url,)):
            raise RuntimeError("verify_ledger found broken invariants")
    return figures
