"""Pagos: Pago de tarjetas (``urls_cards``) and Pago de servicios (``urls_bills``)."""

from __future__ import annotations

from django.urls import include, path

app_name = "payments"

urlpatterns = [
    path("pago-tarjetas/", include("enlinea.payments.urls_cards")),
    path("pago-servicios/", include("enlinea.payments.urls_bills")),
]
