"""URLs of the member's transfers (``/transferencias/…``)."""

from __future__ import annotations

from django.urls import path

from enlinea.transfers import views

app_name = "transfers"

urlpatterns = [
    path("propias/", views.transfer_own, name="own"),
    path("cooprogreso/", views.transfer_internal, name="internal"),
    path("interbancarias/", views.transfer_interbank, name="interbank"),
    path("frecuentes/", views.transfer_frequent, name="frequent"),
    path("historial/", views.transfer_history, name="history"),
]
