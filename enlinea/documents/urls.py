"""Downloads (PDF and Excel) and Servicios > Estado de cuenta."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "documentos/cuentas/<str:number>/movimientos.pdf",
        views.movements_pdf,
        name="movements_pdf",
    ),
    path(
        "documentos/cuentas/<str:number>/movimientos.xlsx",
        views.movements_xlsx,
        name="movements_xlsx",
    ),
    path(
        "documentos/creditos/<str:number>/amortizacion.pdf",
        views.loan_schedule_pdf,
        name="loan_schedule_pdf",
    ),
    path(
        "documentos/creditos/<str:number>/amortizacion.xlsx",
        views.loan_schedule_xlsx,
        name="loan_schedule_xlsx",
    ),
    path("servicios/estado-de-cuenta/", views.statement, name="statement"),
    path(
        "documentos/cuentas/<str:number>/estado-de-cuenta/<int:year>-<int:month>.pdf",
        views.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "documentos/cuentas/<str:number>/certificado.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
]
