from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from enlinea.notifications import services


@db_task()
def deliver_messages(message_ids: list[int]) -> int:
    """Deliver freshly written messages right after their transaction commits."""
    return sum(services.message_deliver(message_id=pk) for pk in message_ids)


@db_periodic_task(crontab(minute="*"))
def flush_outbox() -> int:
    """Every minute: retries whose delay has passed, and anything the enqueue missed."""
    return services.outbox_flush()
