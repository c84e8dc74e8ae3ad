"""Background jobs of the transfers app (Huey): the interbank clearing cycle."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from enlinea.transfers.clearing import clearing_cycle


@db_periodic_task(crontab(minute="*"))
@lock_task("interbank-clearing-cycle")
def interbank_clearing() -> dict[str, Any]:
    """Every minute: incoming credits, a batch of the pending orders, its sending, and
    the outcomes the network has decided (``enlinea.transfers.clearing``). One cycle at
    a time (a second consumer skips while one runs); the cycle is safe without the lock
    too, since every change is made under the order's row lock."""
    return clearing_cycle().as_dict()
