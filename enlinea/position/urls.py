"""Posición consolidada: Mis productos, Cuentas and movements, Créditos, Inversiones, Tarjetas."""

from __future__ import annotations

app_name = "position"

urlpatterns: list = []
