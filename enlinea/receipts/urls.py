"""URLs of enlinea.receipts: the comprobante page and its PDF (``/comprobantes/…``).
The comprobante of one movement lives with the movements: ``position:movement_receipt``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "receipts"

urlpatterns: list = [
    path("<int:number>/", views.receipt_detail, name="detail"),
    path("<int:number>.pdf", views.receipt_download, name="pdf"),
]
