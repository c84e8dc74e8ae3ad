"""A URLconf with views that fail, to see the error pages a member or staff would get."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from enlinea.urls import handler400, handler403, handler404, handler500
from enlinea.urls import urlpatterns as site_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secreto interno")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("permiso interno products.view_loan")


def bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("detalle interno del formulario")


urlpatterns = [
    path("boom/", boom),
    path("prohibido/", forbidden),
    path("mal/", bad),
    *site_patterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
