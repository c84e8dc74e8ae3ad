from __future__ import annotations

from enlinea.transfers.tests.conftest import other_savings, otro, savings, socio

__all__ = ["other_savings", "otro", "savings", "socio"]
