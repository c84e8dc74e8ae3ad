"""Tests for the pure financial calculations in ``enlinea.products.finance`` (no DB)."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pytest
from stdnum import luhn

from enlinea.products.finance import (
    Installment,
    LoanState,
    add_months,
    card_last4,
    div_half_up,
    french_schedule,
    installment_plan,
    interest_withholding,
    loan_state,
    luhn_card_number,
    mask_card_number,
    term_deposit_interest,
    term_deposit_maturity,
)

FIRST_DUE = datetime.date(2026, 1, 31)
PRINCIPALS = (1, 99, 100_000, 12_345_678)
RATES_BP = (0, 1, 1575, 2500)
TERMS = (1, 7, 12, 60, 360)
GRID = list(itertools.product(PRINCIPALS, RATES_BP, TERMS))


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_payment(principal_cents: int, monthly_rate: Decimal, term: int) -> int:
    """Reference French payment in a 50-digit Decimal context, half-up to the cent."""
    with localcontext() as ctx:
        ctx.prec = 50
        factor = (1 + monthly_rate) ** term
        return half_up(Decimal(principal_cents) * monthly_rate * factor / (factor - 1))


def simulate_balances(principal_cents: int, payment: int, rate_bp: int, term: int) -> list[int]:
    """Balances after each of the first ``term - 1`` rows for a given constant payment."""
    balances = []
    balance = principal_cents
    for _ in range(term - 1):
        balance -= payment - half_up(Decimal(balance * rate_bp) / Decimal(120_000))
        balances.append(balance)
    return balances


def schedule(principal: int, rate_bp: int, term: int) -> list[Installment]:
    return french_schedule(
        principal_cents=principal, annual_rate_bp=rate_bp, term_months=term, first_due=FIRST_DUE
    )


# ------------------------------------------------------------------ french_schedule


@pytest.mark.parametrize(("principal", "rate_bp", "term"), GRID)
def test_schedule_principals_add_up_exactly_and_end_at_zero(
    principal: int, rate_bp: int, term: int
) -> None:
    rows = schedule(principal, rate_bp, term)
    assert len(rows) == term
    assert [row.number for row in rows] == list(range(1, term + 1))
    assert sum(row.principal_cents for row in rows) == principal
    assert rows[-1].balance_after_cents == 0
    balance = principal
    for row in rows:
        assert row.payment_cents == row.principal_cents + row.interest_cents
        balance -= row.principal_cents
        assert row.balance_after_cents == balance


@pytest.mark.parametrize(("principal", "rate_bp", "term"), GRID)
def test_schedule_payment_is_constant_except_the_last(
    principal: int, rate_bp: int, term: int
) -> None:
    rows = schedule(principal, rate_bp, term)
    assert len({row.payment_cents for row in rows[:-1]}) <= 1


@pytest.mark.parametrize(("principal", "rate_bp", "term"), GRID)
def test_schedule_interest_is_balance_times_monthly_rate_half_up(
    principal: int, rate_bp: int, term: int
) -> None:
    balance = principal
    for row in schedule(principal, rate_bp, term):
        # Dividing exact integers keeps a true .5 tie exact in Decimal.
        assert row.interest_cents == half_up(Decimal(balance * rate_bp) / Decimal(120_000))
        balance = row.balance_after_cents


@pytest.mark.parametrize(("principal", "rate_bp", "term"), GRID)
def test_schedule_payment_is_the_half_up_french_payment_unless_it_overpays(
    principal: int, rate_bp: int, term: int
) -> None:
    rows = schedule(principal, rate_bp, term)
    if rate_bp == 0 or term == 1:
        return
    reference = decimal_payment(principal, Decimal(rate_bp) / Decimal(120_000), term)
    used = rows[0].payment_cents
    if used != reference:
        # Only lowered when the reference payment would repay the loan early.
        assert used < reference
        assert min(simulate_balances(principal, reference, rate_bp, term)) < 0
        assert min(simulate_balances(principal, used, rate_bp, term)) >= 0
        assert min(simulate_balances(principal, used + 1, rate_bp, term)) < 0


def test_schedule_known_case_10000_dollars_at_12_percent_for_12_months() -> None:
    rows = schedule(1_000_000, 1200, 12)
    expected = decimal_payment(1_000_000, Decimal("0.01"), 12)
    assert expected == 88849
    assert all(row.payment_cents == 88849 for row in rows[:-1])
    assert rows[0].interest_cents == 10000
    assert rows[0].principal_cents == 78849
    assert rows[0].balance_after_cents == 921151
    assert rows[-1].payment_cents == rows[-1].principal_cents + rows[-1].interest_cents
    assert abs(rows[-1].payment_cents - 88849) <= 12


@pytest.mark.parametrize(
    ("principal", "rate_bp", "term"),
    [
        (100_000, 1575, 360),
        (100_000, 2500, 360),
        (12_345_678, 2500, 480),
        (99, 1, 60),
        (5, 1575, 7),
        (99_999_999, 10_000, 480),
    ],
)
def test_schedule_never_has_negative_amounts_when_rounding_would_overpay(
    principal: int, rate_bp: int, term: int
) -> None:
    rows = schedule(principal, rate_bp, term)
    for row in rows:
        assert row.payment_cents >= 0
        assert row.principal_cents >= 0
        assert row.interest_cents >= 0
        assert row.balance_after_cents >= 0
    assert sum(row.principal_cents for row in rows) == principal
    assert rows[-1].balance_after_cents == 0


def test_schedule_1000_dollars_at_15_75_percent_for_30_years_lowers_payment_a_cent() -> None:
    rows = schedule(100_000, 1575, 360)
    assert decimal_payment(100_000, Decimal(1575) / Decimal(120_000), 360) == 1325
    assert min(simulate_balances(100_000, 1325, 1575, 360)) < 0
    assert rows[0].payment_cents == 1324
    assert rows[-1].payment_cents > 1324


def test_schedule_wide_grid_has_no_negative_amounts() -> None:
    for principal, rate_bp, term in itertools.product(
        (*range(1, 40), 101, 999, 123_457, 99_999_999),
        (1, 7, 1200, 1575, 2850, 5000, 10_000),
        (1, 2, 3, 36, 120, 300, 480),
    ):
        rows = schedule(principal, rate_bp, term)
        assert sum(row.principal_cents for row in rows) == principal
        assert rows[-1].balance_after_cents == 0
        assert (
            min(min(r.principal_cents, r.interest_cents, r.balance_after_cents) for r in rows) >= 0
        )


def test_schedule_zero_rate_splits_evenly_with_remainder_on_the_last() -> None:
    rows = schedule(100_000, 0, 7)
    assert [row.payment_cents for row in rows] == [14285] * 6 + [14290]
    assert all(row.interest_cents == 0 for row in rows)
    assert [row.payment_cents for row in schedule(1, 0, 3)] == [0, 0, 1]


def test_schedule_single_installment_pays_principal_and_one_month_interest() -> None:
    (row,) = schedule(100_000, 1200, 1)
    assert row == Installment(
        number=1,
        due_date=FIRST_DUE,
        payment_cents=101_000,
        principal_cents=100_000,
        interest_cents=1_000,
        balance_after_cents=0,
    )


def test_schedule_due_dates_keep_the_day_and_clamp_to_month_end() -> None:
    dates = [row.due_date for row in schedule(100_000, 1575, 4)]
    assert dates == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_schedule_due_dates_use_february_29_in_leap_years_and_cross_years() -> None:
    rows = french_schedule(
        principal_cents=100_000,
        annual_rate_bp=1575,
        term_months=14,
        first_due=datetime.date(2027, 12, 31),
    )
    assert rows[2].due_date == datetime.date(2028, 2, 29)
    assert rows[13].due_date == datetime.date(2029, 1, 31)
    assert add_months(datetime.date(2026, 3, 15), -3) == datetime.date(2025, 12, 15)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal_cents", 0),
        ("principal_cents", -100),
        ("annual_rate_bp", -1),
        ("annual_rate_bp", 10_001),
        ("term_months", 0),
        ("term_months", 481),
    ],
)
def test_schedule_invalid_inputs_raise_value_error(field: str, value: int) -> None:
    kwargs: dict[str, Any] = {
        "principal_cents": 100_000,
        "annual_rate_bp": 1575,
        "term_months": 12,
        "first_due": FIRST_DUE,
    }
    kwargs[field] = value
    with pytest.raises(ValueError, match=field):
        french_schedule(**kwargs)


def test_schedule_accepts_the_boundaries() -> None:
    assert len(schedule(1, 10_000, 480)) == 480
    assert len(schedule(1, 0, 1)) == 1


def test_schedule_refuses_a_datetime_as_first_due() -> None:
    with pytest.raises(TypeError, match="first_due"):
        french_schedule(
            principal_cents=100_000,
            annual_rate_bp=1575,
            term_months=12,
            first_due=datetime.datetime(2026, 1, 31, tzinfo=datetime.UTC),
        )


# ------------------------------------------------------------------ loan_state


def test_loan_state_before_any_payment_is_the_full_principal() -> None:
    rows = schedule(1_000_000, 1200, 12)
    assert loan_state(schedule=rows, installments_paid=0) == LoanState(
        balance_cents=1_000_000,
        next_due_date=FIRST_DUE,
        next_payment_cents=88849,
        installments_remaining=12,
    )


def test_loan_state_after_some_payments_points_at_the_next_installment() -> None:
    rows = schedule(1_000_000, 1200, 12)
    state = loan_state(schedule=rows, installments_paid=3)
    assert state.balance_cents == rows[2].balance_after_cents
    assert state.next_due_date == datetime.date(2026, 4, 30)
    assert state.next_payment_cents == 88849
    assert state.installments_remaining == 9
    last = loan_state(schedule=rows, installments_paid=11)
    assert last.next_payment_cents == rows[-1].payment_cents
    assert last.balance_cents == rows[-1].principal_cents


def test_loan_state_when_everything_is_paid_has_no_next_installment() -> None:
    rows = schedule(1_000_000, 1200, 12)
    assert loan_state(schedule=rows, installments_paid=12) == LoanState(
        balance_cents=0, next_due_date=None, next_payment_cents=None, installments_remaining=0
    )


@pytest.mark.parametrize("paid", [-1, 13])
def test_loan_state_refuses_impossible_paid_counts(paid: int) -> None:
    with pytest.raises(ValueError, match="installments_paid"):
        loan_state(schedule=schedule(1_000_000, 1200, 12), installments_paid=paid)


def test_loan_state_refuses_an_empty_schedule() -> None:
    with pytest.raises(ValueError, match="empty"):
        loan_state(schedule=[], installments_paid=0)


# ------------------------------------------------------------------ term deposits


def test_term_deposit_interest_known_case() -> None:
    # $10,000.00 at 6.5 % for 180 days, base 360: 1,000,000 * 0.065 * 180 / 360.
    assert (
        term_deposit_interest(capital_cents=1_000_000, annual_rate_bp=650, term_days=180) == 32500
    )


def test_term_deposit_interest_rounds_half_up() -> None:
    # 100 * 1 % * 180 / 360 = 0.5 cents exactly; 99 cents gives 0.495.
    assert term_deposit_interest(capital_cents=100, annual_rate_bp=100, term_days=180) == 1
    assert term_deposit_interest(capital_cents=99, annual_rate_bp=100, term_days=180) == 0
    # 123,456 * 5.25 % * 31 / 360 = 558.1325 → 558; * 91 days = 1638.324 → 1638.
    assert term_deposit_interest(capital_cents=123_456, annual_rate_bp=525, term_days=31) == 558
    assert term_deposit_interest(capital_cents=123_456, annual_rate_bp=525, term_days=91) == 1638


def test_term_deposit_interest_matches_decimal_reference() -> None:
    for capital, rate_bp, days in itertools.product(
        (1, 333, 50_000, 1_000_000, 98_765_432), (0, 1, 425, 650, 875), (1, 30, 61, 180, 361, 720)
    ):
        expected = half_up(Decimal(capital * rate_bp * days) / Decimal(3_600_000))
        assert (
            term_deposit_interest(capital_cents=capital, annual_rate_bp=rate_bp, term_days=days)
            == expected
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"capital_cents": 0, "annual_rate_bp": 650, "term_days": 180},
        {"capital_cents": 100, "annual_rate_bp": -1, "term_days": 180},
        {"capital_cents": 100, "annual_rate_bp": 10_001, "term_days": 180},
        {"capital_cents": 100, "annual_rate_bp": 650, "term_days": 0},
        {"capital_cents": 100, "annual_rate_bp": 650, "term_days": 3651},
    ],
)
def test_term_deposit_interest_invalid_inputs_raise_value_error(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be in"):
        term_deposit_interest(**kwargs)


def test_term_deposit_maturity_adds_calendar_days() -> None:
    assert term_deposit_maturity(start=datetime.date(2026, 1, 31), term_days=180) == (
        datetime.date(2026, 7, 30)
    )
    assert term_deposit_maturity(start=datetime.date(2027, 12, 1), term_days=90) == (
        datetime.date(2028, 2, 29)
    )
    with pytest.raises(ValueError, match="term_days"):
        term_deposit_maturity(start=datetime.date(2026, 1, 1), term_days=0)


def test_interest_withholding_is_two_percent_half_up() -> None:
    assert interest_withholding(interest_cents=32500) == 650
    assert interest_withholding(interest_cents=25) == 1  # 0.5 → 1
    assert interest_withholding(interest_cents=24) == 0  # 0.48 → 0
    assert interest_withholding(interest_cents=0) == 0
    assert interest_withholding(interest_cents=32500, rate_bp=0) == 0
    with pytest.raises(ValueError, match="interest_cents"):
        interest_withholding(interest_cents=-1)


def test_div_half_up_rounds_ties_away_from_zero() -> None:
    assert div_half_up(5, 10) == 1
    assert div_half_up(4, 10) == 0
    assert div_half_up(-5, 10) == -1
    assert div_half_up(-4, 10) == 0
    with pytest.raises(ValueError, match="denominator"):
        div_half_up(1, 0)


# ------------------------------------------------------------------ cards


# Unicode digits that str.isdigit() accepts but a card number must not contain.
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in "5229711234561234")


def visible_digits(masked: str) -> int:
    return sum(char.isdigit() for char in masked)


def test_mask_card_number_shows_first_six_and_last_four_in_groups_of_four() -> None:
    assert mask_card_number("5229711234561234") == "5229 71** **** 1234"
    assert mask_card_number("5229-7112-3456-1234") == "5229 71** **** 1234"
    assert mask_card_number(" 5229 7112 3456 1234 ") == "5229 71** **** 1234"


@pytest.mark.parametrize("length", range(13, 20))
def test_mask_card_number_never_shows_more_than_ten_digits(length: int) -> None:
    number = "4" + "1234567890" * 2
    masked = mask_card_number(number[:length])
    assert visible_digits(masked) == 10
    assert masked.replace(" ", "")[:6] == number[:6]
    assert masked.replace(" ", "")[-4:] == number[:length][-4:]
    assert masked.count("*") == length - 10
    assert all(len(group) == 4 for group in masked.split(" ")[:-1])


@pytest.mark.parametrize(
    "number",
    ["", "123456789012", "4" * 20, "5229 71ab 3456 1234", FULLWIDTH_DIGITS],
)
def test_mask_card_number_refuses_malformed_numbers(number: str) -> None:
    with pytest.raises(ValueError, match="card number"):
        mask_card_number(number)


def test_card_last4() -> None:
    assert card_last4("5229 7112 3456 1234") == "1234"
    with pytest.raises(ValueError, match="card number"):
        card_last4("1234")


def test_luhn_card_number_is_deterministic_valid_and_well_formed() -> None:
    numbers = [luhn_card_number(prefix="522971", sequence=seq) for seq in range(500)]
    assert len(set(numbers)) == 500
    for seq, number in enumerate(numbers):
        assert luhn.is_valid(number)
        assert len(number) == 16
        assert number.startswith("522971")
        assert int(number[6:15]) == seq
    assert luhn_card_number(prefix="522971", sequence=42) == numbers[42]


@pytest.mark.parametrize("length", range(13, 20))
def test_luhn_card_number_supports_every_card_length(length: int) -> None:
    number = luhn_card_number(prefix="4", length=length, sequence=123)
    assert len(number) == length
    assert luhn.is_valid(number)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"prefix": "52a9", "sequence": 1},
        {"prefix": "", "sequence": 1},
        {"prefix": "522971", "length": 12, "sequence": 1},
        {"prefix": "522971", "length": 20, "sequence": 1},
        {"prefix": "522971", "sequence": 10**9},
        {"prefix": "522971", "sequence": -1},
        {"prefix": "1" * 15, "sequence": 0},
    ],
)
def test_luhn_card_number_refuses_impossible_requests(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several distinct messages
        luhn_card_number(**kwargs)


# ------------------------------------------------------------------ installment plans


def rebuild_principals(amount: int, payments: list[int], monthly_rate_bp: int) -> list[int]:
    """Principal parts implied by a plan's payments, using the documented rounding."""
    principals = []
    balance = amount
    for payment in payments:
        interest = half_up(Decimal(balance * monthly_rate_bp) / Decimal(10_000))
        principals.append(payment - interest)
        balance -= payment - interest
    return principals


