from __future__ import annotations

from django.urls import path

from enlinea.support import views

app_name = "support"

urlpatterns = [
    path("", views.home, name="home"),
    path("centro-de-llamadas/", views.call_center, name="call_center"),
    path("preguntas-frecuentes/", views.faq, name="faq"),
    path("quejas/", views.complaint_list, name="complaints"),
    path("quejas/nueva/", views.complaint_new, name="complaint_new"),
    path("quejas/<int:complaint_id>/", views.complaint_detail, name="complaint_detail"),
    path("quejas/<int:complaint_id>/enviada/", views.complaint_sent, name="complaint_sent"),
]
