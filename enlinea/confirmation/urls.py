from __future__ import annotations

from django.urls import path

from enlinea.confirmation import views

app_name = "confirmation"

urlpatterns = [
    path("operaciones/<str:token>/", views.operation_page, name="operation"),
    path("operaciones/<str:token>/codigo/", views.operation_code, name="code"),
    path("operaciones/<str:token>/reenviar/", views.operation_resend, name="resend"),
    path("operaciones/<str:token>/resultado/", views.operation_result, name="result"),
]
