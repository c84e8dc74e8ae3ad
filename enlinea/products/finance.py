"""Pure financial calculations for the products app (loans, term deposits, cards).

No database and no Django here: every function takes and returns plain values so it
can be tested exhaustively and reused by services, views and demo-data commands.

Money is always integer cents (USD). Rates are integer basis points (1 bp = 0.01 %).
Every division that needs rounding is done on exact integers (or exact rationals)
and rounded half-up to the cent, so no float ever enters a calculation and ties are
decided exactly rather than by a truncated decimal expansion.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from stdnum import luhn

MAX_TERM_MONTHS = 480
MAX_RATE_BP = 10_000
MAX_TERM_DEPOSIT_DAYS = 3_650
DEFERRAL_MONTHS = frozenset({3, 6, 9, 12, 18, 24, 36})
CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19
CARD_VISIBLE_PREFIX = 6
CARD_VISIBLE_SUFFIX = 4

_BP_PER_UNIT = 10_000  # 100 % expressed in basis points
_MONTHS_PER_YEAR = 12
_DAYS_PER_YEAR_DEPOSIT = 360  # base 360 for pólizas de acumulación


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of an amortization schedule (all amounts in cents)."""

    number: int
    due_date: datetime.date
    payment_cents: int
    principal_cents: int
    interest_cents: int
    balance_after_cents: int


@dataclass(frozen=True, slots=True)
class LoanState:
    """Where a loan stands after a number of installments has been paid."""

    balance_cents: int
    next_due_date: datetime.date | None
    next_payment_cents: int | None
    installments_remaining: int


# --------------------------------------------------------------------------- helpers


