"""Bloquear / Desbloquear tarjeta and Aviso de viaje (``views_lock``)."""

from __future__ import annotations

from django.urls import path

from . import views_lock

urlpatterns = [
    path("<cardkind:kind>/<str:reference>/bloquear/", views_lock.card_lock, name="lock"),
    path("<cardkind:kind>/<str:reference>/desbloquear/", views_lock.card_unlock, name="unlock"),
    path("<cardkind:kind>/<str:reference>/aviso-de-viaje/", views_lock.travel, name="travel"),
]
