"""Helpers for the cupos tests: local Guayaquil times and a reservation in a transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction

from enlinea.limits.models import LimitUsage
from enlinea.limits.services import limit_reserve

GYE = ZoneInfo("America/Guayaquil")
_references = itertools.count(1)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0):
    """An aware datetime at that wall-clock time in Guayaquil."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=GYE)


def fail_after(call: Callable[[], object]) -> None:
    """Run ``call`` in a transaction that then fails, as a caller's transaction would
    after a later step (insufficient funds, a failed credit) refused."""
    with transaction.atomic():
        call()
        raise RuntimeError("a later step of the caller's transaction failed")


def reserve(member, scope: str, amount: int, at: dt.datetime, reference: str = "") -> LimitUsage:
    """What a transfer does: reserve inside its own transaction."""
    with transaction.atomic():
        return limit_reserve(
            member=member,
            scope=scope,
            amount=amount,
            reference=reference or f"transfer-{next(_references)}",
            at=at,
        )
