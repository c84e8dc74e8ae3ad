"""The card processor, behind an interface. The simulator is the default; a real
processor is a new class with the same methods, chosen in settings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from enlinea.products.finance import luhn_card_number


@dataclass(frozen=True)
class Authorization:
    approved: bool
    code: str
    reason: str = ""


class CardProcessor(Protocol):
    def issue_number(self, *, bin6: str) -> str:
        """A new card number under a BIN. Only its first 6 and last 4 are kept here."""

    def authorize(self, *, last4: str, amount: int, merchant: str, key: str) -> Authorization:
        """Ask the network to approve a purchase."""


class SimulatedCardProcessor:
    """Behaves like the network: numbers with valid check digits, authorization codes,
    and declines for amounts above its single-purchase ceiling."""

    MAX_SINGLE_PURCHASE = 1_000_000  # $ 10,000.00

    def issue_number(self, *, bin6: str) -> str:
        # The network assigns account numbers under the BIN; any 9 digits will do here.
        return luhn_card_number(prefix=bin6, sequence=secrets.randbelow(10**9))

    def authorize(self, *, last4: str, amount: int, merchant: str, key: str) -> Authorization:
        code = hashlib.sha256(f"{last4}:{key}".encode()).hexdigest()[:6].upper()
        if amount > self.MAX_SINGLE_PURCHASE:
            return Authorization(False, code, "Monto excede el máximo por transacción")
        return Authorization(True, code)


def card_processor() -> CardProcessor:
    path = getattr(
        settings, "CARD_PROCESSOR", "enlinea.products.card_processor.SimulatedCardProcessor"
    )
    return import_string(path)()
