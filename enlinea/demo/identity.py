from __future__ import annotations

from stdnum.ec import ci


def cedula(province: str, serial: int) -> str:
    """A valid cédula for ``province`` (two digits) and a serial below 6,000,000."""
    if not 0 <= serial < 6_000_000:
        raise ValueError("serial out of range")
    first_nine = f"{province}{serial:07d}"
    total = 0
    for index, digit in enumerate(first_nine):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    number = first_nine + str((10 - total % 10) % 10)
    return ci.validate(number)
