from __future__ import annotations

from django.urls import path

from enlinea.notifications import views

app_name = "notifications"

urlpatterns = [
    path("dev/buzon/", views.mailbox, name="mailbox"),
    path("dev/buzon/<int:pk>/", views.mailbox_item, name="mailbox_item"),
]
