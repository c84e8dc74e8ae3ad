"""The comprobante as a PDF, through the shared documents module (one PDF mechanism)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from enlinea.money import format_cents
from enlinea.web.templatetags.formato import fecha

from .selectors import Party, ReceiptView


def receipt_title(view: ReceiptView) -> str:
    return f"Comprobante {view.title}"


def _party(party: Party) -> list[tuple[str, str]]:
    rows = [("Nombre", party.name)]
    if party.identification:
        rows.append(("Identificación", party.identification))
    if party.account:
        rows.append(("N.º Cta.", party.account))
    if party.institution:
        rows.append(("Institución financiera", party.institution))
    return rows


def receipt_sections(view: ReceiptView) -> list[tuple[str, list[tuple[str, str]]]]:
    """The comprobante's sections as (heading, [(label, value), …]), in the page's order."""
    number = (
        ("Comprobante N.º", str(view.number)) if view.number else ("Referencia", view.reference)
    )
    detail = [
        number,
        ("Tipo", view.kind_label),
        (view.amount_label, format_cents(view.amount)),
        ("Comisión", format_cents(view.commission)),
    ]
    if view.iva:
        detail.append(("IVA", format_cents(view.iva)))
    detail += [
        (view.total_label, format_cents(view.total)),
        ("Fecha", fecha(timezone.localtime(view.occurred_at))),
        ("Canal", view.channel),
        ("Motivo", view.motive or "—"),
    ]
    if view.status:
        detail.append(("Estado", view.status))
    sections = [("Detalle", detail)]
    if view.origin:
        sections.append(("Cuenta de origen", _party(view.origin)))
    if view.beneficiary:
        sections.append(("Beneficiario", _party(view.beneficiary)))
    return sections


def receipt_pdf(view: ReceiptView) -> bytes:
    from enlinea.documents.pdf import key_value_pdf  # the shared PDF writer

    footer = f"{settings.INSTITUTION['name']} · Reclamos: {settings.INSTITUTION['call_center']}"
    return key_value_pdf(receipt_title(view), receipt_sections(view), footer=footer)
