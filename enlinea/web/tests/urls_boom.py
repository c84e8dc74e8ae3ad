"""A URLconf with a view that fails, to see the 500 page a member would get."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from enlinea.urls import handler404, handler500
from enlinea.urls import urlpatterns as site_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secreto interno")


urlpatterns = [path("boom/", boom), *site_patterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
