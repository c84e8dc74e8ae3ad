"""Reads of the cupos: the institution's maximums, a member's cupo, what is used and
what remains, for the "Personalización de cupos" page and the transfer forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from enlinea.limits.errors import LimitError, LimitExceeded
from enlinea.limits.models import (
    PERIOD_LABEL,
    PERIODS,
    InstitutionLimit,
    LimitUsage,
    Scope,
    TransferLimit,
)
from enlinea.limits.periods import period_windows


@dataclass(frozen=True)
class Amounts:
    """One amount in cents per period."""

    daily: int
    weekly: int
    monthly: int

    def get(self, period: str) -> int:
        return int(getattr(self, period))

    def as_dict(self) -> dict[str, int]:
        return {period: self.get(period) for period in PERIODS}


# The institution's maximums while it has not set its own in the back office (the rows
# migration 0002 seeds hold the same). External: the manual's "Personalización de
# cupos" ($ 15,000 / $ 20,000 / $ 40,000). Internal: the manual's figures are
# placeholders ($ 9,000,000,000.00 a day); a transfer to another member stays inside
# the cooperative, so it gets more room than an interbank one while still bounding what
# a stolen session can move: $ 20,000 a day (the member's cupo the manual shows),
# $ 50,000 a week, $ 100,000 a month.
DEFAULT_MAXIMUMS: dict[str, Amounts] = {
    Scope.INTERNAL: Amounts(daily=20_000_00, weekly=50_000_00, monthly=100_000_00),
    Scope.EXTERNAL: Amounts(daily=15_000_00, weekly=20_000_00, monthly=40_000_00),
}


def scope_check(scope: str) -> str:
    if scope not in Scope.values:
        raise LimitError("Tipo de cupo desconocido: elige transferencias internas o externas.")
    return scope


def maximums_for(scope: str) -> Amounts:
    """The institution's maximum cupos of ``scope`` today."""
    scope_check(scope)
    row = InstitutionLimit.objects.filter(scope=scope).values(*PERIODS).first()
    return Amounts(**row) if row else DEFAULT_MAXIMUMS[scope]


def cupo_of(row: TransferLimit | None, maximum: Amounts) -> Amounts:
    """The cupo that applies: the member's own, never above the institution's maximum
    (which may have been lowered after the member chose theirs); the maximum itself
    while the member never personalized it."""
    if row is None or not row.personalized:
        return maximum
    return Amounts(**{period: min(getattr(row, period), maximum.get(period)) for period in PERIODS})


def amount_check(amount: int) -> int:
    """A transfer's amount: positive integer cents."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Amounts are integer cents")
    if amount <= 0:
        raise LimitError("El monto debe ser mayor a cero.")
    return amount


def moment_of(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Cupos need aware datetimes")
    return at


def used_of(limit_id: int | None, at: dt.datetime) -> Amounts:
    """What the usages of one limit row (not released) add up to in the day, the week
    and the month of ``at``; one query."""
    if limit_id is None:
        return Amounts(0, 0, 0)
    windows = period_windows(at)
    sums = LimitUsage.objects.filter(
        limit_id=limit_id,
        released_at__isnull=True,
        occurred_at__gte=min(start for start, _ in windows.values()),
        occurred_at__lt=max(end for _, end in windows.values()),
    ).aggregate(
        **{
            period: Sum("amount", filter=Q(occurred_at__gte=start, occurred_at__lt=end))
            for period, (start, end) in windows.items()
        }
    )
    return Amounts(**{period: sums[period] or 0 for period in PERIODS})


def refusal(*, scope: str, amount: int, cupo: Amounts, used: Amounts) -> LimitExceeded | None:
    """The refusal of ``amount``, or None when it fits every period. Among the periods it
    passes, the one with the least remaining is named (the shorter period on a tie)."""
    worst: LimitExceeded | None = None
    for period in PERIODS:
        remaining = max(cupo.get(period) - used.get(period), 0)
        if amount > remaining and (worst is None or remaining < worst.remaining):
            worst = LimitExceeded(
                scope=scope,
                period=period,
                amount=amount,
                cupo=cupo.get(period),
                used=used.get(period),
                remaining=remaining,
            )
    return worst


@dataclass(frozen=True)
class PeriodLimit:
    period: str  # "daily", "weekly", "monthly"
    label: str  # "DIARIO", as the page shows it
    cupo: int
    maximum: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.cupo - self.used, 0)


@dataclass(frozen=True)
class ScopeLimits:
    scope: str
    label: str  # "Transferencias internas"
    personalized: bool
    periods: tuple[PeriodLimit, ...]

    def period(self, name: str) -> PeriodLimit:
        return next(p for p in self.periods if p.period == name)

    @property
    def available(self) -> int:
        """The largest single transfer that fits right now (every period at once)."""
        return min(p.remaining for p in self.periods)


@dataclass(frozen=True)
class MemberLimits:
    internal: ScopeLimits
    external: ScopeLimits

    @property
    def scopes(self) -> tuple[ScopeLimits, ScopeLimits]:
        """In the page's order: internal, then external."""
        return (self.internal, self.external)


def _scope_limits(scope: str, row: TransferLimit | None, at: dt.datetime) -> ScopeLimits:
    maximum = maximums_for(scope)
    cupo = cupo_of(row, maximum)
    used = used_of(row.pk if row else None, at)
    return ScopeLimits(
        scope=scope,
        label=Scope(scope).label,
        personalized=bool(row and row.personalized),
        periods=tuple(
            PeriodLimit(
                period=period,
                label=PERIOD_LABEL[period],
                cupo=cupo.get(period),
                maximum=maximum.get(period),
                used=used.get(period),
            )
            for period in PERIODS
        ),
    )


def limits_for(*, member: object, at: dt.datetime | None = None) -> MemberLimits:
    """For each scope and period: the member's cupo, the institution's maximum beside it,
    what is used and what remains at ``at`` (now by default). Reads only: a member who
    never transferred nor personalized has no row yet and sees the maximums."""
    moment = moment_of(at)
    rows = {row.scope: row for row in TransferLimit.objects.filter(member=member)}
    return MemberLimits(
        internal=_scope_limits(Scope.INTERNAL, rows.get(Scope.INTERNAL), moment),
        external=_scope_limits(Scope.EXTERNAL, rows.get(Scope.EXTERNAL), moment),
    )


def limit_check(*, member: object, scope: str, amount: int, at: dt.datetime | None = None) -> None:
    """Raise the refusal ``limit_reserve`` would raise, without locking or writing: for a
    transfer form, so a member hears about the cupo before asking for a code. Advisory
    only — the transfer's own ``limit_reserve`` decides, under the lock."""
    scope_check(scope)
    amount_check(amount)
    moment = moment_of(at)
    row = TransferLimit.objects.filter(member=member, scope=scope).first()
    cupo = cupo_of(row, maximums_for(scope))
    used = used_of(row.pk if row else None, moment)
    if (refused := refusal(scope=scope, amount=amount, cupo=cupo, used=used)) is not None:
        raise refused
