from __future__ import annotations

from django.urls import path

from enlinea.access import views_profile as views
from enlinea.access import views_recovery

app_name = "profile"

urlpatterns = [
    path("perfil/preguntas/", views.questions, name="questions"),
    path("perfil/imagen/", views.image, name="image"),
    path("perfil/contrasena/", views.password, name="password"),
    path("perfil/usuario/", views.username, name="username"),
    path("perfil/dispositivos/", views.devices_list, name="devices"),
    path("perfil/dispositivos/<int:device_id>/", views.device_detail, name="device"),
    path(
        "perfil/dispositivos/<int:device_id>/eliminar/",
        views.device_remove,
        name="device_remove",
    ),
    path("perfil/terminos/", views.terms, name="terms"),
    path("perfil/bloquear/", views.block, name="block"),
    path("recuperar/", views_recovery.recover, name="recover"),
    path("recuperar/preguntas/", views_recovery.recover_questions, name="recover_questions"),
    path("recuperar/contrasena/", views_recovery.recover_password, name="recover_password"),
    path("recuperar/listo/", views_recovery.recover_done, name="recover_done"),
    path("recuperar/bloquear/", views_recovery.recover_block, name="recover_block"),
    path("acceso-bloqueado/", views_recovery.blocked, name="blocked"),
]
