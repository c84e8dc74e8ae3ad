"""Pago de tarjetas on the confirmation flow (kinds registered at import)."""

from __future__ import annotations
