from __future__ import annotations

from django.urls import path

from enlinea.web import views

app_name = "web"

urlpatterns = [
    path("inicio/", views.home, name="home"),
    path("menu/<slug:slug>/", views.section, name="section"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/componentes/", views.components, name="components"),
]
