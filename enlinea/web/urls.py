from __future__ import annotations

from django.urls import path

from enlinea.web import views

app_name = "web"

urlpatterns = [
    path("", views.LoginView.as_view(), name="login"),
    path("registro/", views.unavailable, {"title": "Regístrate"}, name="register"),
    path("recuperar/", views.unavailable, {"title": "Recuperar contraseña"}, name="forgot"),
    path("salir/", views.LogoutView.as_view(), name="logout"),
    path("inicio/", views.home, name="home"),
    path("menu/<slug:slug>/", views.section, name="section"),
    path("healthz", views.healthz, name="healthz"),
    path("dev/componentes/", views.components, name="components"),
]
