from __future__ import annotations

import pytest

from enlinea.money import AmountError, format_cents, parse_amount


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (125502, "$ 1,255.02"),
        (0, "$ 0.00"),
        (5, "$ 0.05"),
        (19995684, "$ 199,956.84"),
        (-36, "-$ 0.36"),
        (100000000, "$ 1,000,000.00"),
    ],
)
def test_format_cents_matches_the_manual(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize("value", [12.5, "125", None, True])
def test_format_cents_refuses_anything_but_integer_cents(value: object) -> None:
    with pytest.raises(TypeError):
        format_cents(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1255.02", 125502),
        ("1,255.02", 125502),
        ("1.255,02", 125502),
        ("$ 1,255.02", 125502),
        (" 1 255,02 ", 125502),
        ("0.5", 50),
        ("12", 1200),
        ("12,5", 1250),
        ("1.000.000", 100000000),
        ("1,000,000.99", 100000099),
    ],
)
def test_parse_amount_accepts_what_members_paste(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ingresa un monto."),
        ("-5", "Ingresa un monto mayor a cero."),
        ("abc", "Ingresa un monto válido, por ejemplo 1,255.02."),
        ("1,2,3", "Ingresa un monto válido, por ejemplo 1,255.02."),
        ("1e5", "Ingresa un monto válido, por ejemplo 1,255.02."),
        ("١٢٣", "Ingresa un monto válido, por ejemplo 1,255.02."),
        ("1\n2", "Ingresa un monto válido, por ejemplo 1,255.02."),
        ("12.5\n0", "Ingresa un monto válido, por ejemplo 1,255.02."),
    ],
)
def test_parse_amount_refuses_unreadable_amounts(text: str, message: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(text)
    assert str(refused.value) == message
