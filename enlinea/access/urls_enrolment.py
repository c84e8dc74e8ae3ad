"""Regístrate (manual "COMO AFILIARTE") and Primer ingreso (manual "PRIMER INGRESO").

Their security code (Regístrate Paso 5, Primer ingreso Paso 7) and "¡Registro
exitoso!" are the confirmation flow's pages (``/operaciones/<token>/…``).
"""

from __future__ import annotations

from django.urls import path

from enlinea.access import views_enrolment as views

app_name = "enrol"

urlpatterns = [
    path("registro/", views.register, name="register"),
    path("registro/terminos/", views.register_terms, name="register_terms"),
    path("registro/tratamiento-de-datos/", views.register_data, name="register_data"),
    path("primer-ingreso/", views.setup, name="setup"),
    path("primer-ingreso/usuario/", views.setup_username, name="setup_username"),
    path("primer-ingreso/preguntas/", views.setup_questions, name="setup_questions"),
    path("primer-ingreso/imagen/", views.setup_image, name="setup_image"),
    path("primer-ingreso/contrasena/", views.setup_password, name="setup_password"),
    path("primer-ingreso/dispositivo/", views.setup_device, name="setup_device"),
    path("primer-ingreso/salir/", views.setup_exit, name="setup_exit"),
    path("primer-ingreso/listo/", views.setup_done, name="setup_done"),
]
