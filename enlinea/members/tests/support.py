"""Identification numbers for tests, computed (never hard-coded) and checked by stdnum."""

from __future__ import annotations

import itertools

from stdnum.ec import ci, ruc

_sequence = itertools.count(1)


def cedula_check_digit(first_nine: str) -> str:
    """Módulo 10: coefficients 2,1,2,1,… ; products over 9 lose 9."""
    total = 0
    for index, digit in enumerate(first_nine):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def make_cedula(province: str = "17", serial: int | None = None) -> str:
    """A valid cédula from ``province``; each call gives a new number unless ``serial``."""
    serial = next(_sequence) if serial is None else serial
    first_nine = f"{province}1{serial:06d}"
    number = first_nine + cedula_check_digit(first_nine)
    assert ci.is_valid(number), number
    return number


def with_wrong_check_digit(cedula: str) -> str:
    number = cedula[:9] + str((int(cedula[9]) + 1) % 10)
    assert not ci.is_valid(number)
    return number


def make_natural_ruc(serial: int | None = None) -> str:
    """A natural person's RUC: a valid cédula plus establishment 001."""
    number = make_cedula(serial=serial) + "001"
    assert ruc.is_valid(number), number
    return number


def member_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "identification_type": "CEDULA",
        "identification": make_cedula(),
        "first_names": "Andres David",
        "last_names": "Lopez Maya",
        "email": "andres.lopez@example.com",
        "mobile_phone": "0991234567",
    }
    data.update(overrides)
    return data
