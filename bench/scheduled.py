"""The scheduled-payment job over many schedules, each with a new bill.

On a scratch database of its own: ``members`` members with a funded account share
``schedules`` schedules ("Siempre que se encuentre disponible", Fecha indefinida, Monto
máximo $ 100.00) of one biller, each for its own reference; the biller simulator then
publishes this period's bill for every reference (between $ 5.00 and $ 80.00). The
measured part is one run of the periodic job in its ``shards`` shards side by side
(``payments.schedules.schedules_run(shard=(k, n))``, one process each, as worker
processes run the shard tasks ``payment_schedules_run`` queues): for each schedule the
bill inquiry, the debit with its receipt and notice under the schedule's row lock, and
after COMMIT the biller's authorization and confirmation. The figure is payments per second, wall clock, beside the ledger service's
uniform figure from the same run. Afterwards (not timed) every bill must be paid exactly
once, a second run must pay nothing, and ``verify_ledger`` must be clean.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from bench.pg import SCRATCH_PREFIX, Server, scratch_database

_spawn = multiprocessing.get_context("spawn")


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "enlinea.settings"
    os.environ["DEBUG"] = "false"
    # Notices are queued for the worker as in production (Redis), in a database of the
    # bench's own that is emptied afterwards; no worker runs, so nothing is delivered.
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    import django

    django.setup()


def _cast(url: str, schedules: int, members: int) -> str:
    """The schedules and this period's bills; returns the moment the job runs at."""
    _django(url)
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from enlinea.access.tests.profile_support import enrolled_member
    from enlinea.ledger.services import chart_ensure
    from enlinea.payments.models import Biller, PaymentSchedule, ReferenceKind
    from enlinea.payments.references import reference_clean
    from enlinea.payments.schedules import TERMS_VERSION
    from enlinea.payments.simulator import simulator_bill_publish
    from enlinea.products.services import account_open, cash_deposit

    call_command("migrate", verbosity=0, interactive=False)
    chart_ensure()
    biller = Biller.objects.filter(reference_kind=ReferenceKind.CUEN, active=True).first()
    if biller is None:
        raise RuntimeError("the catalogue has no biller asking for a CUEN")
    now = timezone.now()
    today = timezone.localdate(now)
    cast = []
    for n in range(members):
        member = enrolled_member(f"sched{n:04d}")
        account = account_open(member=member, idempotency_key=f"bench-sched-acct-{n}")
        cash_deposit(account=account, amount=100_000_000, idempotency_key=f"bench-sched-{n}")
        cast.append((member, account))
    rows = []
    for n in range(schedules):
        member, account = cast[n % members]
        # Ten digits ending in 5: never one of the simulator's special endings (001 to 004).
        reference = reference_clean(biller, f"1{n:08d}5")
        rows.append(
            PaymentSchedule(
                member=member,
                source=account,
                biller=biller,
                reference=reference,
                max_amount=10_000,
                start_date=today,
                end_date=None,
                terms_version=TERMS_VERSION,
                terms_accepted_at=now,
            )
        )
    PaymentSchedule.objects.bulk_create(rows, batch_size=1_000)
    for row in rows:
        simulator_bill_publish(biller_code=biller.code, reference=row.reference, now=now)
    connections.close_all()
    return now.isoformat()


def _shard(url: str, now: str, number: int, shards: int, ready: Any, results: Any) -> None:
    """One shard of the job, as one worker runs it, started with the others."""
    _django(url)
    import datetime as dt

    from django.db import connections

    from enlinea.payments.network import biller_network
    from enlinea.payments.schedules import schedules_run

    network = biller_network()
    ready.wait()
    report = schedules_run(
        now=dt.datetime.fromisoformat(now), network=network, shard=(number, shards)
    )
    connections.close_all()
    results.put(report)


def _check(url: str, now: str) -> dict[str, Any]:
    """A second run pays nothing, every bill paid once, the books balanced."""
    _django(url)
    import datetime as dt

    from huey.contrib.djhuey import HUEY

    from enlinea.ledger.verify import ledger_verify
    from enlinea.payments.models import BillPayment, BillPaymentStatus
    from enlinea.payments.schedules import schedules_run

    again = schedules_run(now=dt.datetime.fromisoformat(now))
    confirmed = BillPayment.objects.filter(status=BillPaymentStatus.CONFIRMED).count()
    once = (
        BillPayment.objects.values("biller_id", "reference", "bill_id").distinct().count()
        == BillPayment.objects.count()
    )
    HUEY.flush()
    return {"again": again, "confirmed": confirmed, "once": once, "ledger_ok": ledger_verify().ok}


def _run(url: str, schedules: int, members: int, shards: int) -> dict[str, Any]:
    with _spawn.Pool(1) as pool:
        now = pool.apply(_cast, (url, schedules, members))
    ready = _spawn.Barrier(shards + 1)
    results = _spawn.Queue()
    processes = [
        _spawn.Process(target=_shard, args=(url, now, k, shards, ready, results), daemon=True)
        for k in range(shards)
    ]
    for process in processes:
        process.start()
    ready.wait()  # every shard's process is up: the clock starts
    started = time.perf_counter()
    reports = [results.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    report = {key: sum(r[key] for r in reports) for key in ("paid", "not_paid", "skipped")}
    with _spawn.Pool(1) as pool:
        checked = pool.apply(_check, (url, now))
    return {"report": report, "wall": wall, **checked}


def bench_scheduled_payments(
    server: Server, *, schedules: int, members: int, shards: int
) -> dict[str, float]:
    """Scheduled payments per second in one run of the job, on a scratch database."""
    with scratch_database(server, f"{SCRATCH_PREFIX}scheduled") as url:
        print(
            f"  {schedules:,} schedules of {members} members, one new bill each,"
            f" then one run of the job in {shards} shards side by side (one process each)",
            flush=True,
        )
        result = _run(url, schedules, members, shards)
    report, again = result["report"], result["again"]
    if report["paid"] != schedules or result["confirmed"] != schedules:
        raise RuntimeError(f"the job paid {report} (confirmed {result['confirmed']})")
    if again["paid"] or not result["once"]:
        raise RuntimeError(f"a bill was paid twice: second run {again}")
    if not result["ledger_ok"]:
        raise RuntimeError("verify_ledger found broken invariants after the scheduled payments")
    rate = report["paid"] / result["wall"]
    print(
        f"  {report['paid']:,} paid in {result['wall']:.1f} s: {rate:.1f} payments/s;"
        " a second run paid none; verify_ledger clean",
        flush=True,
    )
    return {"scheduled_tps": rate}
