"""What every money operation on the confirmation flow shows and re-checks the same way:
the source account (the member's, still there), the fee rows of the Confirmar page, and
that the tariff did not change between Confirmar and the code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import Rows
from enlinea.money import format_cents
from enlinea.products.models import DepositAccount
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.tariff.services import Fees

MSG_SOURCE_GONE = "La cuenta de origen ya no está disponible: vuelve a empezar."
MSG_FEE_CHANGED = (
    "La comisión de esta operación cambió después de confirmar: vuelve a empezar para ver "
    "la comisión vigente."
)


def operation_source(operation: PendingOperation) -> DepositAccount:
    """The operation's ``content["source"]`` among the member's own accounts, or the
    refusal (the account was closed or is not theirs)."""
    source = (
        accounts_for_member(member=operation.member)
        .filter(number=operation.content["source"])
        .first()
    )
    if source is None:
        raise ValidationError(MSG_SOURCE_GONE)
    return source


def fees_unchanged(content: Mapping[str, Any], fees: Fees) -> None:
    """Refuse when the tariff's fee is no longer the one the member confirmed."""
    if (fees.commission, fees.iva) != (content["commission"], content["iva"]):
        raise ValidationError(MSG_FEE_CHANGED)


def fee_rows(content: Mapping[str, Any], *, total_label: str = "Total a debitar") -> Rows:
    """Comisión, IVA (when there is one) and the total of ``amount`` plus both."""
    rows: Rows = [("Comisión", format_cents(content["commission"]))]
    if content["iva"]:
        rows.append(("IVA", format_cents(content["iva"])))
    total = content["amount"] + content["commission"] + content["iva"]
    rows.append((total_label, format_cents(total)))
    return rows


def debited_rows(
    receipt: Any,
    *,
    member: Any,
    source_number: str,
    amount_label: str,
    motive: bool = True,
) -> Rows:
    """The first rows of every money result page ("¡Transferencia exitosa!", "¡Pago
    exitoso!"), read from the receipt: the amount, Comisión, IVA, Total debitado, Motivo,
    Fecha and the source account (its holder, its number masked)."""
    from enlinea.receipts.selectors import mask_account
    from enlinea.web.templatetags.formato import fecha

    rows: Rows = [
        (amount_label, format_cents(receipt.amount)),
        ("Comisión", format_cents(receipt.commission)),
    ]
    if receipt.iva:
        rows.append(("IVA", format_cents(receipt.iva)))
    rows.append(("Total debitado", format_cents(receipt.total)))
    if motive:
        rows.append(("Motivo", receipt.motive or "—"))
    rows += [
        ("Fecha", fecha(receipt.created_at)),
        ("Cuenta de origen · Nombre", member.full_name),
        ("Cuenta de origen · N.º Cta.", mask_account(source_number)),
    ]
    return rows


def receipt_result(
    receipt: Any,
    *,
    title: str,
    details: Rows,
    again_url: str,
    again_label: str,
    section: str,
) -> dict[str, Any]:
    """The result page of a money operation with its comprobante: Comprobante N.º, the
    rows, Imprimir (PDF), the comprobante's page, "Realizar otra…" and "Cerrar" back to
    the menu section ``section``."""
    from django.urls import reverse

    return {
        "title": title,
        "number": receipt.number,
        "when": receipt.created_at,
        "details": details,
        "pdf_url": reverse("receipts:pdf", kwargs={"number": receipt.number}),
        "receipt_url": reverse("receipts:detail", kwargs={"number": receipt.number}),
        "again_url": again_url,
        "again_label": again_label,
        "back_url": reverse("web:section", kwargs={"slug": section}),
        "back_label": "Cerrar",
    }
