"""Amounts that could mean two things are refused; every amount we print reads back.

"1.500" was read as fifteen hundred dollars and "0.001" as one dollar: a teller's
"0.001" deposit credited $ 1.00. A lone separator followed by three digits, or more
than two decimals, is now refused with the form to use instead.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import example, given
from hypothesis import strategies as st

from enlinea.money import AMBIGUOUS, AmountError, format_cents, max_amount, parse_amount

MAX = max_amount()


@pytest.mark.parametrize(
    "text",
    ["0.001", "1.500", "12.345", "1,500", "0,001", "10.001", "1.2345", "1,255.123", "1.255,123"],
)
def test_a_lone_separator_before_three_digits_or_extra_decimals_is_ambiguous(text: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(text)

    assert str(refused.value) == AMBIGUOUS
    assert "1,500.00 o 1500.00" in AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.255,02", 125_502),
        ("1,255.02", 125_502),
        ("1255.02", 125_502),
        ("1255", 125_500),
        ("1255,5", 125_550),
        ("1.255.000", 125_500_000),
        ("1,255,000", 125_500_000),
        ("1,500.00", 150_000),
        ("1500.00", 150_000),
        ("0.01", 1),
    ],
)
def test_what_ux_md_promises_is_still_accepted(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


def test_the_amount_that_overflowed_the_database_is_refused_in_spanish() -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount("99999999999999999999")

    assert str(refused.value) == "El monto no puede superar $ 999,999,999.99."


def test_the_maximum_is_accepted_and_one_cent_more_is_not() -> None:
    assert parse_amount(format_cents(MAX)) == MAX
    with pytest.raises(AmountError, match="no puede superar"):
        parse_amount(format_cents(MAX + 1))


@override_settings(MONEY_MAX_AMOUNT=100_000_00)
def test_the_maximum_is_the_institutions_setting() -> None:
    assert parse_amount("100,000.00") == 100_000_00
    with pytest.raises(AmountError) as refused:
        parse_amount("100,000.01")
    assert str(refused.value) == "El monto no puede superar $ 100,000.00."


# ---------------------------------------------------------------- properties

cents_values = st.integers(min_value=0, max_value=MAX)


def _spanish(cents: int) -> str:
    """``125502`` → ``1.255,02`` (dots for thousands, comma for decimals)."""
    dollars, rest = divmod(cents, 100)
    return f"{dollars:,}".replace(",", ".") + f",{rest:02d}"


@given(cents_values)
@example(0)
@example(1)
@example(MAX)
def test_every_printed_amount_reads_back_to_the_same_cents(cents: int) -> None:
    assert parse_amount(format_cents(cents)) == cents
    assert parse_amount(format_cents(cents).removeprefix("$ ")) == cents
    assert parse_amount(_spanish(cents)) == cents
    dollars, rest = divmod(cents, 100)
    assert parse_amount(f"{dollars}.{rest:02d}") == cents
    assert parse_amount(f"{dollars},{rest:02d}") == cents


digits = st.text(alphabet="0123456789", min_size=1, max_size=9)
separators = st.sampled_from([".", ","])
extra_decimals = st.text(alphabet="0123456789", min_size=3, max_size=8)


@st.composite
def ambiguous_amounts(draw: st.DrawFn) -> str:
    """Text where a separator is followed by three digits or more and nothing tells
    whether it groups thousands or starts decimals, or grouped amounts with more than
    two decimals."""
    kind = draw(st.sampled_from(["lone", "grouped_comma", "grouped_dot"]))
    whole = draw(st.text(alphabet="0123456789", min_size=1, max_size=3))
    groups = draw(st.lists(st.text(alphabet="0123456789", min_size=3, max_size=3), min_size=1))
    tail = draw(extra_decimals)
    if kind == "lone":
        text = f"{draw(digits)}{draw(separators)}{tail}"
    elif kind == "grouped_comma":
        text = f"{whole},{','.join(groups)}.{tail}"
    else:
        text = f"{whole}.{'.'.join(groups)},{tail}"
    return draw(st.sampled_from(["", "$ ", "$"])) + text


@given(ambiguous_amounts())
@example("0.001")
@example("1.500")
@example("12.345")
def test_nothing_ambiguous_is_accepted(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


@given(st.text(max_size=60))
@example("99999999999999999999")
@example("9" * 1000)
@example("1" + ",000" * 20)
def test_any_text_is_read_within_the_limits_or_refused_in_spanish(text: str) -> None:
    try:
        cents = parse_amount(text)
    except AmountError as exc:
        message = str(exc)
    else:
        assert isinstance(cents, int)
        assert 0 <= cents <= MAX
        return
    assert message in {
        "Ingresa un monto.",
        "Ingresa un monto mayor a cero.",
        "Ingresa un monto válido, por ejemplo 1,255.02.",
        AMBIGUOUS,
        "El monto no puede superar $ 999,999,999.99.",
    }
