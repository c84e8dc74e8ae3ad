"""Pago de tarjetas, under ``/pago-tarjetas/`` in the ``payments`` namespace."""

from __future__ import annotations

from django.urls import path

from . import views_cards

urlpatterns = [
    path("", views_cards.card_list, name="card_list"),
    path("nueva/", views_cards.card_new, name="card_new"),
    path("tarjeta/<int:beneficiary_id>/pagar/", views_cards.card_pay, name="card_pay"),
    path("mis-tarjetas/<str:reference>/pagar/", views_cards.own_card_pay, name="own_card_pay"),
]
