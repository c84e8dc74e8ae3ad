from __future__ import annotations

from django.urls import path

from enlinea.limits import views

app_name = "limits"

urlpatterns = [
    path("personalizacion-de-cupos/", views.limits_edit, name="edit"),
]