def _require_int(name: str, value: object) -> int:
    # bool is an int subclass and float must never carry money: refuse both loudly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def _require_range(name: str, value: object, low: int, high: int | None = None) -> int:
    number = _require_int(name, value)
    if number < low or (high is not None and number > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be in {bounds}, got {number}")
    return number


def _require_date(name: str, value: object) -> datetime.date:
    # A datetime is a date subclass; accepting it would silently drop time and zone.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def div_half_up(numerator: int, denominator: int) -> int:
    """Return ``numerator / denominator`` rounded half-up (away from zero) to an int.

    Exact integer arithmetic: no float and no decimal precision limit.
    """
    _require_int("numerator", numerator)
    _require_range("denominator", denominator, 1)
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Return ``start`` moved by ``months`` months, clamping the day to the month's end.

    Always computed from ``start``'s own day, so 31 Jan + 1 = 28/29 Feb and
    31 Jan + 2 = 31 Mar (not 28 Mar).
    """
    _require_date("start", start)
    _require_int("months", months)
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(start.day, last_day))


def _french_payment(principal_cents: int, rate_num: int, rate_den: int, periods: int) -> int:
    """Constant French payment for a periodic rate ``rate_num / rate_den`` (> 0), half-up.

    payment = P·r·(1+r)^n / ((1+r)^n - 1). With r = a/b this is
    P·a·(a+b)^n / (b·((a+b)^n - b^n)): a ratio of exact integers, so the half-up
    rounding is exact even on a tie.
    """
    growth = (rate_den + rate_num) ** periods
    base = rate_den**periods
    return div_half_up(principal_cents * rate_num * growth, rate_den * (growth - base))


def _amortize(
    principal_cents: int, payment: int, rate_num: int, rate_den: int, periods: int
) -> list[tuple[int, int, int, int]]:
    """Rows (payment, principal, interest, balance_after); the last absorbs rounding."""
    rows: list[tuple[int, int, int, int]] = []
    balance = principal_cents
    for number in range(1, periods + 1):
        interest = div_half_up(balance * rate_num, rate_den)
        if number == periods:
            principal = balance
            row_payment = principal + interest
        else:
            principal = payment - interest
            row_payment = payment
        balance -= principal
        rows.append((row_payment, principal, interest, balance))
    return rows


def _french_rows(
    principal_cents: int, rate_num: int, rate_den: int, periods: int
) -> list[tuple[int, int, int, int]]:
    """French rows with exact cents; see :func:`french_schedule` for the rules."""
    if rate_num == 0:
        even = principal_cents // periods
        last = principal_cents - even * (periods - 1)
        rows = [(even, even, 0, principal_cents - even * number) for number in range(1, periods)]
        rows.append((last, last, 0, 0))
        return rows

    payment = _french_payment(principal_cents, rate_num, rate_den, periods)
    rows = _amortize(principal_cents, payment, rate_num, rate_den, periods)
    # A payment rounded up overpays a fraction of a cent every month, and that excess
    # compounds: on long, high-rate or tiny loans it repays the balance before the last
    # installment, which would then be negative. Lower the payment a cent at a time
    # until no balance goes below zero (balances only grow as the payment shrinks, and
    # at 0 they never go negative, so this ends; in practice after one or two steps).
    while payment > 0 and any(balance < 0 for *_, balance in rows[:-1]):
        payment -= 1
        rows = _amortize(principal_cents, payment, rate_num, rate_den, periods)
    return rows


def _card_digits(number: str) -> str:
    if not isinstance(number, str):
        raise TypeError(f"number must be a str, got {type(number).__name__}")
    # Members and files write numbers with spaces or dashes; anything else is a typo.
    cleaned = number.replace(" ", "").replace("-", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError("card number must contain only digits, spaces or dashes")
    if not CARD_MIN_DIGITS <= len(cleaned) <= CARD_MAX_DIGITS:
        raise ValueError(
            f"card number must have {CARD_MIN_DIGITS}..{CARD_MAX_DIGITS} digits, got {len(cleaned)}"
        )
    return cleaned


# --------------------------------------------------------------------------- loans


def french_schedule(
    *,
    principal_cents: int,
    annual_rate_bp: int,
    term_months: int,
    first_due: datetime.date,
) -> list[Installment]:
    """French (constant installment) amortization schedule.

    ``annual_rate_bp`` is the nominal annual rate in basis points; the monthly rate is
    annual / 12. The constant payment is computed exactly and rounded half-up to the
    cent; each month's interest is ``round_half_up(balance * monthly_rate)`` and its
    principal is ``payment - interest``. The last installment absorbs all rounding:
    its principal is the remaining balance, its payment that principal plus its
    interest, so principals add up to ``principal_cents`` and the final balance is 0.
    If the rounded-up payment would repay the loan before the last installment (its
    excess compounds on long, high-rate or tiny loans), the payment is lowered cent by
    cent until no balance goes negative; the last installment then carries the
    difference. No row ever has a negative amount. With a 0 rate the principal is split evenly, the remainder cents on the last one.

    Due dates are monthly from ``first_due``, keeping its day of month and clamping
    to the month's last day.

    Raises TypeError for non-int amounts/rates/terms (floats included) or a non-date
    ``first_due``; ValueError for principal <= 0, term outside 1..480 or rate outside
    0..10000 bp.
    """
    _require_range("principal_cents", principal_cents, 1)
    _require_range("annual_rate_bp", annual_rate_bp, 0, MAX_RATE_BP)
    _require_range("term_months", term_months, 1, MAX_TERM_MONTHS)
    _require_date("first_due", first_due)

    rows = _french_rows(
        principal_cents, annual_rate_bp, _BP_PER_UNIT * _MONTHS_PER_YEAR, term_months
    )
    return [
        Installment(
            number=index,
            due_date=add_months(first_due, index - 1),
            payment_cents=payment,
            principal_cents=principal,
            interest_cents=interest,
            balance_after_cents=balance,
        )
        for index, (payment, principal, interest, balance) in enumerate(rows, start=1)
    ]


def loan_state(*, schedule: Sequence[Installment], installments_paid: int) -> LoanState:
    """State of a loan after its first ``installments_paid`` installments are paid.

    ``balance_cents`` is the balance after the last paid installment (the original
    principal when none is paid). ``next_due_date`` and ``next_payment_cents`` are
    None once every installment is paid.
    """
    if not schedule:
        raise ValueError("schedule must not be empty")
    _require_range("installments_paid", installments_paid, 0, len(schedule))

    if installments_paid == 0:
        first = schedule[0]
        balance = first.balance_after_cents + first.principal_cents
    else:
        balance = schedule[installments_paid - 1].balance_after_cents

    remaining = len(schedule) - installments_paid
    if remaining == 0:
        return LoanState(
            balance_cents=balance,
            next_due_date=None,
            next_payment_cents=None,
            installments_remaining=0,
        )
    upcoming = schedule[installments_paid]
    return LoanState(
        balance_cents=balance,
        next_due_date=upcoming.due_date,
        next_payment_cents=upcoming.payment_cents,
        installments_remaining=remaining,
    )


# --------------------------------------------------------------------------- term deposits


def term_deposit_interest(*, capital_cents: int, annual_rate_bp: int, term_days: int) -> int:
    """Simple interest paid at maturity on a term deposit (póliza), in cents.

    interest = capital * rate * days / 360, rounded half-up to the cent.

    Raises TypeError for non-int arguments; ValueError for capital <= 0, rate outside
    0..10000 bp or term outside 1..3650 days.
    """
    _require_range("capital_cents", capital_cents, 1)
    _require_range("annual_rate_bp", annual_rate_bp, 0, MAX_RATE_BP)
    _require_range("term_days", term_days, 1, MAX_TERM_DEPOSIT_DAYS)
    return div_half_up(
        capital_cents * annual_rate_bp * term_days, _BP_PER_UNIT * _DAYS_PER_YEAR_DEPOSIT
    )


def term_deposit_maturity(*, start: datetime.date, term_days: int) -> datetime.date:
    """Maturity date: ``start`` plus ``term_days`` calendar days (no business-day shift)."""
    _require_date("start", start)
    _require_range("term_days", term_days, 1, MAX_TERM_DEPOSIT_DAYS)
    return start + datetime.timedelta(days=term_days)


def interest_withholding(*, interest_cents: int, rate_bp: int = 200) -> int:
    """Income-tax withholding (retención en la fuente) on interest, half-up, in cents.

    Defaults to 2 % (200 bp). Raises TypeError for non-int arguments; ValueError for
    negative interest or a rate outside 0..10000 bp.
    """
    _require_range("interest_cents", interest_cents, 0)
    _require_range("rate_bp", rate_bp, 0, MAX_RATE_BP)
    return div_half_up(interest_cents * rate_bp, _BP_PER_UNIT)


# --------------------------------------------------------------------------- cards


def mask_card_number(number: str) -> str:
    """Mask a card number showing at most its first 6 and last 4 digits.

    Spaces and dashes in the input are ignored; the output is groups of 4 separated by
    spaces, hidden digits as ``*`` (``"5229 71** **** 1234"``). Raises ValueError for
    anything but 13..19 digits.
    """
    digits = _card_digits(number)
    hidden = len(digits) - CARD_VISIBLE_PREFIX - CARD_VISIBLE_SUFFIX
    masked = digits[:CARD_VISIBLE_PREFIX] + "*" * hidden + digits[-CARD_VISIBLE_SUFFIX:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def card_last4(number: str) -> str:
    """Last 4 digits of a card number (validated like :func:`mask_card_number`)."""
    return _card_digits(number)[-CARD_VISIBLE_SUFFIX:]


def luhn_card_number(*, prefix: str, length: int = 16, sequence: int) -> str:
    """Deterministic Luhn-valid card number for demo data.

    prefix + ``sequence`` zero-padded to fill ``length - 1`` digits + Luhn check digit.
    Raises ValueError if the prefix is not digits, the length is outside 13..19 or the
    sequence does not fit in the digits left by the prefix.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
    if not prefix or not prefix.isascii() or not prefix.isdigit():
        raise ValueError("prefix must be a non-empty string of digits")
    _require_range("length", length, CARD_MIN_DIGITS, CARD_MAX_DIGITS)
    _require_range("sequence", sequence, 0)
    width = length - len(prefix) - 1
    if width < 1:
        raise ValueError("prefix leaves no room for a sequence and the check digit")
    if sequence >= 10**width:
        raise ValueError(f"sequence {sequence} does not fit in {width} digits")
    body = f"{prefix}{sequence:0{width}d}"
    number = body + luhn.calc_check_digit(body)
    luhn.validate(number)  # raises if the construction were ever wrong
    return number


def installment_plan(*, amount_cents: int, months: int, monthly_rate_bp: int) -> list[int]:
    """Monthly payments (cents) for a credit-card deferral (diferido).

    ``months`` must be one of 3, 6, 9, 12, 18, 24, 36. With ``monthly_rate_bp == 0``
    (diferido sin intereses) the amount is split evenly with the remainder cents on the
    last month; otherwise the French rule of :func:`french_schedule` applies with the
    monthly rate as given (the last payment absorbs rounding). Either way the principal
    parts add up to ``amount_cents`` exactly.
    """
    _require_range("amount_cents", amount_cents, 1)
    _require_int("months", months)
    if months not in DEFERRAL_MONTHS:
        raise ValueError(f"months must be one of {sorted(DEFERRAL_MONTHS)}, got {months}")
    _require_range("monthly_rate_bp", monthly_rate_bp, 0, MAX_RATE_BP)
    rows = _french_rows(amount_cents, monthly_rate_bp, _BP_PER_UNIT, months)
    return [payment for payment, _principal, _interest, _balance in rows]


@dataclass(frozen=True, slots=True)
class DeferralSimulation:
    """ "Simulación de diferido": what deferring ``amount`` over ``months`` costs.

    ``installment`` is the "Valor cuota mensual" (the last one may differ by the
    rounding cents: ``installments`` lists them all); ``first_interest`` is the
    interest inside the first installment, the "Valor interés" the manual shows;
    ``total_interest`` is the interest over the whole term. ``rows`` is the plan itself,
    one ``(payment, principal, interest)`` per installment (what a deferral keeps and
    bills at each statement cut-off).
    """

    amount: int
    months: int
    installment: int
    first_interest: int
    total_interest: int
    installments: tuple[int, ...]
    rows: tuple[tuple[int, int, int], ...] = ()

    @property
    def total(self) -> int:
        return self.amount + self.total_interest


def deferral_simulation(
    *, amount_cents: int, months: int, annual_rate_bp: int
) -> DeferralSimulation:
    """The French plan of a credit-card deferral in exact cents, at the card's annual
    deferral rate (``annual_rate_bp``; the monthly rate is a twelfth of it, exactly).

    The manual's example: $ 68.53 over 3 months at 15.20 % a year (1.2667 % a month)
    gives three installments of $ 23.42 (the last $ 23.43), $ 0.87 of interest in the
    first and $ 1.74 in all.
    """
    _require_range("amount_cents", amount_cents, 1)
    _require_int("months", months)
    if months not in DEFERRAL_MONTHS:
        raise ValueError(f"months must be one of {sorted(DEFERRAL_MONTHS)}, got {months}")
    _require_range("annual_rate_bp", annual_rate_bp, 0, MAX_RATE_BP)
    rows = _french_rows(amount_cents, annual_rate_bp, _BP_PER_UNIT * 12, months)
    return DeferralSimulation(
        amount=amount_cents,
        months=months,
        installment=rows[0][0],
        first_interest=rows[0][2],
        total_interest=sum(interest for _payment, _principal, interest, _balance in rows),
        installments=tuple(payment for payment, *_ in rows),
        rows=tuple((payment, principal, interest) for payment, principal, interest, _ in rows),
    )
