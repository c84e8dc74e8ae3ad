"""Cambiar PIN, Generar PIN and the generated PIN's one-time page (``views_pin``)."""

from __future__ import annotations

from django.urls import path

from . import views_pin

urlpatterns = [
    path("<cardkind:kind>/<str:reference>/cambiar-pin/", views_pin.pin_change, name="pin_change"),
    path(
        "<cardkind:kind>/<str:reference>/generar-pin/", views_pin.pin_generate, name="pin_generate"
    ),
    path("pin/", views_pin.pin_reveal, name="pin_reveal"),
    path("pin/<str:token>/", views_pin.pin_link, name="pin_link"),
]
