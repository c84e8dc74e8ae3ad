"""Money at the edges: cents are integers everywhere inside; text only here.

Display follows the manual (``$ 1,255.02``). Parsing accepts what people paste when it
can mean only one amount: ``1255.02``, ``1,255.02``, ``1.255,02``, ``$ 1 255,02``,
``1255``, ``1255,5``. It refuses what could mean two: ``1.500`` is one and a half
dollars for some and fifteen hundred for others (and ``0.001`` is no amount at all),
so a lone separator followed by three digits, or any amount with more than two
decimals, is refused with the form to use instead. Amounts above the institution's
maximum (``settings.MONEY_MAX_AMOUNT``, in cents) are refused too: nothing larger
reaches a service or the database.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings

# re.ASCII: only 0-9 are digits (Python's \d also matches Arabic-Indic and other digits).
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", re.ASCII)
_GROUPED_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:[.,]\d{1,2})?", re.ASCII)
# One separator and then three digits or more: grouping or decimals, nobody can tell.
_AMBIGUOUS = re.compile(r"\d+[.,]\d{3,}", re.ASCII)
# Grouped thousands with more decimals than cents: "1,255.123", "1.255,123".
_TOO_PRECISE = re.compile(r"(?:\d{1,3}(?:,\d{3})+\.|\d{1,3}(?:\.\d{3})+,)\d{3,}", re.ASCII)

# Longer text is no amount anybody typed; refuse it before any work.
_MAX_TEXT = 40

INVALID = "Ingresa un monto válido, por ejemplo 1,255.02."
AMBIGUOUS = "Escribe el monto con dos decimales como máximo, por ejemplo 1,500.00 o 1500.00."


class AmountError(ValueError):
    """An amount the member typed cannot be read; the message is for the member."""


def format_cents(cents: int) -> str:
    """``125502`` → ``$ 1,255.02``; negatives as ``-$ 1,255.02``."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"format_cents expects integer cents, got {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}$ {dollars:,}.{rest:02d}"


def max_amount() -> int:
    """The largest amount, in cents, that any form or service accepts."""
    return settings.MONEY_MAX_AMOUNT


def over_maximum_message(maximum: int | None = None) -> str:
    return (
        f"El monto no puede superar {format_cents(max_amount() if maximum is None else maximum)}."
    )


def parse_amount(text: str) -> int:
    """Read an amount typed by a person and return integer cents (zero included).

    Raises :class:`AmountError` with a Spanish message when the text is not an
    amount with at most two decimals, when it is ambiguous, or when it is above the
    institution's maximum.
    """
    cleaned = (text or "").strip().replace("$", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise AmountError("Ingresa un monto.")
    if len(cleaned) > _MAX_TEXT:
        raise AmountError(over_maximum_message() if cleaned.isdigit() else INVALID)
    if cleaned.startswith("-"):
        raise AmountError("Ingresa un monto mayor a cero.")
    if _AMBIGUOUS.fullmatch(cleaned):
        raise AmountError(AMBIGUOUS)
    if _GROUPED_COMMA.fullmatch(cleaned):
        normal = cleaned.replace(",", "")
    elif _GROUPED_DOT.fullmatch(cleaned):
        normal = cleaned.replace(".", "").replace(",", ".")
    elif _PLAIN.fullmatch(cleaned):
        normal = cleaned.replace(",", ".")
    elif _TOO_PRECISE.fullmatch(cleaned):
        raise AmountError(AMBIGUOUS)
    else:
        raise AmountError(INVALID)
    # At most two decimals and only ASCII digits: the product is an exact integer.
    cents = int(Decimal(normal) * 100)
    if cents > max_amount():
        raise AmountError(over_maximum_message())
    return cents
