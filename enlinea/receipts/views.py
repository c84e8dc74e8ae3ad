"""Comprobante pages (manual 2, "Consulta de movimientos", Paso 6): a printable page with
"Imprimir", its PDF, and the comprobante of one movement ("Descargar" on each row).

Views find the member with ``member_for_request`` and read only through
``enlinea.receipts.selectors``: another member's receipt or movement answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request

from .documents import receipt_pdf
from .selectors import ReceiptView, receipt_for_posting, receipt_view_for_member

SECTION = "posicion-consolidada"


def _page(request: HttpRequest, view: ReceiptView, *, pdf_url: str) -> HttpResponse:
    back_url = (
        reverse("position:account_movements", args=[view.account_number])
        if view.account_number
        else reverse("position:accounts")
    )
    context = {"current_slug": SECTION, "receipt": view, "pdf_url": pdf_url, "back_url": back_url}
    return render(request, "receipts/detail.html", context)


def _pdf_response(view: ReceiptView) -> HttpResponse:
    response = HttpResponse(receipt_pdf(view), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="comprobante-{view.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def receipt_detail(request: HttpRequest, number: int) -> HttpResponse:
    view = receipt_view_for_member(member=member_for_request(request), number=number)
    return _page(request, view, pdf_url=reverse("receipts:pdf", args=[number]))


@login_required
@require_GET
def receipt_download(request: HttpRequest, number: int) -> HttpResponse:
    view = receipt_view_for_member(member=member_for_request(request), number=number)
    return _pdf_response(view)


@login_required
@require_GET
def movement_receipt(request: HttpRequest, number: str, posting_id: int) -> HttpResponse:
    """The comprobante of one movement; ``?formato=pdf`` downloads it as a PDF."""
    view = receipt_for_posting(
        member=member_for_request(request), account_number=number, posting_id=posting_id
    )
    if request.GET.get("formato") == "pdf":
        return _pdf_response(view)
    if view.number is not None:
        pdf_url = reverse("receipts:pdf", args=[view.number])
    else:
        pdf_url = reverse("position:movement_receipt", args=[number, posting_id]) + "?formato=pdf"
    return _page(request, view, pdf_url=pdf_url)
