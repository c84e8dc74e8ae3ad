"""Money at the edges: cents are integers everywhere inside; text only here.

Display follows the manual (``$ 1,255.02``). Parsing accepts what members paste:
``1255.02``, ``1,255.02``, ``1.255,02``, ``$ 1 255,02``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")
_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")
_PLAIN = re.compile(r"^\d+([.,]\d{1,2})?$")


class AmountError(ValueError):
    """An amount the member typed cannot be read; the message is for the member."""


def format_cents(cents: int) -> str:
    """``125502`` → ``$ 1,255.02``; negatives as ``-$ 1,255.02``."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"format_cents expects integer cents, got {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}$ {dollars:,}.{rest:02d}"


def parse_amount(text: str) -> int:
    """Read an amount typed by a member and return integer cents.

    Raises :class:`AmountError` with a Spanish message when the text is not an
    amount with at most two decimals, or when it is ambiguous.
    """
    cleaned = (text or "").strip().replace("$", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise AmountError("Ingresa un monto.")
    if cleaned.startswith("-"):
        raise AmountError("Ingresa un monto mayor a cero.")
    if _GROUPED_COMMA.match(cleaned):
        normal = cleaned.replace(",", "")
    elif _GROUPED_DOT.match(cleaned):
        normal = cleaned.replace(".", "").replace(",", ".")
    elif _PLAIN.match(cleaned):
        normal = cleaned.replace(",", ".")
    else:
        raise AmountError("Ingresa un monto válido, por ejemplo 1,255.02.")
    try:
        value = Decimal(normal)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above exclude it
        raise AmountError("Ingresa un monto válido, por ejemplo 1,255.02.") from exc
    return int(value * 100)