@pytest.mark.parametrize(
    ("amount", "months", "rate_bp"),
    list(
        itertools.product(
            (1, 99, 100_000, 12_345_678), (3, 6, 9, 12, 18, 24, 36), (0, 1, 150, 229, 10_000)
        )
    ),
)
def test_installment_plan_principals_add_up_exactly(amount: int, months: int, rate_bp: int) -> None:
    payments = installment_plan(amount_cents=amount, months=months, monthly_rate_bp=rate_bp)
    assert len(payments) == months
    assert len(set(payments[:-1])) == 1
    principals = rebuild_principals(amount, payments, rate_bp)
    assert sum(principals) == amount
    assert min(principals) >= 0
    assert min(payments) >= 0


def test_installment_plan_without_interest_puts_the_remainder_on_the_last() -> None:
    assert installment_plan(amount_cents=100_000, months=3, monthly_rate_bp=0) == [
        33333,
        33333,
        33334,
    ]
    assert sum(installment_plan(amount_cents=12_345, months=36, monthly_rate_bp=0)) == 12_345


def test_installment_plan_with_interest_uses_the_french_payment() -> None:
    payments = installment_plan(amount_cents=100_000, months=12, monthly_rate_bp=150)
    expected = decimal_payment(100_000, Decimal("0.015"), 12)
    assert expected == 9168
    assert payments[:-1] == [9168] * 11
    assert payments[-1] == 9166


