"""Background jobs of the products app (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from enlinea.products.services import loans_update_status


@db_periodic_task(crontab(hour="0", minute="30"))
def loans_mark_overdue() -> int:
    """Every night: loans with an installment past due become VENCIDO."""
    return loans_update_status()
