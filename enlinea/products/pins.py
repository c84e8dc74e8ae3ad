"""The rules a card PIN must follow: the manual's "Indicaciones" of Cambiar PIN
("Evita usar dígitos consecutivos", "Evita usar tu fecha de nacimiento", "Evita
utilizar dígitos repetidos") as rules every PIN change enforces, not only the form.

``pin_problem`` gives the first rule a PIN breaks, in Spanish, or None:

* exactly four digits;
* no run of consecutive digits, up or down (1234, 4321, 2345, 8765…);
* no repeated digits: a PIN made of one or two different digits (1111, 1122, 1212,
  1112) is refused;
* not the holder's birth date in a usual four-digit form: DDMM, MMDD, YYYY or MMYY.
"""

from __future__ import annotations

import datetime as dt
import itertools

PIN_LENGTH = 4

MSG_FORMAT = "El PIN debe tener 4 dígitos."
MSG_CONSECUTIVE = "No uses dígitos consecutivos (como 1234, 4321 o 2345)."
MSG_REPEATED = "No uses dígitos repetidos: combina al menos tres dígitos diferentes."
MSG_BIRTH_DATE = "No uses tu fecha de nacimiento (día y mes, mes y día, año, o mes y año)."


def _consecutive(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {-1})


def birth_date_forms(birth_date: dt.date) -> set[str]:
    """The four-digit forms of a birth date a PIN must not be."""
    day, month, year = f"{birth_date.day:02d}", f"{birth_date.month:02d}", f"{birth_date.year}"
    return {day + month, month + day, year, month + year[-2:]}


def pin_problem(pin: str, *, birth_date: dt.date | None) -> str | None:
    """The first rule ``pin`` breaks (its Spanish message), or None when it is fine."""
    if len(pin or "") != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        return MSG_FORMAT
    if _consecutive(pin):
        return MSG_CONSECUTIVE
    if len(set(pin)) <= 2:
        return MSG_REPEATED
    if birth_date is not None and pin in birth_date_forms(birth_date):
        return MSG_BIRTH_DATE
    return None
