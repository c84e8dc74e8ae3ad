"""The card management's operation kinds on the confirmation flow, one module per flow:
PIN (``confirmations_pin``), deferrals (``confirmations_defer``), lock and travel
notices (``confirmations_lock``)."""

from __future__ import annotations

from enlinea.cards import confirmations_defer, confirmations_lock, confirmations_pin  # noqa: F401
