"""The payments' operation kinds on the confirmation flow, one module per flow:
card payments (``confirmations_cards``) and service payments and schedules
(``confirmations_bills``)."""

from __future__ import annotations

from enlinea.payments import confirmations_bills, confirmations_cards  # noqa: F401
