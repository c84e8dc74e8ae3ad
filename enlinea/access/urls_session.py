from __future__ import annotations

from django.urls import path

from enlinea.access import views_session as views
from enlinea.access import views_username

app_name = "session"

urlpatterns = [
    path("", views.login_username, name="login"),
    path("ingreso/clave/", views.login_password, name="password"),
    path("ingreso/no-es-mi-imagen/", views.not_my_image, name="not_my_image"),
    path("ingreso/dispositivo/", views.login_device, name="device"),
    path("ingreso/olvide-mi-usuario/", views_username.username_remind, name="username_remind"),
    path("ingreso/olvide-mi-usuario/codigo/", views_username.username_code, name="username_code"),
    path(
        "ingreso/olvide-mi-usuario/reenviar/",
        views_username.username_resend,
        name="username_resend",
    ),
    path("ingreso/olvide-mi-usuario/enviado/", views_username.username_done, name="username_done"),
    path("salir/", views.logout_view, name="logout"),
    path("sesion/continuar/", views.keep_alive, name="keep_alive"),
    path("sesion/cerrada/", views.expired, name="expired"),
]
