"""The refusals of the cupos, Spanish and meant for the member."""

from __future__ import annotations

from typing import Any

from enlinea.limits.models import PERIOD_ADJECTIVE
from enlinea.money import format_cents
from enlinea.products.services import ProductError


class LimitError(ProductError):
    """A refused cupo change or reservation. A dict of messages keys them by field
    (``daily``, ``weekly``, ``monthly``), as ``limits_set`` raises them."""


class LimitExceeded(LimitError):
    """The amount does not fit in what remains of one period's cupo.

    ``period`` is the period that binds (the one with the least remaining among those
    the amount passes), so the amount the message names is one the member can send.
    """

    def __init__(
        self, *, scope: str, period: str, amount: int, cupo: int, used: int, remaining: int
    ) -> None:
        self.scope = scope
        self.period = period
        self.amount = amount
        self.cupo = cupo
        self.used = used
        self.remaining = remaining
        super().__init__(
            f"El monto supera tu cupo {PERIOD_ADJECTIVE[period]} disponible de "
            f"{format_cents(remaining)}.",
            code=f"limit_{period}",
        )

    @property
    def detail(self) -> dict[str, Any]:
        """What an audit row of the refusal records (the caller writes it, outside the
        transaction the refusal rolls back)."""
        return {
            "scope": self.scope,
            "period": self.period,
            "amount": self.amount,
            "cupo": self.cupo,
            "used": self.used,
            "remaining": self.remaining,
        }
