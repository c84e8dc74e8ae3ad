"""Parallel reservations of one member's cupo (PostgreSQL, real threads and connections):
the limit row's lock lets exactly as many through as fit, and the first use's row is
created once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections, transaction
from django.db.models import Sum

from enlinea.limits.errors import LimitExceeded
from enlinea.limits.models import InstitutionLimit, LimitUsage, Scope, TransferLimit
from enlinea.limits.services import limit_release, limit_reserve, limits_set

from .support import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _at_once(calls: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run each call in its own thread (its own connection), all released together."""
    start = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            results.append(call())
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def _transfer(member, scope: str, amount: int, reference: str, at) -> Callable[[], object]:
    def call() -> object:
        with transaction.atomic(durable=True):  # the transfer's entry point
            usage = limit_reserve(
                member=member, scope=scope, amount=amount, reference=reference, at=at
            )
            # The debit would be posted here; a query while the lock is held widens the
            # window in which a second transfer could read a stale total.
            LimitUsage.objects.filter(limit_id=usage.limit_id).count()
            return usage

    return call


@pytest.mark.parametrize(
    ("scope", "cupo", "amount", "fits"),
    [
        # External, the institution's $ 15,000 a day: three of $ 4,000 fit.
        (Scope.EXTERNAL, None, 4_000_00, 3),
        # Internal, personalized to $ 10,000 a day: four of $ 2,500 fit exactly.
        (Scope.INTERNAL, (10_000_00, 20_000_00, 30_000_00), 2_500_00, 4),
    ],
)
def test_parallel_reservations_never_pass_the_cupo(socio, scope, cupo, amount, fits) -> None:
    InstitutionLimit.objects.update_or_create(
        scope=Scope.EXTERNAL,
        defaults={"daily": 15_000_00, "weekly": 20_000_00, "monthly": 40_000_00},
    )
    if cupo is not None:
        daily, weekly, monthly = cupo
        limits_set(member=socio, scope=scope, daily=daily, weekly=weekly, monthly=monthly)
    at = local(2026, 10, 14, 10)

    results, errors = _at_once(
        [_transfer(socio, scope, amount, f"parallel-{i}", at) for i in range(THREADS)]
    )

    assert len(results) == fits, errors[:3]
    assert len(errors) == THREADS - fits
    assert all(isinstance(e, LimitExceeded) for e in errors), errors[:3]
    assert all(e.period == "daily" for e in errors)
    used = LimitUsage.objects.filter(limit__member=socio, limit__scope=scope).aggregate(
        total=Sum("amount")
    )["total"]
    assert used == fits * amount
    assert used <= (cupo[0] if cupo else 15_000_00)
    assert TransferLimit.objects.filter(member=socio, scope=scope).count() == 1


def test_first_use_from_many_threads_creates_one_row(socio) -> None:
    at = local(2026, 10, 15, 10)
    results, errors = _at_once(
        [_transfer(socio, Scope.EXTERNAL, 100_00, f"first-{i}", at) for i in range(THREADS)]
    )
    assert errors == [], errors[:3]
    assert len(results) == THREADS
    assert TransferLimit.objects.filter(member=socio).count() == 1
    assert LimitUsage.objects.count() == THREADS


def test_releases_and_reservations_in_parallel_stay_within_the_cupo(socio) -> None:
    # The day's $ 15,000 is used; two returned transfers give back $ 10,000 while eight
    # new ones of $ 2,000 race for it: whatever the order, at most five fit and the
    # usage never passes $ 15,000.
    at = local(2026, 10, 16, 10)
    for reference in ("returned-1", "returned-2"):
        _transfer(socio, Scope.EXTERNAL, 5_000_00, reference, at)()
    _transfer(socio, Scope.EXTERNAL, 5_000_00, "kept", at)()

    def release(reference: str) -> Callable[[], object]:
        def call() -> object:
            with transaction.atomic(durable=True):
                return limit_release(reference=reference, at=at)

        return call

    calls = [release("returned-1"), release("returned-2")] + [
        _transfer(socio, Scope.EXTERNAL, 2_000_00, f"new-{i}", at) for i in range(THREADS)
    ]
    results, errors = _at_once(calls)

    assert all(isinstance(e, LimitExceeded) for e in errors), errors[:3]
    released = [r for r in results if r is not None and r.reference.startswith("returned")]
    assert len(released) == 2
    new = len(results) - 2
    assert new <= 5
    assert len(errors) == THREADS - new
    live = LimitUsage.objects.filter(released_at__isnull=True).aggregate(total=Sum("amount"))
    assert live["total"] == 5_000_00 + new * 2_000_00 <= 15_000_00
    assert LimitUsage.objects.filter(released_at__isnull=False).count() == 2
