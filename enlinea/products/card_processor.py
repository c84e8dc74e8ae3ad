"""The card processor, behind an interface. The simulator is the default; a real
processor is a new class with the same methods, chosen in settings.

The processor decides every purchase: besides its own checks it applies the controls
the member set in Tarjetas (``enlinea.cards.lock``), which this app tells it with
``card_controls_set`` each time they change: the member's temporary lock and the
travel notices (Aviso de viaje) outside which a purchase abroad is refused. A card is
named to the processor by ``processor_card_ref`` ("debito:<id>" / "credito:<id>"),
never by its number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from enlinea.products.finance import luhn_card_number
from enlinea.products.models import CreditCard, ProcessorSimulatorCard

HOME_COUNTRY = "EC"
REASON_LOCKED = "Tarjeta bloqueada temporalmente por el socio"
REASON_ABROAD = "Compra en el exterior sin aviso de viaje"
REASON_OVER_MAX = "Monto excede el máximo por transacción"


@dataclass(frozen=True)
class Authorization:
    approved: bool
    code: str
    reason: str = ""


def processor_card_ref(card: Any) -> str:
    """How the processor knows a card: its kind and id ("debito:12" / "credito:7")."""
    return f"{'credito' if isinstance(card, CreditCard) else 'debito'}:{card.pk}"


class CardProcessor(Protocol):
    def issue_number(self, *, bin6: str) -> str:
        """A new card number under a BIN. Only its first 6 and last 4 are kept here."""

    def authorize(
        self,
        *,
        last4: str,
        amount: int,
        merchant: str,
        key: str,
        card: str = "",
        country: str = HOME_COUNTRY,
    ) -> Authorization:
        """Ask the network to approve a purchase of ``card`` (``processor_card_ref``)
        made in ``country`` (ISO 3166 alpha-2)."""

    def card_controls_set(self, *, card: str, locked: bool, travel: list[dict[str, Any]]) -> None:
        """Replace the card's controls: the member's lock and the travel notices, each
        ``{"starts": "YYYY-MM-DD", "ends": "YYYY-MM-DD", "countries": ["CO", …]}``."""


class SimulatedCardProcessor:
    """Behaves like the network: numbers with valid check digits, authorization codes,
    declines for amounts above its single-purchase ceiling, for a card its member locked
    and for a purchase abroad no travel notice covers. Its controls live in its own
    table (``ProcessorSimulatorCard``), as a real processor keeps them on its side; it
    writes them in the caller's transaction, so they change with the member's records
    or not at all."""

    MAX_SINGLE_PURCHASE = 1_000_000  # $ 10,000.00

    def issue_number(self, *, bin6: str) -> str:
        # The network assigns account numbers under the BIN; any 9 digits will do here.
        return luhn_card_number(prefix=bin6, sequence=secrets.randbelow(10**9))

    def authorize(
        self,
        *,
        last4: str,
        amount: int,
        merchant: str,
        key: str,
        card: str = "",
        country: str = HOME_COUNTRY,
    ) -> Authorization:
        code = hashlib.sha256(f"{last4}:{key}".encode()).hexdigest()[:6].upper()
        if amount > self.MAX_SINGLE_PURCHASE:
            return Authorization(False, code, REASON_OVER_MAX)
        controls = self._controls(card)
        if controls is not None and controls.locked:
            return Authorization(False, code, REASON_LOCKED)
        country = (country or HOME_COUNTRY).upper()
        if country != HOME_COUNTRY and not _travel_covers(
            controls.travel if controls is not None else [], country, timezone.localdate()
        ):
            return Authorization(False, code, REASON_ABROAD)
        return Authorization(True, code)

    def card_controls_set(self, *, card: str, locked: bool, travel: list[dict[str, Any]]) -> None:
        ProcessorSimulatorCard.objects.update_or_create(
            card=card,
            defaults={
                "locked": locked,
                "travel": [
                    {
                        "starts": str(entry["starts"]),
                        "ends": str(entry["ends"]),
                        "countries": [str(c).upper() for c in entry["countries"]],
                    }
                    for entry in travel
                ],
            },
        )

    @staticmethod
    def _controls(card: str) -> ProcessorSimulatorCard | None:
        if not card:
            return None
        return ProcessorSimulatorCard.objects.filter(card=card).first()


def _travel_covers(travel: list[dict[str, Any]], country: str, day: dt.date) -> bool:
    for entry in travel:
        starts = dt.date.fromisoformat(entry["starts"])
        ends = dt.date.fromisoformat(entry["ends"])
        if starts <= day <= ends and country in entry["countries"]:
            return True
    return False


def card_processor() -> CardProcessor:
    path = getattr(
        settings, "CARD_PROCESSOR", "enlinea.products.card_processor.SimulatedCardProcessor"
    )
    return import_string(path)()
