"""Background jobs of Pago de servicios (Huey): payments waiting for their biller, and
the biller simulator issuing new bills."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task

from enlinea.payments.services import bill_payments_resolve
from enlinea.payments.simulator import bills_publish


@db_periodic_task(crontab(minute="*"))
@lock_task("bill-payments-resolve")
def bill_payments_pending() -> dict[str, Any]:
    """Every minute: ask the billers again about every payment still PENDIENTE (one
    whose biller could not be reached, or whose page was closed before it answered).
    Safe without the lock too: each outcome is applied under the payment's row lock."""
    return bill_payments_resolve()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("biller-simulator-publish")
def biller_simulator_publish() -> int:
    """Every five minutes, when the simulator is the biller network: issue the new
    period's bills (``settings.BILLER_SIMULATOR_PERIOD_SECONDS``) for every reference it
    knows, which scheduled payments then pay. Idempotent per reference and period."""
    from django.conf import settings

    from enlinea.payments.network import DEFAULT_NETWORK

    if (getattr(settings, "BILLER_NETWORK", "") or DEFAULT_NETWORK) != DEFAULT_NETWORK:
        return 0
    return bills_publish()


@db_periodic_task(crontab(minute="*/5"))
def payment_schedules_run() -> int:
    """Every five minutes: Programar pagos pays each live schedule's new bill, in
    ``settings.PAYMENT_SCHEDULE_SHARDS`` shards queued as tasks of their own, which the
    worker's threads run side by side; how many shards were queued."""
    from django.conf import settings

    shards = settings.PAYMENT_SCHEDULE_SHARDS
    for number in range(shards):
        payment_schedules_shard(number, shards)
    return shards


@db_task()
def payment_schedules_shard(number: int, shards: int) -> dict[str, int]:
    """One shard of the schedules (ids ``number`` modulo ``shards``), one run at a time
    (a run still going when the next is queued skips it). Each bill is paid once also
    without the lock: ``enlinea.payments.schedules``."""
    from enlinea.payments.schedules import schedules_run

    with HUEY.lock_task(f"payment-schedules-{number}-of-{shards}"):
        return schedules_run(shard=(number, shards))
