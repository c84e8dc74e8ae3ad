"""Pago de servicios (manual 5), under /pago-servicios/ (namespace ``payments``)."""

from __future__ import annotations

from django.urls import path

from . import views_bills

urlpatterns = [
    path("pagar/", views_bills.bill_pay, name="bill_pay"),
    path("frecuentes/", views_bills.bill_frequent, name="bill_frequent"),
    path(
        "frecuentes/<int:pk>/eliminar/",
        views_bills.bill_saved_delete,
        name="bill_saved_delete",
    ),
    path("historial/", views_bills.bill_history, name="bill_history"),
]

urlpatterns += [
    path("programados/", views_bills.bill_schedules, name="bill_schedules"),
    path("programados/nuevo/", views_bills.bill_schedule_new, name="bill_schedule_new"),
    path("programados/<int:pk>/editar/", views_bills.bill_schedule_edit, name="bill_schedule_edit"),
    path(
        "programados/<int:pk>/eliminar/",
        views_bills.bill_schedule_delete,
        name="bill_schedule_delete",
    ),
]