@pytest.mark.parametrize("months", [0, 1, 2, 4, 48])
def test_installment_plan_refuses_unsupported_months(months: int) -> None:
    with pytest.raises(ValueError, match="months"):
        installment_plan(amount_cents=100_000, months=months, monthly_rate_bp=0)


def test_installment_plan_refuses_invalid_amount_and_rate() -> None:
    with pytest.raises(ValueError, match="amount_cents"):
        installment_plan(amount_cents=0, months=3, monthly_rate_bp=0)
    with pytest.raises(ValueError, match="monthly_rate_bp"):
        installment_plan(amount_cents=100, months=3, monthly_rate_bp=-1)


# ------------------------------------------------------------------ no floats, ever

VALID_CALLS: list[tuple[Callable[..., object], dict[str, Any]]] = [
    (
        french_schedule,
        {
            "principal_cents": 100_000,
            "annual_rate_bp": 1575,
            "term_months": 12,
            "first_due": FIRST_DUE,
        },
    ),
    (term_deposit_interest, {"capital_cents": 100_000, "annual_rate_bp": 650, "term_days": 180}),
    (term_deposit_maturity, {"start": FIRST_DUE, "term_days": 180}),
    (interest_withholding, {"interest_cents": 32500, "rate_bp": 200}),
    (luhn_card_number, {"prefix": "522971", "length": 16, "sequence": 7}),
    (installment_plan, {"amount_cents": 100_000, "months": 12, "monthly_rate_bp": 150}),
]
NUMERIC_ARGS = [
    (function, name)
    for function, kwargs in VALID_CALLS
    for name, value in kwargs.items()
    if isinstance(value, int)
]


@pytest.mark.parametrize(("function", "name"), NUMERIC_ARGS)
@pytest.mark.parametrize("bad", [1000.0, 0.5, Decimal(1000), True])
def test_numeric_arguments_refuse_floats_decimals_and_bools(
    function: Callable[..., object], name: str, bad: object
) -> None:
    kwargs = dict(next(k for f, k in VALID_CALLS if f is function))
    function(**kwargs)  # the valid call works
    kwargs[name] = bad
    with pytest.raises(TypeError, match=name):
        function(**kwargs)


def test_loan_state_and_div_half_up_refuse_floats() -> None:
    rows = schedule(100_000, 1575, 12)
    with pytest.raises(TypeError, match="installments_paid"):
        loan_state(schedule=rows, installments_paid=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="numerator"):
        div_half_up(1.5, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number"):
        mask_card_number(5229711234561234)  # type: ignore[arg-type]
