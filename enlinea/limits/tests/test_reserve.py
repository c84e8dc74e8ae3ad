"""Using the cupo: what remains across day, week and month boundaries in Guayaquil
time, the refusal's wording, a retried reservation, and releasing a returned transfer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from enlinea.limits.errors import LimitError, LimitExceeded
from enlinea.limits.models import LimitUsage, Scope, TransferLimit
from enlinea.limits.periods import period_windows
from enlinea.limits.selectors import limit_check, limits_for
from enlinea.limits.services import limit_release, limit_reserve, limits_set

from .support import GYE, fail_after, local, reserve

pytestmark = pytest.mark.django_db

EXTERNAL = Scope.EXTERNAL
INTERNAL = Scope.INTERNAL


def _remaining(member, scope: str, at: dt.datetime) -> tuple[int, int, int]:
    limits = limits_for(member=member, at=at)
    scoped = limits.external if scope == EXTERNAL else limits.internal
    return tuple(p.remaining for p in scoped.periods)  # type: ignore[return-value]


def test_windows_are_guayaquil_days_monday_weeks_and_calendar_months() -> None:
    # 2026-04-01 03:00 UTC is still Tuesday 31 March, 22:00, in Guayaquil.
    at = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)
    windows = period_windows(at)
    assert windows["daily"] == (local(2026, 3, 31, 0), local(2026, 4, 1, 0))
    assert windows["weekly"] == (local(2026, 3, 30, 0), local(2026, 4, 6, 0))  # Monday to Sunday
    assert windows["monthly"] == (local(2026, 3, 1, 0), local(2026, 4, 1, 0))
    assert period_windows(local(2026, 12, 31, 23, 59))["monthly"] == (
        local(2026, 12, 1, 0),
        local(2027, 1, 1, 0),
    )
    with pytest.raises(ValueError, match="aware"):
        period_windows(dt.datetime(2026, 4, 1, 12, 0))  # noqa: DTZ001 - the point of the test


def test_usage_counts_in_its_day_week_and_month(socio) -> None:
    reserve(socio, EXTERNAL, 4_000_00, at=local(2026, 3, 31, 9, 0))  # Tuesday
    assert _remaining(socio, EXTERNAL, local(2026, 3, 31, 23, 59, 59)) == (
        11_000_00,
        16_000_00,
        36_000_00,
    )
    # Wednesday 1 April, 00:00 in Guayaquil: a new day and a new month, the same week.
    assert _remaining(socio, EXTERNAL, local(2026, 4, 1, 0, 0)) == (15_000_00, 16_000_00, 40_000_00)
    reserve(socio, EXTERNAL, 6_000_00, at=local(2026, 4, 1, 8, 0))
    assert _remaining(socio, EXTERNAL, local(2026, 4, 5, 23, 59, 59)) == (
        15_000_00,  # Sunday: nothing today
        10_000_00,  # the week has 4,000 + 6,000
        34_000_00,  # April has 6,000
    )
    # Monday 6 April: a new week.
    assert _remaining(socio, EXTERNAL, local(2026, 4, 6, 0, 0)) == (15_000_00, 20_000_00, 34_000_00)
    # The internal cupo is untouched by external transfers.
    assert _remaining(socio, INTERNAL, local(2026, 4, 1, 9, 0)) == (
        20_000_00,
        50_000_00,
        100_000_00,
    )


def test_a_transfer_at_night_utc_belongs_to_the_local_day(socio) -> None:
    # 02:30 UTC on 1 April is 21:30 on 31 March in Guayaquil: it uses March's cupo.
    reserve(socio, EXTERNAL, 15_000_00, at=dt.datetime(2026, 4, 1, 2, 30, tzinfo=dt.UTC))
    with pytest.raises(LimitExceeded):
        reserve(socio, EXTERNAL, 1, at=local(2026, 3, 31, 23, 0))
    reserve(socio, EXTERNAL, 1_000_00, at=local(2026, 4, 1, 0, 0, 1))
    assert _remaining(socio, EXTERNAL, local(2026, 4, 1, 12)) == (14_000_00, 4_000_00, 39_000_00)


def test_over_the_daily_cupo_is_refused_naming_what_remains(socio) -> None:
    at = local(2026, 5, 12, 10)
    reserve(socio, EXTERNAL, 13_500_00, at=at)
    with pytest.raises(LimitExceeded) as excinfo:
        reserve(socio, EXTERNAL, 1_500_01, at=at.replace(hour=11))
    assert excinfo.value.messages == ["El monto supera tu cupo diario disponible de $ 1,500.00."]
    assert excinfo.value.detail == {
        "scope": "external",
        "period": "daily",
        "amount": 1_500_01,
        "cupo": 15_000_00,
        "used": 13_500_00,
        "remaining": 1_500_00,
    }
    assert isinstance(excinfo.value, LimitError)
    # Exactly what remains fits.
    reserve(socio, EXTERNAL, 1_500_00, at=at.replace(hour=11))
    assert LimitUsage.objects.filter(released_at__isnull=True).count() == 2


def test_the_refusal_names_the_weekly_or_monthly_cupo_when_that_one_binds(socio) -> None:
    # Monday uses 12,000 of the week's 20,000: on Tuesday the day has 15,000, the week 8,000.
    reserve(socio, EXTERNAL, 12_000_00, at=local(2026, 5, 11, 10))  # Monday
    with pytest.raises(LimitExceeded) as excinfo:
        reserve(socio, EXTERNAL, 9_000_00, at=local(2026, 5, 12, 10))  # Tuesday
    assert excinfo.value.messages == ["El monto supera tu cupo semanal disponible de $ 8,000.00."]

    # Personalized: a monthly cupo that is already almost used binds before the daily.
    limits_set(member=socio, scope=INTERNAL, daily=5_000_00, weekly=10_000_00, monthly=12_000_00)
    reserve(socio, INTERNAL, 5_000_00, at=local(2026, 5, 4, 10))
    reserve(socio, INTERNAL, 5_000_00, at=local(2026, 5, 11, 10))
    with pytest.raises(LimitExceeded) as excinfo:
        reserve(socio, INTERNAL, 3_000_00, at=local(2026, 5, 12, 10))
    # Daily has 5,000 left, weekly 5,000, monthly 2,000: the monthly one is what binds.
    assert excinfo.value.messages == ["El monto supera tu cupo mensual disponible de $ 2,000.00."]
    assert excinfo.value.period == "monthly"


def test_a_lowered_cupo_applies_to_the_next_transfer(socio) -> None:
    at = local(2026, 6, 2, 9)
    reserve(socio, EXTERNAL, 1_000_00, at=at)
    limits_set(member=socio, scope=EXTERNAL, daily=1_200_00, weekly=5_000_00, monthly=10_000_00)
    with pytest.raises(LimitExceeded, match=r"diario disponible de \$ 200\.00"):
        reserve(socio, EXTERNAL, 300_00, at=at.replace(hour=10))
    # Lowered below what was already used: nothing remains, never a negative amount.
    limits_set(member=socio, scope=EXTERNAL, daily=500_00, weekly=5_000_00, monthly=10_000_00)
    assert _remaining(socio, EXTERNAL, at.replace(hour=11))[0] == 0
    with pytest.raises(LimitExceeded, match=r"diario disponible de \$ 0\.00"):
        reserve(socio, EXTERNAL, 1, at=at.replace(hour=11))


def test_cupos_are_per_member(socio, otro_socio) -> None:
    at = local(2026, 6, 3, 9)
    reserve(socio, EXTERNAL, 15_000_00, at=at)
    reserve(otro_socio, EXTERNAL, 15_000_00, at=at)
    assert _remaining(otro_socio, EXTERNAL, at)[0] == 0
    assert TransferLimit.objects.filter(scope=EXTERNAL).count() == 2


def test_a_returned_transfer_gives_its_cupo_back(socio) -> None:
    sent = local(2026, 7, 6, 9)  # Monday
    reserve(socio, EXTERNAL, 15_000_00, at=sent, reference="spi-001")
    assert _remaining(socio, EXTERNAL, sent) == (0, 5_000_00, 25_000_00)

    # The network returns it the next day: the week and the month get it back (the
    # day it was sent is over anyway).
    returned = local(2026, 7, 7, 10)
    usage = limit_release(reference="spi-001", at=returned)
    assert usage is not None
    assert usage.released_at == returned
    assert _remaining(socio, EXTERNAL, returned) == (15_000_00, 20_000_00, 40_000_00)
    assert _remaining(socio, EXTERNAL, sent) == (15_000_00, 20_000_00, 40_000_00)

    # Releasing twice changes nothing; an unknown reference used no cupo.
    assert limit_release(reference="spi-001", at=local(2026, 7, 8)).released_at == returned
    assert limit_release(reference="never-reserved") is None
    assert LimitUsage.objects.count() == 1  # the usage stays as history


def test_a_release_inside_the_returns_transaction_rolls_back_with_it(socio) -> None:
    at = local(2026, 7, 6, 9)
    reserve(socio, EXTERNAL, 5_000_00, at=at, reference="spi-002")
    with pytest.raises(RuntimeError):
        fail_after(lambda: limit_release(reference="spi-002", at=at))
    assert LimitUsage.objects.get(reference="spi-002").released_at is None


def test_a_retried_reservation_counts_once(socio) -> None:
    at = local(2026, 8, 4, 9)
    first = reserve(socio, EXTERNAL, 10_000_00, at=at, reference="key-1")
    again = reserve(socio, EXTERNAL, 10_000_00, at=at, reference="key-1")
    assert again.pk == first.pk
    assert _remaining(socio, EXTERNAL, at)[0] == 5_000_00
    with pytest.raises(LimitError, match="ya usó tu cupo con otros datos"):
        reserve(socio, EXTERNAL, 20_00, at=at, reference="key-1")
    with pytest.raises(LimitError, match="ya usó tu cupo con otros datos"):
        reserve(socio, INTERNAL, 10_000_00, at=at, reference="key-1")


def test_a_refused_transfer_leaves_no_usage(socio) -> None:
    # The transfer's transaction fails after the reservation (e.g. insufficient funds):
    # the usage goes with it.
    at = local(2026, 8, 5, 9)
    with pytest.raises(RuntimeError):
        fail_after(
            lambda: limit_reserve(
                member=socio, scope=EXTERNAL, amount=9_000_00, reference="k", at=at
            )
        )
    assert not LimitUsage.objects.exists()
    assert _remaining(socio, EXTERNAL, at)[0] == 15_000_00


def test_reserving_outside_a_transaction_is_a_programming_error(socio) -> None:
    # The transfer's transaction must hold the lock until its debit is posted. Tests run
    # inside a transaction, so a connection in autocommit is simulated by that flag.
    connection = transaction.get_connection()
    in_block = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(transaction.TransactionManagementError):
            limit_reserve(member=socio, scope=EXTERNAL, amount=1, reference="x")
    finally:
        connection.in_atomic_block = in_block


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": 0}, LimitError),
        ({"amount": -100}, LimitError),
        ({"amount": 1.5}, TypeError),
        ({"scope": "own"}, LimitError),
        ({"reference": ""}, ValueError),
        ({"reference": "x" * 101}, ValueError),
    ],
)
def test_bad_reservations_are_refused(socio, kwargs, error) -> None:
    call = {"member": socio, "scope": EXTERNAL, "amount": 100, "reference": "r", **kwargs}
    with pytest.raises(error), transaction.atomic():
        limit_reserve(**call)
    assert not LimitUsage.objects.exists()


def test_limit_check_warns_before_the_code_without_writing(socio) -> None:
    at = local(2026, 9, 1, 9)
    limit_check(member=socio, scope=EXTERNAL, amount=15_000_00, at=at)  # fits: no error
    with pytest.raises(LimitExceeded, match=r"cupo diario disponible de \$ 15,000\.00"):
        limit_check(member=socio, scope=EXTERNAL, amount=15_000_01, at=at)
    assert not TransferLimit.objects.exists()
    assert not LimitUsage.objects.exists()


def test_limits_for_shows_what_remains_now(socio) -> None:
    now = dt.datetime.now(tz=GYE)
    reserve(socio, INTERNAL, 2_500_00, at=now)
    internal = limits_for(member=socio).internal
    assert internal.period("daily").used == 2_500_00
    assert internal.period("daily").remaining == 17_500_00
    assert internal.available == 17_500_00
