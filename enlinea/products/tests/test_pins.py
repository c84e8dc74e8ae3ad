"""The PIN rules (manual, Cambiar PIN, Indicaciones) as rules of the service."""

from __future__ import annotations

import datetime as dt

import pytest

from enlinea.products.pins import (
    MSG_BIRTH_DATE,
    MSG_CONSECUTIVE,
    MSG_FORMAT,
    MSG_REPEATED,
    birth_date_forms,
    pin_problem,
)

BORN = dt.date(1987, 3, 14)


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("123", MSG_FORMAT),
        ("12345", MSG_FORMAT),
        ("12a4", MSG_FORMAT),
        ("١٢٣٤", MSG_FORMAT),  # non-ASCII digits
        ("", MSG_FORMAT),
        ("1234", MSG_CONSECUTIVE),
        ("4321", MSG_CONSECUTIVE),
        ("2345", MSG_CONSECUTIVE),  # the old list of weak PINs let this one through
        ("6789", MSG_CONSECUTIVE),
        ("9876", MSG_CONSECUTIVE),
        ("0123", MSG_CONSECUTIVE),
        ("3210", MSG_CONSECUTIVE),
        ("1111", MSG_REPEATED),
        ("0000", MSG_REPEATED),
        ("1122", MSG_REPEATED),
        ("1212", MSG_REPEATED),
        ("1112", MSG_REPEATED),
        ("9099", MSG_REPEATED),
        ("1403", MSG_BIRTH_DATE),  # DDMM
        ("0314", MSG_BIRTH_DATE),  # MMDD
        ("1987", MSG_BIRTH_DATE),  # YYYY
        ("0387", MSG_BIRTH_DATE),  # MMYY
    ],
)
def test_each_rule_refuses_with_its_spanish_message(pin: str, message: str) -> None:
    assert pin_problem(pin, birth_date=BORN) == message


@pytest.mark.parametrize("pin", ["8361", "2580", "1357", "9021", "4719", "1243", "3201"])
def test_pins_that_follow_every_rule_pass(pin: str) -> None:
    assert pin_problem(pin, birth_date=BORN) is None


def test_birth_date_forms_and_no_birth_date_known() -> None:
    assert birth_date_forms(dt.date(2001, 12, 5)) == {"0512", "1205", "2001", "1201"}
    assert pin_problem("1403", birth_date=None) is None
