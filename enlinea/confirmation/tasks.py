from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from enlinea.confirmation import services


@db_periodic_task(crontab(minute="*/10"))
def expire_operations() -> int:
    """Every ten minutes: pending operations past their time become EXPIRED (each page
    also expires its own operation when it is opened; this keeps the table honest)."""
    return services.operation_expire_due()
