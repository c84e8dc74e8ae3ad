"""Diferir consumos (``views_defer``)."""

from __future__ import annotations

from django.urls import path

from . import views_defer

urlpatterns = [
    path("credito/<str:reference>/diferir/", views_defer.defer, name="defer"),
]
