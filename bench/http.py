"""Transfers confirmed over HTTP: the request that checks the security code and executes.

Each worker thread is one member with two funded accounts and a logged-in session; the
workers are spread over server processes as threads (``--processes``, as the ledger
figure's workers are, and as a production server runs several processes of several threads). Before
the clock starts it prepares its operations through the real pages ("Transferencias
propias" form, then "Confirmar transferencia", which sends a code); the measured part is
the member's "Validar" — ``POST /operaciones/<token>/codigo/`` — for every prepared
operation: the full Django stack (middleware, session, CSRF, the view), the code's
verification (in its own transaction, as a real try), then the transfer in the
transaction that spends the code (locks, cupo, ledger entry, receipt, notices to the
outbox). The figure is transfers per second over all workers, wall clock, beside the
ledger service's own uniform figure from the same run.

Two things differ from production, on purpose, and only in this process: codes are a
fixed six digits (the bench cannot read its own e-mail), and the rate limits are off
(a member confirming hundreds of transfers a minute would be stopped, rightly). The
requests go through ``django.test.Client`` (the WSGI handler in-process), so no socket
or HTTP server is counted.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from typing import Any

from bench.ledger import Plan
from bench.pg import SCRATCH_PREFIX, Server, scratch_database

BENCH_CODE = "424242"
_spawn = multiprocessing.get_context("spawn")


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "enlinea.settings"
    os.environ["DEBUG"] = "false"
    os.environ["RATELIMIT_ENABLE"] = "false"
    # Notices are queued for the worker as in production (Redis), in a database of the
    # bench's own that is emptied afterwards; no worker runs, so nothing is delivered.
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    import django

    django.setup()
    from enlinea.security import codes

    codes._new_code = lambda: BENCH_CODE  # the bench cannot read its own e-mail


def _cast(url: str, workers: int) -> list[tuple[str, str, str]]:
    """One enrolled member per worker with two funded accounts: (username, source, target)."""
    _django(url)
    from django.core.management import call_command
    from django.db import connections

    from enlinea.access.tests.profile_support import enrolled_member
    from enlinea.ledger.services import chart_ensure
    from enlinea.products.models import AccountKind
    from enlinea.products.services import account_open, cash_deposit

    call_command("migrate", verbosity=0, interactive=False)
    chart_ensure()
    cast = []
    for n in range(workers):
        member = enrolled_member(f"bench{n:04d}")
        source = account_open(member=member, idempotency_key=f"bench-http-src-{n}")
        cash_deposit(account=source, amount=100_000_000, idempotency_key=f"bench-http-fund-{n}")
        target = account_open(
            member=member, idempotency_key=f"bench-http-dst-{n}", kind=AccountKind.CHECKING
        )
        cast.append((member.user.username, source.number, target.number))
    connections.close_all()
    return cast


def _process(
    url: str,
    cast: list[tuple[str, str, str]],
    per_worker: int,
    ready: Any,
    done: Any,
    results: Any,
) -> None:
    """One server process: its members' threads prepare, then confirm on the common start."""
    _django(url)
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    form_url = reverse("transfers:own")
    prepared = threading.Barrier(len(cast) + 1)
    finished = threading.Barrier(len(cast) + 1)
    outcome: list[dict[str, Any]] = []

    def worker(username: str, source: str, target: str) -> None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username=username))
        codes_urls = []
        latencies: list[float] = []
        failures = 0
        try:
            for _ in range(per_worker):
                started = client.post(
                    form_url,
                    {"source": source, "destination": target, "amount": "1.00"},
                    secure=True,
                )
                # Confirmar transferencia: the code goes out.
                sent = client.post(started["Location"], secure=True)
                codes_urls.append(sent["Location"])
            prepared.wait()
            for url_ in codes_urls:
                t0 = time.perf_counter()
                response = client.post(url_, {"code": BENCH_CODE}, secure=True)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 302 or "resultado" not in response["Location"]:
                    failures += 1
        finally:
            outcome.append({"latencies": latencies, "failures": failures})
            connections.close_all()
            finished.wait()

    threads = [threading.Thread(target=worker, args=row, daemon=True) for row in cast]
    for thread in threads:
        thread.start()
    prepared.wait()
    ready.wait()  # every process prepared: the clock starts
    finished.wait()
    done.wait()
    results.put(outcome)


def _verify(url: str) -> bool:
    _django(url)
    from huey.contrib.djhuey import HUEY

    from enlinea.ledger.verify import ledger_verify

    HUEY.flush()
    return ledger_verify().ok


def _run(url: str, layout: list[list[int]], per_worker: int) -> dict[str, Any]:
    workers = sum(len(numbers) for numbers in layout)
    with _spawn.Pool(1) as pool:
        cast = pool.apply(_cast, (url, workers))
    ready = _spawn.Barrier(len(layout) + 1)
    done = _spawn.Barrier(len(layout) + 1)
    results = _spawn.Queue()
    processes = [
        _spawn.Process(
            target=_process,
            args=(url, [cast[n] for n in numbers], per_worker, ready, done, results),
            daemon=True,
        )
        for numbers in layout
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    done.wait()
    wall = time.perf_counter() - started
    outcome = [row for _ in processes for row in results.get()]
    for process in processes:
        process.join()
    with _spawn.Pool(1) as pool:
        ledger_ok = pool.apply(_verify, (url,))
    latencies = sorted(x for o in outcome for x in o["latencies"])
    failures = sum(o["failures"] for o in outcome) + per_worker * workers - len(latencies)
    return {
        "confirmed": len(latencies) - sum(o["failures"] for o in outcome),
        "failures": failures,
        "wall": wall,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0.0,
        "ledger_ok": ledger_ok,
    }


def bench_http_transfers(server: Server, plan: Plan, *, per_worker: int) -> dict[str, float]:
    """Confirmed transfers per second over HTTP, on a scratch database of its own."""
    workers = max(1, min(plan.workers, 8))
    layout = Plan(
        accounts=plan.accounts,
        workers=workers,
        warmup=0,
        seconds=0,
        processes=plan.processes,
    ).layout()
    with scratch_database(server, f"{SCRATCH_PREFIX}http") as url:
        print(
            f"  {workers} members as threads of {len(layout)} server processes,"
            f" {per_worker} transfers each prepared, then confirmed with their code",
            flush=True,
        )
        report = _run(url, layout, per_worker)
    if report["failures"]:
        raise RuntimeError(f"{report['failures']} confirmations did not reach their receipt")
    if not report["ledger_ok"]:
        raise RuntimeError("verify_ledger found broken invariants after the HTTP transfers")
    rate = report["confirmed"] / report["wall"]
    print(
        f"  {report['confirmed']:,} confirmed in {report['wall']:.1f} s: {rate:.1f} transfers/s,"
        f" latency p50 {report['p50_ms']:.1f} ms, p95 {report['p95_ms']:.1f} ms;"
        " verify_ledger clean",
        flush=True,
    )
    return {"http_confirmed_tps": rate}
